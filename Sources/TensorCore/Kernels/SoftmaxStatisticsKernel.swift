/// One pass pair over class logits viewed as `[outer, size, inner]` (classes in the middle):
/// per position the maximum `m`, `S = Σ exp(l − m)` and `T = Σ exp(l − m)·(l − m)`, from
/// which the maximum softmax probability (`1/S`), logsumexp (`m + log S`) and entropy
/// (`log S − T/S`) follow. The scores of the logits need nothing else, so four scores cost
/// two reads of the logits instead of a softmax, a log-softmax and a logsumexp each.
/// In blocks of positions, each class row through the vector exponential, as ``SoftmaxKernels``.
enum SoftmaxStatisticsKernel {
    /// Writes `max`, `logSumExp` and `entropy`, each `[outer, inner]`.
    static func run(_ x: UnsafePointer<Float>, outer: Int, size: Int, inner: Int,
                    max: UnsafeMutablePointer<Float>, logSumExp: UnsafeMutablePointer<Float>,
                    entropy: UnsafeMutablePointer<Float>) {
        SoftmaxKernels.forEachBlock(outer: outer, size: size, inner: inner) { base, position, width in
            SoftmaxKernels.withScratch(rows: 4) { scratch in
                let references = scratch[0], sums = scratch[1], weighted = scratch[2], exponentials = scratch[3]
                SoftmaxKernels.forEachLanes(width) { s, count in
                    // The maximum, NaN winning (a NaN logit makes every statistic NaN).
                    var peak = VectorMath.load(x + base + s, count: count)
                    for c in 1..<Swift.max(size, 1) {
                        let row = VectorMath.load(x + base + c * inner + s, count: count)
                        peak = VectorMath.select(row, where: (row .> peak) .| (row .!= row), else: peak)
                    }
                    VectorMath.store(peak, max + position + s, count: count)
                    VectorMath.store(VectorMath.select(peak, where: (peak - peak) .== 0, else: SIMD16(repeating: 0)),
                                     references + s, count: count)
                    VectorMath.store(SIMD16(repeating: 0), sums + s, count: count)
                    VectorMath.store(SIMD16(repeating: 0), weighted + s, count: count)
                }
                let zero = SIMD16<Float>(repeating: 0)
                for c in 0..<size {
                    let row = x + base + c * inner
                    SoftmaxKernels.forEachLanes(width) { s, count in
                        VectorMath.store(VectorMath.load(row + s, count: count) - VectorMath.load(references + s, count: count),
                                         exponentials + s, count: count)
                    }
                    VectorMath.exp(exponentials, exponentials, count: width)
                    SoftmaxKernels.forEachLanes(width) { s, count in
                        let shifted = VectorMath.load(row + s, count: count) - VectorMath.load(references + s, count: count)
                        let e = VectorMath.load(exponentials + s, count: count)
                        VectorMath.store(VectorMath.load(sums + s, count: count) + e, sums + s, count: count)
                        VectorMath.store(VectorMath.load(weighted + s, count: count)
                                         + e * VectorMath.select(shifted, where: e .> zero, else: zero), weighted + s, count: count)
                    }
                }
                SoftmaxKernels.forEachLanes(width) { s, count in
                    let total = VectorMath.load(sums + s, count: count)
                    let logS = VectorMath.log(total)
                    VectorMath.store(logS + VectorMath.load(references + s, count: count), logSumExp + position + s, count: count)
                    VectorMath.store(logS - VectorMath.load(weighted + s, count: count) / total, entropy + position + s, count: count)
                }
            }
        }
    }
}
