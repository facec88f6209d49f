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

/// Softmax over the middle axis of [outer, size, inner], processing `inner` lanes together.
enum SoftmaxKernels {
    static func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                        outer: Int, size: Int, inner: Int, log: Bool) {
        let lanes = 64
        let blocks = (inner + lanes - 1) / lanes
        parallelFor(outer * blocks, grain: max(1, 16_384 / max(size * lanes, 1))) { range in
            var peak = [Float](repeating: 0, count: lanes), total = [Float](repeating: 0, count: lanes)
            for task in range {
                let o = task / blocks, i0 = (task % blocks) * lanes, width = min(lanes, inner - i0)
                let base = o * size * inner + i0
                for l in 0..<width { peak[l] = -.infinity; total[l] = 0 }
                for j in 0..<size {
                    let row = x + base + j * inner
                    for l in 0..<width { peak[l] = max(peak[l], row[l]) }
                }
                for l in 0..<width where !peak[l].isFinite { peak[l] = 0 }
                for j in 0..<size {
                    let row = x + base + j * inner, out = y + base + j * inner
                    for l in 0..<width {
                        let e = Foundation.exp(row[l] - peak[l])
                        out[l] = e
                        total[l] += e
                    }
                }
                for l in 0..<width { total[l] = log ? Foundation.log(total[l]) + peak[l] : 1 / total[l] }
                for j in 0..<size {
                    let row = x + base + j * inner, out = y + base + j * inner
                    if log {
                        for l in 0..<width { out[l] = row[l] - total[l] }
                    } else {
                        for l in 0..<width { out[l] *= total[l] }
                    }
                }
            }
        }
    }

    /// softmax: gx = y (g − Σ g y); log-softmax: gx = g − exp(y) Σ g.
    static func backward(y: UnsafePointer<Float>, g: UnsafePointer<Float>, into gx: UnsafeMutablePointer<Float>,
                         outer: Int, size: Int, inner: Int, log: Bool) {
        parallelFor(outer * inner, grain: max(1, 16_384 / max(size, 1))) { range in
            for flat in range {
                let o = flat / inner, i = flat % inner
                let base = o * size * inner + i
                var dot: Float = 0
                for j in 0..<size {
                    let k = base + j * inner
                    dot += log ? g[k] : g[k] * y[k]
                }
                for j in 0..<size {
                    let k = base + j * inner
                    gx[k] = log ? g[k] - Foundation.exp(y[k]) * dot : y[k] * (g[k] - dot)
                }
            }
        }
    }
}
