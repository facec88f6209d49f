extension Tensor {
    /// Zeroes each element with probability `p` and scales the rest by 1/(1−p) when
    /// `training`; the identity otherwise. The mask comes from the caller's generator.
    /// PyTorch: `F.dropout(x, p, training)` (same distribution, not the same random stream).
    ///
    /// With `positions` (a data-parallel share of a batch, one entry per image of the first
    /// axis), the masks of the whole batch are drawn in order and the kept images' rows used.
    public func dropout(p: Float, training: Bool, using rng: inout SeededGenerator, positions: BatchPositions? = nil) -> Tensor {
        require(p >= 0 && p <= 1, "dropout: probability \(p) outside [0, 1]")
        guard training, p > 0 else { return self }
        let keep = p < 1 ? 1 / (1 - p) : 0
        let mask = TensorStorage(uninitializedCount: count)
        guard let positions, rank > 0, positions.kept.count == shape[0] else {
            for i in 0..<count { mask.pointer[i] = rng.nextUniform() < p ? 0 : keep }
            return self * Tensor(shape: shape, storage: mask)
        }
        let perImage = count / Swift.max(1, shape[0])
        mask.pointer.initialize(repeating: 0, count: count)
        var local = [Int?](repeating: nil, count: positions.whole)
        for (index, position) in positions.kept.enumerated() where local.indices.contains(position) { local[position] = index }
        for image in 0..<positions.whole {
            let row = local[image].map { mask.pointer + $0 * perImage }
            for i in 0..<perImage {
                let value = rng.nextUniform() < p ? 0 : keep
                row?[i] = value
            }
        }
        return self * Tensor(shape: shape, storage: mask)
    }
}

/// Where the images of a data-parallel forward stand in the batch one process would forward:
/// stochastic layers draw the whole batch's masks and keep these rows.
public struct BatchPositions: Sendable, Equatable {
    /// Images in the whole batch.
    public let whole: Int
    /// The position in the whole batch of each image of this forward, in order.
    public let kept: [Int]

    /// Positions `kept` of a batch of `whole` images.
    public init(whole: Int, kept: [Int]) { (self.whole, self.kept) = (whole, kept) }
}
