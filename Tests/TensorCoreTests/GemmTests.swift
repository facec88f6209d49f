import Testing
@testable import TensorCore

@Suite("Gemm's pieces")
struct GemmTests {
    /// A product's shape and the pieces the rule gives it.
    struct Case: Sendable, CustomStringConvertible {
        let m: Int, n: Int, pieces: Int
        var description: String { "\(m)×\(n)" }
    }

    @Test("the columns keep the panel cut; the rows are cut further until the pieces are a multiple of 4 (else even), while they keep 64 rows",
          arguments: [Case(m: 128, n: 512, pieces: 2), Case(m: 256, n: 4608, pieces: 20), Case(m: 4608, n: 512, pieces: 36),
                      Case(m: 512, n: 2048, pieces: 4), Case(m: 100, n: 700, pieces: 1), Case(m: 2048, n: 2048, pieces: 8)])
    func grid(_ shape: Case) {
        let (rows, columns) = Gemm.grid(m: shape.m, n: shape.n)
        let rowPieces = (shape.m + rows - 1) / rows, columnPieces = (shape.n + columns - 1) / columns
        if shape.m >= shape.n {
            #expect(columnPieces == 1 && rows <= Gemm.rowPanel)
        } else {
            let panels = (shape.n + Gemm.columnPanel - 1) / Gemm.columnPanel
            #expect(columns == max(16, ((shape.n + panels - 1) / panels + 15) / 16 * 16), "the columns' cut as before")
        }
        #expect(rows % 16 == 0 && columns % 16 == 0 && rows >= Gemm.smallestRows || rowPieces == 1)
        #expect(rowPieces * columnPieces == shape.pieces, "\(rowPieces) × \(columnPieces) pieces of \(rows) × \(columns)")
    }

    @Test("a product cut into pieces equals the whole call to rounding, for both transpositions, run on the workers or on the caller")
    func piecesEqualWholeCall() {
        var rng = SeededGenerator(seed: 9)
        let (m, n, k) = (200, 600, 96)
        let a = Tensor.normal([m, k], using: &rng), b = Tensor.normal([n, k], using: &rng)
        var whole = [Float](repeating: 0, count: m * n), split = whole, serial = whole
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                Gemm.call(false, true, m, n, k, 1, a.baseAddress!, k, b.baseAddress!, k, 0, &whole, n)
                Gemm.sgemm(transB: true, m: m, n: n, k: k, a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: k, c: &split, ldc: n)
                Gemm.sgemm(transB: true, m: m, n: n, k: k, a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: k, c: &serial, ldc: n,
                           onWorkers: false)
            }
        }
        #expect(zip(whole, split).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($0)) })
        #expect(split == serial, "the same pieces on the caller give the same values")
    }
}
