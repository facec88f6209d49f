extension Tensor {
    /// The same elements under a new shape (shares storage); one axis may be -1.
    /// PyTorch: `Tensor.reshape`.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var target = newShape
        if let unknown = target.firstIndex(of: -1) {
            let known = target.enumerated().filter { $0.offset != unknown }.reduce(1) { $0 * $1.element }
            require(known > 0 && count % known == 0, "reshape: cannot reshape \(shape) to \(newShape)")
            target[unknown] = count / known
        }
        require(Shape.count(target) == count, "reshape: cannot reshape \(shape) (\(count) elements) to \(newShape)")
        if target == shape { return self }
        let source = shape
        return .record("reshape", Tensor(shape: target, storage: storage), inputs: [self]) { g in [g.reshaped(source)] }
    }

    /// Reorders axes: result axis i is input axis `order[i]`. PyTorch: `Tensor.permute(...).contiguous()`.
    public func permuted(_ order: [Int]) -> Tensor {
        require(order.sorted() == Array(0..<rank), "permute: \(order) is not a permutation of \(rank) axes")
        if order == Array(0..<rank) { return self }
        let newShape = order.map { shape[$0] }
        let strides = Shape.strides(shape)
        let out = TensorStorage(uninitializedCount: count)
        StridedCopy.copy(shape: newShape, from: storage.pointer, strides: order.map { strides[$0] },
                         to: out.pointer, dstStrides: Shape.strides(newShape))
        var inverse = [Int](repeating: 0, count: rank)
        for (i, axis) in order.enumerated() { inverse[axis] = i }
        return .record("permute", Tensor(shape: newShape, storage: out), inputs: [self]) { g in [g.permuted(inverse)] }
    }

    /// Swaps the last two axes of a rank ≥ 2 tensor. PyTorch: `Tensor.transpose(-2, -1)`.
    public func transposed() -> Tensor {
        require(rank >= 2, "transpose: needs rank ≥ 2, got \(shape)")
        var order = Array(0..<rank)
        order.swapAt(rank - 1, rank - 2)
        return permuted(order)
    }

    /// Elements `start, start+step, …` below `end` along `axis`. PyTorch: `x[..., start:end:step]`.
    public func slice(axis: Int, start: Int, end: Int? = nil, step: Int = 1) -> Tensor {
        let axis = Shape.axis(axis, rank: rank, op: "slice")
        let stop = Swift.min(end ?? shape[axis], shape[axis])
        require(step > 0 && start >= 0 && start <= stop, "slice: invalid range \(start)..<\(stop) step \(step) of axis \(axis) in \(shape)")
        var newShape = shape
        newShape[axis] = (stop - start + step - 1) / step
        var srcStrides = Shape.strides(shape)
        let offset = start * srcStrides[axis]
        srcStrides[axis] *= step
        let out: TensorStorage
        if shape[..<axis].allSatisfy({ $0 == 1 }) && (step == 1 || newShape[axis] <= 1) {
            // A contiguous run of the elements (the first axis, or one below unit axes): a view, no copy.
            out = TensorStorage(viewing: storage, offset: offset, count: Shape.count(newShape))
        } else {
            out = TensorStorage(uninitializedCount: Shape.count(newShape))
            StridedCopy.copy(shape: newShape, from: storage.pointer, strides: srcStrides, offset: offset,
                             to: out.pointer, dstStrides: Shape.strides(newShape))
        }
        let source = shape
        return .record("slice", Tensor(shape: newShape, storage: out), inputs: [self]) { g in
            let grad = TensorStorage(count: Shape.count(source), repeating: 0)
            StridedCopy.copy(shape: newShape, from: g.storage.pointer, strides: Shape.strides(newShape),
                             to: grad.pointer, dstStrides: srcStrides, dstOffset: offset)
            return [Tensor(shape: source, storage: grad)]
        }
    }

    /// Concatenates tensors along `axis`; all other axes must agree. PyTorch: `torch.cat`.
    public static func concat(_ tensors: [Tensor], axis: Int) -> Tensor {
        require(!tensors.isEmpty, "concat: no tensors")
        let first = tensors[0]
        let axis = Shape.axis(axis, rank: first.rank, op: "concat")
        for t in tensors {
            require(t.rank == first.rank && (0..<t.rank).allSatisfy { $0 == axis || t.shape[$0] == first.shape[$0] },
                         "concat: shape \(t.shape) does not match \(first.shape) off axis \(axis)")
        }
        var newShape = first.shape
        newShape[axis] = tensors.reduce(0) { $0 + $1.shape[axis] }
        let out = TensorStorage(uninitializedCount: Shape.count(newShape))
        let outStrides = Shape.strides(newShape)
        var position = 0
        var sizes: [Int] = []
        for t in tensors {
            StridedCopy.copy(shape: t.shape, from: t.storage.pointer, strides: Shape.strides(t.shape),
                             to: out.pointer, dstStrides: outStrides, dstOffset: position * outStrides[axis])
            position += t.shape[axis]
            sizes.append(t.shape[axis])
        }
        return record("concat", Tensor(shape: newShape, storage: out), inputs: tensors) { g in
            g.split(sizes: sizes, axis: axis).map { Optional($0) }
        }
    }

    /// Splits along `axis` into pieces of the given sizes. PyTorch: `torch.split(x, sizes, dim)`.
    public func split(sizes: [Int], axis: Int) -> [Tensor] {
        let axis = Shape.axis(axis, rank: rank, op: "split")
        require(sizes.reduce(0, +) == shape[axis], "split: sizes \(sizes) do not sum to \(shape[axis]) (axis \(axis) of \(shape))")
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return slice(axis: axis, start: start, end: start + size)
        }
    }

    /// Pads with a constant; `widths[i]` is (before, after) for axis i, leading axes may be
    /// omitted. PyTorch: `F.pad` (which lists the last axis first).
    public func padded(_ widths: [(before: Int, after: Int)], value: Float = 0) -> Tensor {
        require(widths.count <= rank, "pad: \(widths.count) pad pairs for rank \(rank)")
        let all = Array(repeating: (before: 0, after: 0), count: rank - widths.count) + widths
        require(all.allSatisfy { $0.before >= 0 && $0.after >= 0 }, "pad: negative widths \(widths)")
        let newShape = zip(shape, all).map { $0 + $1.before + $1.after }
        let outStrides = Shape.strides(newShape)
        let offset = zip(all, outStrides).reduce(0) { $0 + $1.0.before * $1.1 }
        let out = TensorStorage(count: Shape.count(newShape), repeating: value)
        StridedCopy.copy(shape: shape, from: storage.pointer, strides: Shape.strides(shape),
                         to: out.pointer, dstStrides: outStrides, dstOffset: offset)
        let source = shape
        return .record("pad", Tensor(shape: newShape, storage: out), inputs: [self]) { g in
            let grad = TensorStorage(uninitializedCount: Shape.count(source))
            StridedCopy.copy(shape: source, from: g.storage.pointer, strides: outStrides, offset: offset,
                             to: grad.pointer, dstStrides: Shape.strides(source))
            return [Tensor(shape: source, storage: grad)]
        }
    }
}
