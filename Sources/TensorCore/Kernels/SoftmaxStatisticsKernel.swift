import Foundation

/// One pass pair over class logits viewed as `[outer, size, inner]` (classes in the middle):
/// per position the maximum `m`, `S = Σ exp(l − m)` and `T = Σ exp(l − m)·(l − m)`, from
/// which the maximum softmax probability (`1/S`), logsumexp (`m + log S`) and entropy
/// (`log S − T/S`) follow. The scores of the logits need nothing else, so four scores cost
/// two reads of the logits instead of a softmax, a log-softmax and a logsumexp each.
enum SoftmaxStatisticsKernel {
    /// Writes `max`, `logSumExp` and `entropy`, each `[outer, inner]`.
    static func run(_ x: UnsafePointer<Float>, outer: Int, size: Int, inner: Int,
                    max: UnsafeMutablePointer<Float>, logSumExp: UnsafeMutablePointer<Float>,
                    entropy: UnsafeMutablePointer<Float>) {
        let tile = 1024
        let tilesPerRow = (inner + tile - 1) / tile
        parallelFor(outer * tilesPerRow, grain: Swift.max(1, 16_384 / Swift.max(1, size * tile))) { range in
            var sums = [Float](repeating: 0, count: tile), weighted = [Float](repeating: 0, count: tile)
            for job in range {
                let o = job / tilesPerRow, i0 = (job % tilesPerRow) * tile, count = Swift.min(tile, inner - i0)
                let base = x + o * size * inner + i0
                let peak = max + o * inner + i0
                for i in 0..<count { peak[i] = base[i] }
                for c in 1..<Swift.max(size, 1) {
                    let row = base + c * inner
                    for i in 0..<count where row[i] > peak[i] || row[i].isNaN { peak[i] = row[i] }
                }
                for i in 0..<count { sums[i] = 0; weighted[i] = 0 }
                for c in 0..<size {
                    let row = base + c * inner
                    for i in 0..<count {
                        let shifted = row[i] - (peak[i].isFinite ? peak[i] : 0)
                        let e = Foundation.exp(shifted)
                        sums[i] += e
                        weighted[i] += e * (e > 0 ? shifted : 0)
                    }
                }
                let lse = logSumExp + o * inner + i0, h = entropy + o * inner + i0
                for i in 0..<count {
                    let logS = Foundation.log(sums[i])
                    lse[i] = logS + (peak[i].isFinite ? peak[i] : 0)
                    h[i] = logS - weighted[i] / sums[i]
                }
            }
        }
    }
}
