extension Tensor {
    /// Zeroes each element with probability `p` and scales the rest by 1/(1−p) when
    /// `training`; the identity otherwise. The mask comes from the caller's generator.
    /// PyTorch: `F.dropout(x, p, training)` (same distribution, not the same random stream).
    public func dropout(p: Float, training: Bool, using rng: inout SeededGenerator) -> Tensor {
        require(p >= 0 && p <= 1, "dropout: probability \(p) outside [0, 1]")
        guard training, p > 0 else { return self }
        let keep = p < 1 ? 1 / (1 - p) : 0
        let mask = TensorStorage(uninitializedCount: count)
        for i in 0..<count { mask.pointer[i] = rng.nextUniform() < p ? 0 : keep }
        return self * Tensor(shape: shape, storage: mask)
    }
}
