/// A concatenation along the channel axis that grows one piece at a time into one buffer
/// (DenseNet's dense blocks, where every layer reads all the channels so far): each piece is
/// copied once, where `Tensor.concat` of all the pieces at every step copies the whole
/// prefix again (quadratic in the number of layers).
///
/// For a single image the channels so far are a contiguous prefix of the buffer, so
/// ``tensor`` is a view (no copy). Pieces are only ever written past every view handed out,
/// so no tensor already returned changes. Only where nothing is recorded for a gradient
/// (`concat`'s backward needs the pieces as separate inputs): ``init(_:capacity:)`` returns
/// nil for a batch of several images or when a tape would record the first piece, and the
/// caller concatenates as usual. The values are `Tensor.concat`'s (a copy).
public struct ChannelConcatenation {
    private let buffer: TensorStorage
    private let height: Int, width: Int
    /// The channels the buffer has room for.
    public let capacity: Int
    /// The channels appended so far.
    public private(set) var channels: Int

    /// A buffer of `capacity` channels holding `first` (`[1, C, H, W]`); nil where the
    /// accumulation does not apply (a batch other than 1, or `first` recorded for a gradient).
    public init?(_ first: Tensor, capacity: Int) {
        guard first.rank == 4, first.shape[0] == 1, !(GradMode.isEnabled && first.requiresGrad) else { return nil }
        require(capacity >= first.shape[1], "concat: capacity \(capacity) below the first piece's \(first.shape[1]) channels")
        (height, width, self.capacity, channels) = (first.shape[2], first.shape[3], capacity, 0)
        buffer = TensorStorage(uninitializedCount: capacity * height * width)
        append(first)
    }

    /// Copies `piece` (`[1, c, H, W]`) after the channels so far. `piece` must not be recorded
    /// for a gradient.
    public mutating func append(_ piece: Tensor) {
        require(piece.rank == 4 && piece.shape[0] == 1 && piece.shape[2] == height && piece.shape[3] == width,
                "concat: shape \(piece.shape) does not match [1, _, \(height), \(width)] off axis 1")
        require(!(GradMode.isEnabled && piece.requiresGrad), "concat: a growing concatenation records no gradient")
        require(channels + piece.shape[1] <= capacity,
                "concat: \(channels) + \(piece.shape[1]) channels exceed the capacity \(capacity)")
        (buffer.pointer + channels * height * width).update(from: piece.storage.pointer, count: piece.count)
        channels += piece.shape[1]
        OpProfile.charge("concat")
    }

    /// The channels so far, `[1, channels, H, W]`: a view of the buffer's prefix (the buffer
    /// itself once full).
    public var tensor: Tensor {
        let count = channels * height * width
        let storage = count == buffer.count ? buffer : TensorStorage(viewing: buffer, offset: 0, count: count)
        return Tensor(shape: [1, channels, height, width], storage: storage)
    }
}
