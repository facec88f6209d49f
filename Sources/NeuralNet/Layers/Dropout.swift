import TensorCore

/// Zeroes elements with probability `p` in training mode and rescales the rest by 1/(1−p);
/// the identity in evaluation mode. The mask comes from the layer's own generator, seeded
/// by the caller, so runs are reproducible without global random state.
///
/// PyTorch: `torch.nn.Dropout` (same distribution, not the same random stream).
public final class Dropout: Module, UnaryLayer, StochasticLayer {
    /// Drop probability.
    public let p: Float
    private var generator: SeededGenerator
    private var positions: BatchPositions?

    /// Creates a dropout layer drawing its masks from a generator seeded with `seed`.
    public init(p: Float = 0.5, seed: UInt64) {
        require(p >= 0 && p <= 1, "Dropout: probability \(p) outside [0, 1]")
        self.p = p
        generator = SeededGenerator(seed: seed)
    }

    public override var extraDescription: String { "p=\(p)" }

    public func reseed(_ generator: SeededGenerator, positions: BatchPositions?) {
        (self.generator, self.positions) = (generator, positions)
    }

    /// Shape: unchanged.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.dropout(p: p, training: isTraining, using: &generator, positions: positions)
    }
}

/// Channel dropout: zeroes whole channels with probability `p` in training mode (rescaling
/// the rest), the identity in evaluation mode. PyTorch: `torch.nn.Dropout2d`.
public final class Dropout2d: Module, UnaryLayer, StochasticLayer {
    /// Drop probability per channel.
    public let p: Float
    private var generator: SeededGenerator
    private var positions: BatchPositions?

    /// Creates the layer with masks drawn from a generator seeded with `seed`.
    public init(p: Float = 0.5, seed: UInt64) {
        require(p >= 0 && p <= 1, "Dropout2d: probability \(p) outside [0, 1]")
        self.p = p
        generator = SeededGenerator(seed: seed)
    }

    public override var extraDescription: String { "p=\(p)" }

    public func reseed(_ generator: SeededGenerator, positions: BatchPositions?) {
        (self.generator, self.positions) = (generator, positions)
    }

    /// Shape: `[N, C, H, W]` → same.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        guard isTraining, p > 0 else { return x }
        let mask = Tensor.ones([x.shape[0], x.shape[1], 1, 1]).dropout(p: p, training: true, using: &generator, positions: positions)
        return x * mask
    }
}
