import Foundation

extension Tensor {
    /// Softmax along `axis`. PyTorch: `torch.softmax(x, dim)`.
    public func softmax(axis: Int) -> Tensor {
        let axis = Shape.axis(axis, rank: rank, op: "softmax")
        let (outer, size, inner) = Shape.around(shape, axis: axis)
        let out = TensorStorage(uninitializedCount: count)
        SoftmaxKernels.forward(storage.pointer, out.pointer, outer: outer, size: size, inner: inner, log: false)
        let y = Tensor(shape: shape, storage: out)
        return .record("softmax", y, inputs: [self]) { g in
            let grad = TensorStorage(uninitializedCount: y.count)
            SoftmaxKernels.backward(y: y.storage.pointer, g: g.storage.pointer, into: grad.pointer,
                                    outer: outer, size: size, inner: inner, log: false)
            return [Tensor(shape: y.shape, storage: grad)]
        }
    }

    /// Log-softmax along `axis`. PyTorch: `torch.log_softmax(x, dim)`.
    public func logSoftmax(axis: Int) -> Tensor {
        let axis = Shape.axis(axis, rank: rank, op: "log_softmax")
        let (outer, size, inner) = Shape.around(shape, axis: axis)
        let out = TensorStorage(uninitializedCount: count)
        SoftmaxKernels.forward(storage.pointer, out.pointer, outer: outer, size: size, inner: inner, log: true)
        let y = Tensor(shape: shape, storage: out)
        return .record("log_softmax", y, inputs: [self]) { g in
            let grad = TensorStorage(uninitializedCount: y.count)
            SoftmaxKernels.backward(y: y.storage.pointer, g: g.storage.pointer, into: grad.pointer,
                                    outer: outer, size: size, inner: inner, log: true)
            return [Tensor(shape: y.shape, storage: grad)]
        }
    }
}

/// Softmax over the middle axis of [outer, size, inner], sixteen `inner` positions per
/// block in SIMD lanes (every exponential through ``VectorMath/exp(_:)``).
enum SoftmaxKernels {
    /// Calls `body(base, position, width)` for every block of up to 16 positions, in
    /// parallel: `base` the offset of the block's first element in `[outer, size, inner]`,
    /// `position` its offset in `[outer, inner]`, `width` its positions.
    @inline(__always)
    static func forEachBlock(outer: Int, size: Int, inner: Int,
                             _ body: (_ base: Int, _ position: Int, _ width: Int) -> Void) {
        let blocks = (inner + 15) / 16
        parallelFor(outer * blocks, grain: max(1, 16_384 / max(size * 16, 1))) { range in
            for task in range {
                let o = task / blocks, i0 = (task % blocks) * 16
                body(o * size * inner + i0, o * inner + i0, min(16, inner - i0))
            }
        }
    }

    static func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                        outer: Int, size: Int, inner: Int, log: Bool) {
        forEachBlock(outer: outer, size: size, inner: inner) { base, _, width in
            var peak = SIMD16<Float>(repeating: -.infinity)
            for j in 0..<size {
                let row = VectorMath.load(x + base + j * inner, count: width)
                peak = VectorMath.select(row, where: row .>= peak, else: peak)  // Swift.max's rule: NaN skipped
            }
            peak = VectorMath.select(peak, where: (peak - peak) .== 0, else: SIMD16(repeating: 0))
            var total = SIMD16<Float>(repeating: 0)
            for j in 0..<size {
                let e = VectorMath.exp(VectorMath.load(x + base + j * inner, count: width) - peak)
                if !log { VectorMath.store(e, y + base + j * inner, count: width) }
                total += e
            }
            if log {
                var shift = peak
                for l in 0..<width { shift[l] += Foundation.log(total[l]) }
                for j in 0..<size {
                    let offset = base + j * inner
                    VectorMath.store(VectorMath.load(x + offset, count: width) - shift, y + offset, count: width)
                }
            } else {
                let scale = 1 / total
                for j in 0..<size {
                    let row = y + base + j * inner
                    VectorMath.store(VectorMath.load(row, count: width) * scale, row, count: width)
                }
            }
        }
    }

    /// softmax: gx = y (g − Σ g y); log-softmax: gx = g − exp(y) Σ g.
    static func backward(y: UnsafePointer<Float>, g: UnsafePointer<Float>, into gx: UnsafeMutablePointer<Float>,
                         outer: Int, size: Int, inner: Int, log: Bool) {
        forEachBlock(outer: outer, size: size, inner: inner) { base, _, width in
            var dot = SIMD16<Float>(repeating: 0)
            for j in 0..<size {
                let offset = base + j * inner
                let upstream = VectorMath.load(g + offset, count: width)
                dot += log ? upstream : upstream * VectorMath.load(y + offset, count: width)
            }
            for j in 0..<size {
                let offset = base + j * inner
                let upstream = VectorMath.load(g + offset, count: width), output = VectorMath.load(y + offset, count: width)
                let grad = log ? upstream - VectorMath.exp(output) * dot : output * (upstream - dot)
                VectorMath.store(grad, gx + offset, count: width)
            }
        }
    }
}
