extension Tensor {
    /// Picks entries along `axis` at `indices` (each in range). PyTorch: `torch.index_select(x, axis, indices)`.
    public func indexSelect(axis: Int, indices: [Int]) -> Tensor {
        let axis = Shape.axis(axis, rank: rank, op: "index_select")
        let (outer, size, inner) = Shape.around(shape, axis: axis)
        for i in indices { require(i >= 0 && i < size, "index_select: index \(i) outside 0..<\(size) on axis \(axis) of \(shape)") }
        var newShape = shape
        newShape[axis] = indices.count
        let out = TensorStorage(uninitializedCount: Shape.count(newShape))
        let src = storage.pointer
        parallelFor(outer * indices.count, grain: Swift.max(1, 16_384 / Swift.max(inner, 1))) { range in
            for flat in range {
                let o = flat / indices.count, j = flat % indices.count
                (out.pointer + flat * inner).update(from: src + (o * size + indices[j]) * inner, count: inner)
            }
        }
        let source = shape
        return .record("index_select", Tensor(shape: newShape, storage: out), inputs: [self]) { g in
            let gx = TensorStorage(count: Shape.count(source), repeating: 0)
            for o in 0..<outer {
                for (j, index) in indices.enumerated() {
                    let dst = gx.pointer + (o * size + index) * inner, up = g.storage.pointer + (o * indices.count + j) * inner
                    for i in 0..<inner { dst[i] += up[i] }
                }
            }
            return [Tensor(shape: source, storage: gx)]
        }
    }

    /// Gathers along `axis`: `out[..., i, ...] = x[..., index[..., i, ...], ...]`, with `index`
    /// of this tensor's rank and, off `axis`, its sizes. PyTorch: `torch.gather(x, axis, index)`.
    public func gather(axis: Int, index: IndexTensor) -> Tensor {
        let axis = Shape.axis(axis, rank: rank, op: "gather")
        require(index.shape.count == rank && (0..<rank).allSatisfy { $0 == axis || index.shape[$0] == shape[$0] },
                     "gather: index shape \(index.shape) does not fit input \(shape) on axis \(axis)")
        let (outer, size, inner) = Shape.around(shape, axis: axis)
        let picks = index.shape[axis]
        var sourceOffsets = [Int](repeating: 0, count: index.count)
        for o in 0..<outer {
            for j in 0..<picks {
                for i in 0..<inner {
                    let flat = (o * picks + j) * inner + i, k = Int(index.values[flat])
                    require(k >= 0 && k < size, "gather: index \(k) outside 0..<\(size) on axis \(axis) of \(shape)")
                    sourceOffsets[flat] = (o * size + k) * inner + i
                }
            }
        }
        return take(flatOffsets: sourceOffsets, shape: index.shape, op: "gather")
    }

    /// The elements where `mask` is true, in row-major order, as a 1-D tensor.
    /// PyTorch: `x[mask]` / `torch.masked_select(x, mask)` (mask of this tensor's shape).
    public func maskedSelect(_ mask: [Bool]) -> Tensor {
        require(mask.count == count, "masked_select: mask has \(mask.count) entries for \(shape)")
        let offsets = mask.indices.filter { mask[$0] }
        return take(flatOffsets: offsets, shape: [offsets.count], op: "masked_select")
    }

    /// out[i] = x.flat[offsets[i]]; the backward scatters (adds) back.
    func take(flatOffsets offsets: [Int], shape newShape: [Int], op: String) -> Tensor {
        let out = TensorStorage(uninitializedCount: offsets.count)
        for (i, k) in offsets.enumerated() { out.pointer[i] = storage.pointer[k] }
        let source = shape
        return .record(op, Tensor(shape: newShape, storage: out), inputs: [self]) { g in
            let gx = TensorStorage(count: Shape.count(source), repeating: 0)
            for (i, k) in offsets.enumerated() { gx.pointer[k] += g.storage.pointer[i] }
            return [Tensor(shape: source, storage: gx)]
        }
    }
}
