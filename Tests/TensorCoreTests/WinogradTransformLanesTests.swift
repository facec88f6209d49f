import CConvKernels
import Testing
import TensorCore

/// Winograd's data transforms in C (`CConvKernels`) against their scalar definitions, written
/// here in Swift as the kernels had them before: the same bits on every instruction set this
/// CPU runs, for tile counts around every vector width.
@Suite("Winograd transforms in AVX-512 / AVX2 lanes")
struct WinogradTransformLanesTests {
    static let tileCounts = [1, 3, 4, 5, 8, 15, 16, 17, 31, 33, 64, 70]

    /// The instruction sets to compare: the baseline and each wider one this CPU has.
    var instructionSets: [pxo_conv_isa] {
        [PXO_CONV_ISA_BASELINE, PXO_CONV_ISA_AVX2, PXO_CONV_ISA_AVX512].filter { $0.rawValue <= pxo_conv_isa_best().rawValue }
    }

    static func bt(_ a: Float, _ b: Float, _ c: Float, _ d: Float, _ e: Float, _ f: Float) -> [Float] {
        [4 * a - 5 * c + e, (d + e) - 4 * (b + c), (e - d) + 4 * (b - c), (e - c) + 2 * (d - b), (e - c) + 2 * (b - d), 4 * b - 5 * d + f]
    }

    static func at(_ a: Float, _ b: Float, _ c: Float, _ d: Float, _ e: Float, _ f: Float) -> [Float] {
        let p1 = b + c, n1 = b - c, p2 = d + e, n2 = d - e
        return [a + p1 + p2, n1 + 2 * n2, p1 + 4 * p2, n1 + 8 * n2 + f]
    }

    static func a(_ a: Float, _ b: Float, _ c: Float, _ d: Float) -> [Float] {
        let even1 = a + c, odd1 = b + d, even2 = a + 4 * c, odd2 = 2 * b + 8 * d
        return [a, even1 + odd1, even1 - odd1, even2 + odd2, even2 - odd2, d]
    }

    static func random(_ count: Int, _ rng: inout SeededGenerator) -> [Float] {
        (0..<count).map { _ in Float.random(in: -3...3, using: &rng) * Float(1 << Int.random(in: 0...12, using: &rng)) }
    }

    static func same(_ x: [Float], _ y: [Float]) -> Bool { x.map(\.bitPattern) == y.map(\.bitPattern) }

    @Test("input tiles: Bᵀ down the six rows, then across each tile's six columns", arguments: tileCounts)
    func inputTiles(tiles: Int) {
        var rng = SeededGenerator(seed: UInt64(tiles))
        let lane = 4 * tiles + 7, plane = tiles + 3
        let lines = Self.random(6 * lane, &rng)
        var expected = [Float](repeating: 0, count: 36 * plane)
        for k in 0..<tiles {
            // Down first: s_i at each of the tile's six columns p = 4k … 4k + 5, then Bᵀ across them.
            let down = (0..<6).map { p in
                Self.bt(lines[4 * k + p], lines[lane + 4 * k + p], lines[2 * lane + 4 * k + p],
                        lines[3 * lane + 4 * k + p], lines[4 * lane + 4 * k + p], lines[5 * lane + 4 * k + p])
            }
            for i in 0..<6 {
                let across = Self.bt(down[0][i], down[1][i], down[2][i], down[3][i], down[4][i], down[5][i])
                for j in 0..<6 { expected[(6 * i + j) * plane + k] = across[j] }
            }
        }
        for isa in instructionSets {
            var scratch = [Float](repeating: 0, count: 6 * lane), out = [Float](repeating: 0, count: 36 * plane)
            pxo_winograd_input_tiles(isa, lines, lane, tiles, &scratch, &out, plane)
            #expect(Self.same(out, expected), "instruction set \(isa.rawValue)")
        }
    }

    @Test("output tiles: Aᵀ down the six product rows, then across, four rows of four a tile", arguments: tileCounts)
    func outputTiles(tiles: Int) {
        var rng = SeededGenerator(seed: 100 + UInt64(tiles))
        let plane = tiles + 5, stride = tiles + 2, rowStride = 4 * tiles + 1
        let m = Self.random(36 * plane, &rng)
        var expected = [Float](repeating: 0, count: 4 * rowStride)
        for k in 0..<tiles {
            let down = (0..<6).map { l in (0..<6).map { i in m[(6 * i + l) * plane + k] } }.map { Self.at($0[0], $0[1], $0[2], $0[3], $0[4], $0[5]) }
            for r in 0..<4 {
                let row = Self.at(down[0][r], down[1][r], down[2][r], down[3][r], down[4][r], down[5][r])
                for j in 0..<4 { expected[r * rowStride + 4 * k + j] = row[j] }
            }
        }
        for isa in instructionSets {
            var scratch = [Float](repeating: 0, count: 24 * stride), rows = [Float](repeating: 0, count: 4 * rowStride)
            pxo_winograd_output_tiles(isa, m, plane, tiles, &scratch, stride, &rows, rowStride)
            #expect(Self.same(rows, expected), "instruction set \(isa.rawValue)")
        }
    }

    @Test("output-gradient tiles: A down the four rows, then across each tile's four columns", arguments: tileCounts)
    func gradientTiles(tiles: Int) {
        var rng = SeededGenerator(seed: 200 + UInt64(tiles))
        let lane = 4 * tiles + 3, plane = tiles + 1
        let lines = Self.random(4 * lane, &rng)
        var expected = [Float](repeating: 0, count: 36 * plane)
        for k in 0..<tiles {
            let down = (0..<4).map { p in Self.a(lines[4 * k + p], lines[lane + 4 * k + p], lines[2 * lane + 4 * k + p], lines[3 * lane + 4 * k + p]) }
            for i in 0..<6 {
                let across = Self.a(down[0][i], down[1][i], down[2][i], down[3][i])
                for j in 0..<6 { expected[(6 * i + j) * plane + k] = across[j] }
            }
        }
        for isa in instructionSets {
            var scratch = [Float](repeating: 0, count: 6 * lane), out = [Float](repeating: 0, count: 36 * plane)
            pxo_winograd_gradient_tiles(isa, lines, lane, tiles, &scratch, &out, plane)
            #expect(Self.same(out, expected), "instruction set \(isa.rawValue)")
        }
    }
}
