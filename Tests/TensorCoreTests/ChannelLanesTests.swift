import CChannelKernels
import Testing
@testable import TensorCore

/// The per-channel reductions run eight channels side by side; each channel must get exactly
/// the result of a lone scalar loop in the same order (batch norm's numbers may not move).
@Suite("Per-channel reductions, eight channels side by side")
struct ChannelLanesTests {
    private struct Case { let batch, channels, plane: Int }
    private let cases = [Case(batch: 3, channels: 11, plane: 37), Case(batch: 1, channels: 3, plane: 1000),
                         Case(batch: 2, channels: 16, plane: 5), Case(batch: 4, channels: 1, plane: 64)]

    private func values(_ count: Int, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float.random(in: -1...1, using: &rng) }
    }

    /// A lone scalar loop per channel: Float partial per plane of `term(x, g)`, Double across planes.
    private func scalarSums(_ c: Case, _ x: [Float], _ g: [Float], _ term: (Float, Float) -> Float) -> [Double] {
        (0..<c.channels).map { ch in
            var total: Double = 0
            for b in 0..<c.batch {
                let off = (b * c.channels + ch) * c.plane
                var partial: Float = 0
                for i in 0..<c.plane { partial += term(x[off + i], g[off + i]) }
                total += Double(partial)
            }
            return total
        }
    }

    @Test("sums, centred squares and batch norm's gradient sums equal a lone scalar loop per channel, bit for bit")
    func channelSumsAreTheScalarLoopsBitForBit() {
        for (n, c) in cases.enumerated() {
            let size = c.batch * c.channels * c.plane
            let x = values(size, seed: UInt64(n)), g = values(size, seed: UInt64(n) + 100)
            let mean = (0..<c.channels).map { Float($0) * 0.01 - 0.03 }
            #expect(ChannelKernels.sums(x, batch: c.batch, channels: c.channels, plane: c.plane) == scalarSums(c, x, g) { x, _ in x })
            let squares = ChannelKernels.centredSquares(x, mean: mean, batch: c.batch, channels: c.channels, plane: c.plane)
            for ch in 0..<c.channels {
                let expected = scalarSums(c, x, g) { x, _ in (x - mean[ch]) * (x - mean[ch]) }[ch]
                #expect(squares[ch] == expected, "channel \(ch) of \(c)")
            }
            let stats = BatchNormKernels.gradStats(x: x, g: g, mean: mean, batch: c.batch, channels: c.channels, plane: c.plane)
            #expect(stats.sumG == scalarSums(c, x, g) { _, g in g }.map(Float.init))
            for ch in 0..<c.channels {
                let expected = Float(scalarSums(c, x, g) { x, g in g * (x - mean[ch]) }[ch])
                #expect(stats.sumGCentered[ch] == expected, "channel \(ch) of \(c)")
            }
        }
    }

    @Test("gated gradient sums (ReLU's and ReLU6's masks read from the output) equal the lone loop over the masked gradient, and the scalar path equals the vector one for every sum")
    func gatedSumsAndBothPaths() {
        for (n, c) in cases.enumerated() {
            let size = c.batch * c.channels * c.plane
            let x = values(size, seed: UInt64(n) + 7), g = values(size, seed: UInt64(n) + 107)
            let y = values(size, seed: UInt64(n) + 207).map { $0 * 8 }  // some at or past 6, some at or below 0
            let mean = (0..<c.channels).map { Float($0) * 0.02 - 0.05 }
            for mask in [InsideStrictF(low: 0, high: .infinity), InsideStrictF(low: 0, high: 6)] {
                let gated = zip(g, y).map { mask($1) != 0 ? $0 : 0 }
                let stats = y.withUnsafeBufferPointer { y in
                    BatchNormKernels.gradStats(x: x, g: g, gate: ChannelLanes.Gate(output: y.baseAddress!, mask: mask), mean: mean,
                                               batch: c.batch, channels: c.channels, plane: c.plane)
                }
                #expect(stats.sumG == scalarSums(c, x, gated) { _, g in g }.map(Float.init), "\(c), mask \(mask)")
                for ch in 0..<c.channels {
                    #expect(stats.sumGCentered[ch] == Float(scalarSums(c, x, gated) { x, g in g * (x - mean[ch]) }[ch]))
                }
            }
            for kind in [PXO_SUM_X, PXO_SUM_CENTRED, PXO_SUM_GRADIENT] {
                for first in stride(from: 0, to: c.channels, by: ChannelLanes.width) {
                    let count = min(ChannelLanes.width, c.channels - first), mu = ChannelLanes.values(mean, first: first, count: count)
                    let both = [true, false].map { vectors in
                        y.withUnsafeBufferPointer { y in
                            ChannelLanes.sum(kind, x: x, g: g, gate: ChannelLanes.Gate(output: y.baseAddress!, mask: InsideStrictF(low: 0, high: 6)),
                                             mean: mu, first: first, count: count, plane: c.plane, vectors: vectors)
                        }
                    }
                    #expect(both[0].a == both[1].a && (kind != PXO_SUM_GRADIENT || both[0].b == both[1].b), "kind \(kind.rawValue), \(c)")
                }
            }
        }
    }
}
