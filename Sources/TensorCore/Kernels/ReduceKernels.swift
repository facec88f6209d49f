/// Reductions of a buffer viewed as [outer, size, inner] along the middle axis into [outer, inner].
enum ReduceKernels {
    /// out[o, i] = Σ_j x[o, j, i].
    static func sum(_ x: UnsafePointer<Float>, outer: Int, size: Int, inner: Int,
                    into out: UnsafeMutablePointer<Float>) {
        if inner == 1 {
            parallelFor(outer, grain: max(1, 32_768 / max(size, 1))) { range in
                for o in range {
                    let row = x + o * size
                    var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
                    var j = 0
                    while j + 4 <= size {
                        s0 += row[j]; s1 += row[j + 1]; s2 += row[j + 2]; s3 += row[j + 3]
                        j += 4
                    }
                    while j < size { s0 += row[j]; j += 1 }
                    out[o] = (s0 + s1) + (s2 + s3)
                }
            }
            return
        }
        parallelFor(outer * inner, grain: max(1, 32_768 / max(size, 1))) { range in
            var flat = range.lowerBound
            while flat < range.upperBound {
                let o = flat / inner, i0 = flat % inner
                let i1 = min(inner, i0 + (range.upperBound - flat))
                let dst = out + o * inner
                for i in i0..<i1 { dst[i] = 0 }
                for j in 0..<size {
                    let src = x + (o * size + j) * inner
                    for i in i0..<i1 { dst[i] += src[i] }
                }
                flat += i1 - i0
            }
        }
    }

    /// Maximum (or minimum when `minimum`) along the axis and the first index attaining it.
    static func extremum(_ x: UnsafePointer<Float>, outer: Int, size: Int, inner: Int, minimum: Bool,
                         into out: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>) {
        parallelFor(outer * inner, grain: max(1, 32_768 / max(size, 1))) { range in
            for flat in range {
                let o = flat / inner, i = flat % inner
                let base = x + o * size * inner + i
                var best = base[0], bestIndex = 0
                for j in 1..<max(size, 1) {
                    let v = base[j * inner]
                    if minimum ? (v < best || (v.isNaN && !best.isNaN)) : (v > best || (v.isNaN && !best.isNaN)) {
                        best = v; bestIndex = j
                    }
                }
                out[flat] = best
                indices[flat] = Int32(bestIndex)
            }
        }
    }
}
