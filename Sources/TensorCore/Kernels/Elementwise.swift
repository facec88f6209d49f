/// Elementwise kernels over contiguous buffers, parallel over the cores.
/// They know nothing of tensors or autograd.
enum Elementwise {
    /// dst[i] = f(src[i]).
    @inline(__always)
    static func map<F: UnaryFunctor>(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                                     count: Int, _ f: F) {
        parallelFor(count) { range in
            f.apply(src + range.lowerBound, dst + range.lowerBound, count: range.count)
        }
    }

    /// out = f(a, b) with NumPy broadcasting. `aStrides`/`bStrides` are broadcast strides
    /// (0 on broadcast axes) over `shape`, the output shape.
    static func zip<F: BinaryFunctor>(_ a: UnsafePointer<Float>, _ aStrides: [Int],
                                      _ b: UnsafePointer<Float>, _ bStrides: [Int],
                                      _ out: UnsafeMutablePointer<Float>, shape: [Int], _ f: F) {
        let total = Shape.count(shape)
        if aStrides == Shape.strides(shape) && bStrides == aStrides {
            parallelFor(total) { range in
                for i in range { out[i] = f(a[i], b[i]) }
            }
            return
        }
        var (dims, sa, sb) = collapse(shape, aStrides, bStrides)
        if dims.isEmpty { (dims, sa, sb) = ([1], [0], [0]) }
        let inner = dims[dims.count - 1], ia = sa[sa.count - 1], ib = sb[sb.count - 1]
        let outerDims = Array(dims.dropLast()), outerA = Array(sa.dropLast()), outerB = Array(sb.dropLast())
        let rows = Shape.count(outerDims)
        parallelFor(rows, grain: max(1, 32_768 / max(inner, 1))) { range in
            for row in range {
                var offA = 0, offB = 0, rest = row
                for d in stride(from: outerDims.count - 1, through: 0, by: -1) {
                    let idx = rest % outerDims[d]
                    rest /= outerDims[d]
                    offA += idx * outerA[d]
                    offB += idx * outerB[d]
                }
                let o = out + row * inner, pa = a + offA, pb = b + offB
                switch (ia, ib) {
                case (1, 1): for i in 0..<inner { o[i] = f(pa[i], pb[i]) }
                case (1, 0): let vb = pb[0]; for i in 0..<inner { o[i] = f(pa[i], vb) }
                case (0, 1): let va = pa[0]; for i in 0..<inner { o[i] = f(va, pb[i]) }
                default: for i in 0..<inner { o[i] = f(pa[i * ia], pb[i * ib]) }
                }
            }
        }
    }

    /// Merges adjacent axes that are contiguous in both operands.
    static func collapse(_ shape: [Int], _ sa: [Int], _ sb: [Int]) -> ([Int], [Int], [Int]) {
        var dims: [Int] = [], outA: [Int] = [], outB: [Int] = []
        for i in 0..<shape.count where shape[i] != 1 {
            if let last = dims.last,
               outA[outA.count - 1] == sa[i] * shape[i], outB[outB.count - 1] == sb[i] * shape[i] {
                dims[dims.count - 1] = last * shape[i]
                outA[outA.count - 1] = sa[i]
                outB[outB.count - 1] = sb[i]
            } else {
                dims.append(shape[i]); outA.append(sa[i]); outB.append(sb[i])
            }
        }
        return (dims, outA, outB)
    }
}
