extension Tensor {
    /// This tensor expanded to `shape` by broadcasting (materialised).
    /// PyTorch: `Tensor.expand(shape).contiguous()`.
    ///
    /// Shape: `shape` must be broadcast-compatible with `self.shape`.
    public func broadcast(to target: [Int]) -> Tensor {
        if target == shape { return self }
        require(Shape.broadcast(shape, target) == target,
                     "broadcast: cannot broadcast \(shape) to \(target)")
        let out = TensorStorage(uninitializedCount: Shape.count(target))
        StridedCopy.copy(shape: target, from: storage.pointer, strides: Shape.broadcastStrides(shape, to: target),
                         to: out.pointer, dstStrides: Shape.strides(target))
        let source = shape
        return .record("broadcast", Tensor(shape: target, storage: out), inputs: [self]) { g in
            [g.sumToShape(source)]
        }
    }

    /// Sums this tensor down to `target` (the inverse of broadcasting), as gradients of
    /// broadcast operands need. Returns `self` when shapes already match.
    public func sumToShape(_ target: [Int]) -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        require(lead >= 0, "sumToShape: cannot reduce \(shape) to \(target)")
        var axes = Array(0..<lead)
        for (i, size) in target.enumerated() where size == 1 && shape[lead + i] != 1 { axes.append(lead + i) }
        return sum(axes: axes, keepDims: true).reshaped(target)
    }
}
