extension Tensor {
    /// Sum over `axes`. PyTorch: `torch.sum(x, dim, keepdim)`.
    ///
    /// Shape: reduced axes become 1 with `keepDims`, are removed otherwise.
    public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
        let resolved = Set(axes.map { Shape.axis($0, rank: rank, op: "sum") }).sorted(by: >)
        var current = detached()
        for axis in resolved {
            let (outer, size, inner) = Shape.around(current.shape, axis: axis)
            var kept = current.shape
            kept[axis] = 1
            let out = TensorStorage(uninitializedCount: outer * inner)
            ReduceKernels.sum(current.storage.pointer, outer: outer, size: size, inner: inner, into: out.pointer)
            current = Tensor(shape: kept, storage: out)
        }
        let keptShape = current.shape
        let result = keepDims ? current : current.reshaped(shape.enumerated().filter { !resolved.contains($0.offset) }.map(\.element))
        let source = shape
        return .record("sum", result, inputs: [self]) { g in [g.reshaped(keptShape).broadcast(to: source)] }
    }

    /// Sum over one axis.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { sum(axes: [axis], keepDims: keepDims) }

    /// Sum of all elements, a scalar. PyTorch: `x.sum()`.
    public func sum() -> Tensor { sum(axes: Array(0..<rank)) }

    /// Mean over `axes`. PyTorch: `torch.mean(x, dim, keepdim)`.
    public func mean(axes: [Int], keepDims: Bool = false) -> Tensor {
        let n = Set(axes.map { Shape.axis($0, rank: rank, op: "mean") }).reduce(1) { $0 * shape[$1] }
        return sum(axes: axes, keepDims: keepDims) * (1 / Float(Swift.max(n, 1)))
    }

    /// Mean over one axis.
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor { mean(axes: [axis], keepDims: keepDims) }

    /// Mean of all elements, a scalar. PyTorch: `x.mean()`.
    public func mean() -> Tensor { mean(axes: Array(0..<rank)) }

    /// Maximum along `axis`; the gradient flows to the first maximal element.
    /// PyTorch: `torch.max(x, dim, keepdim).values`.
    public func max(axis: Int, keepDims: Bool = false) -> Tensor { extremum(axis: axis, keepDims: keepDims, minimum: false) }

    /// Minimum along `axis`. PyTorch: `torch.min(x, dim, keepdim).values`.
    public func min(axis: Int, keepDims: Bool = false) -> Tensor { extremum(axis: axis, keepDims: keepDims, minimum: true) }

    /// Index of the maximum along `axis` (first on ties). PyTorch: `torch.argmax(x, dim)`.
    public func argmax(axis: Int) -> IndexTensor { extremumKernel(axis: axis, minimum: false).indices }

    /// Maximum of all elements. PyTorch: `x.max()`.
    public func max() -> Tensor { reshaped([count]).max(axis: 0) }

    /// Minimum of all elements. PyTorch: `x.min()`.
    public func min() -> Tensor { reshaped([count]).min(axis: 0) }

    /// log Σ exp over `axes`, computed stably around the maximum. PyTorch: `torch.logsumexp`.
    public func logsumexp(axes: [Int], keepDims: Bool = false) -> Tensor {
        var peak = detached()
        for axis in axes { peak = peak.max(axis: axis, keepDims: true) }
        peak = peak.mapKernel(FiniteOrZeroF())
        let total = (self - peak).exp().sum(axes: axes, keepDims: true).log() + peak
        if keepDims { return total }
        let resolved = Set(axes.map { Shape.axis($0, rank: rank, op: "logsumexp") })
        return total.reshaped(shape.enumerated().filter { !resolved.contains($0.offset) }.map(\.element))
    }

    /// log Σ exp over one axis.
    public func logsumexp(axis: Int, keepDims: Bool = false) -> Tensor { logsumexp(axes: [axis], keepDims: keepDims) }

    func extremumKernel(axis: Int, minimum: Bool) -> (values: Tensor, indices: IndexTensor, keptShape: [Int]) {
        let axis = Shape.axis(axis, rank: rank, op: minimum ? "min" : "max")
        require(shape[axis] > 0, "\(minimum ? "min" : "max"): empty axis \(axis) of \(shape)")
        let (outer, size, inner) = Shape.around(shape, axis: axis)
        var kept = shape
        kept[axis] = 1
        let out = TensorStorage(uninitializedCount: outer * inner)
        var indices = [Int32](repeating: 0, count: outer * inner)
        indices.withUnsafeMutableBufferPointer { idx in
            ReduceKernels.extremum(storage.pointer, outer: outer, size: size, inner: inner, minimum: minimum,
                                   into: out.pointer, indices: idx.baseAddress!)
        }
        var reduced = shape
        reduced.remove(at: axis)
        return (Tensor(shape: kept, storage: out), IndexTensor(shape: reduced, indices), kept)
    }

    private func extremum(axis: Int, keepDims: Bool, minimum: Bool) -> Tensor {
        let (values, indices, _) = extremumKernel(axis: axis, minimum: minimum)
        let resolved = Shape.axis(axis, rank: rank, op: "max")
        let source = shape
        let result = keepDims ? values : values.reshaped(indices.shape)
        return .record(minimum ? "min" : "max", result, inputs: [self]) { g in
            let (outer, size, inner) = Shape.around(source, axis: resolved)
            let grad = TensorStorage(count: Shape.count(source), repeating: 0)
            for o in 0..<outer {
                for i in 0..<inner {
                    let flat = o * inner + i
                    grad.pointer[(o * size + Int(indices.values[flat])) * inner + i] = g.storage.pointer[flat]
                }
            }
            return [Tensor(shape: source, storage: grad)]
        }
    }
}

/// Replaces ±inf/NaN by 0 (the shift used by logsumexp when a slice is all -inf).
struct FiniteOrZeroF: UnaryFunctor {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x.isFinite ? x : 0 }
}
