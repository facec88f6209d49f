import Foundation

/// One pass pair over class logits viewed as `[outer, size, inner]` (classes in the middle):
/// per position the maximum `m`, `S = Σ exp(l − m)` and `T = Σ exp(l − m)·(l − m)`, from
/// which the maximum softmax probability (`1/S`), logsumexp (`m + log S`) and entropy
/// (`log S − T/S`) follow. The scores of the logits need nothing else, so four scores cost
/// two reads of the logits instead of a softmax, a log-softmax and a logsumexp each.
/// Sixteen positions per block in SIMD lanes, as ``SoftmaxKernels``.
enum SoftmaxStatisticsKernel {
    /// Writes `max`, `logSumExp` and `entropy`, each `[outer, inner]`.
    static func run(_ x: UnsafePointer<Float>, outer: Int, size: Int, inner: Int,
                    max: UnsafeMutablePointer<Float>, logSumExp: UnsafeMutablePointer<Float>,
                    entropy: UnsafeMutablePointer<Float>) {
        SoftmaxKernels.forEachBlock(outer: outer, size: size, inner: inner) { base, position, width in
            // The maximum, NaN winning (a NaN logit makes every statistic NaN).
            var peak = VectorMath.load(x + base, count: width)
            for c in 1..<Swift.max(size, 1) {
                let row = VectorMath.load(x + base + c * inner, count: width)
                peak = VectorMath.select(row, where: (row .> peak) .| (row .!= row), else: peak)
            }
            let reference = VectorMath.select(peak, where: (peak - peak) .== 0, else: SIMD16(repeating: 0))
            var sums = SIMD16<Float>(repeating: 0), weighted = SIMD16<Float>(repeating: 0)
            let zero = SIMD16<Float>(repeating: 0)
            for c in 0..<size {
                let shifted = VectorMath.load(x + base + c * inner, count: width) - reference
                let e = VectorMath.exp(shifted)
                sums += e
                weighted += e * VectorMath.select(shifted, where: e .> zero, else: zero)
            }
            VectorMath.store(peak, max + position, count: width)
            var lse = SIMD16<Float>(), h = SIMD16<Float>()
            for l in 0..<width {
                let logS = Foundation.log(sums[l])
                lse[l] = logS + reference[l]
                h[l] = logS - weighted[l] / sums[l]
            }
            VectorMath.store(lse, logSumExp + position, count: width)
            VectorMath.store(h, entropy + position, count: width)
        }
    }
}
