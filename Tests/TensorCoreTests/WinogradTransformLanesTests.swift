import CConvKernels
import Testing
import TensorCore

/// Winograd's data transforms in C (`CConvKernels`) against their scalar definitions, written
/// here in Swift as the kernels had them before: the same bits on every instruction set this
/// CPU runs, for tile counts around every vector width, undilated and in groups of `d` tiles
/// (column dilation `d`: tile `t = k·d + b` starts at column `4dk + b`, its columns `d` apart).
@Suite("Winograd transforms in AVX-512 / AVX2 lanes")
struct WinogradTransformLanesTests {
    static let tileCounts = [1, 3, 4, 5, 8, 15, 16, 17, 31, 33, 64, 70]

    /// Tile counts and column dilations: every count undilated, then groups of 2, 4, 8 (the
    /// kernels' unrolled widths) and others, full and with a shorter last group.
    static let layouts: [(tiles: Int, dilation: Int)] = tileCounts.map { ($0, 1) }
        + [(2, 2), (3, 2), (16, 2), (17, 2), (4, 4), (16, 4), (18, 4), (8, 8), (40, 8), (37, 8), (24, 12), (31, 12), (5, 36)]

    /// The first column tile `t` reads at column dilation `d`.
    static func firstColumn(_ t: Int, _ d: Int) -> Int { 4 * d * (t / d) + t % d }

    /// The floats of a line the tiles read: `d` per column step over their groups, plus `extra` steps.
    static func span(_ tiles: Int, _ d: Int, extra: Int) -> Int { d * (4 * ((tiles + d - 1) / d) + extra) }

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

    @Test("input tiles: Bᵀ down the six rows, then across each tile's six columns", arguments: layouts)
    func inputTiles(tiles: Int, dilation d: Int) {
        var rng = SeededGenerator(seed: UInt64(tiles * 100 + d))
        let lane = Self.span(tiles, d, extra: 2) + 5, plane = tiles + 3
        let lines = Self.random(6 * lane, &rng)
        var expected = [Float](repeating: 0, count: 36 * plane)
        for t in 0..<tiles {
            // Down first: s_i at each of the tile's six columns p = first + j·d, then Bᵀ across them.
            let down = (0..<6).map { j in
                let p = Self.firstColumn(t, d) + j * d
                return Self.bt(lines[p], lines[lane + p], lines[2 * lane + p], lines[3 * lane + p], lines[4 * lane + p], lines[5 * lane + p])
            }
            for i in 0..<6 {
                let across = Self.bt(down[0][i], down[1][i], down[2][i], down[3][i], down[4][i], down[5][i])
                for j in 0..<6 { expected[(6 * i + j) * plane + t] = across[j] }
            }
        }
        for isa in instructionSets {
            var scratch = [Float](repeating: 0, count: 6 * lane), out = [Float](repeating: 0, count: 36 * plane)
            pxo_winograd_input_tiles(isa, lines, lane, tiles, d, &scratch, &out, plane)
            #expect(Self.same(out, expected), "instruction set \(isa.rawValue)")
        }
    }

    @Test("output tiles: Aᵀ down the six product rows, then across, four rows of four a tile", arguments: layouts)
    func outputTiles(tiles: Int, dilation d: Int) {
        var rng = SeededGenerator(seed: 100 + UInt64(tiles * 100 + d))
        let plane = tiles + 5, stride = tiles + 2, rowStride = Self.span(tiles, d, extra: 0) + 1
        let m = Self.random(36 * plane, &rng)
        var expected = [Float](repeating: 0, count: 4 * rowStride)
        for t in 0..<tiles {
            let down = (0..<6).map { l in (0..<6).map { i in m[(6 * i + l) * plane + t] } }.map { Self.at($0[0], $0[1], $0[2], $0[3], $0[4], $0[5]) }
            for r in 0..<4 {
                let row = Self.at(down[0][r], down[1][r], down[2][r], down[3][r], down[4][r], down[5][r])
                for j in 0..<4 { expected[r * rowStride + Self.firstColumn(t, d) + j * d] = row[j] }
            }
        }
        for isa in instructionSets {
            var scratch = [Float](repeating: 0, count: 24 * stride), rows = [Float](repeating: 0, count: 4 * rowStride)
            pxo_winograd_output_tiles(isa, m, plane, tiles, d, &scratch, stride, &rows, rowStride)
            #expect(Self.same(rows, expected), "instruction set \(isa.rawValue)")
        }
    }

    @Test("output-gradient tiles: A down the four rows, then across each tile's four columns", arguments: layouts)
    func gradientTiles(tiles: Int, dilation d: Int) {
        var rng = SeededGenerator(seed: 200 + UInt64(tiles * 100 + d))
        let lane = Self.span(tiles, d, extra: 0) + 3, plane = tiles + 1
        let lines = Self.random(4 * lane, &rng)
        var expected = [Float](repeating: 0, count: 36 * plane)
        for t in 0..<tiles {
            let down = (0..<4).map { j in
                let p = Self.firstColumn(t, d) + j * d
                return Self.a(lines[p], lines[lane + p], lines[2 * lane + p], lines[3 * lane + p])
            }
            for i in 0..<6 {
                let across = Self.a(down[0][i], down[1][i], down[2][i], down[3][i])
                for j in 0..<6 { expected[(6 * i + j) * plane + t] = across[j] }
            }
        }
        for isa in instructionSets {
            var scratch = [Float](repeating: 0, count: 6 * lane), out = [Float](repeating: 0, count: 36 * plane)
            pxo_winograd_gradient_tiles(isa, lines, lane, tiles, d, &scratch, &out, plane)
            #expect(Self.same(out, expected), "instruction set \(isa.rawValue)")
        }
    }
}
