import CBLAS

/// Single-precision GEMM through OpenBLAS (loaded by ``BLAS``), row-major, split across
/// PixelOoD's workers: OpenBLAS runs single-threaded inside each piece (see ``BLAS``).
enum Gemm {
    /// Below this many multiply-adds a product runs as one call on the calling thread.
    static let splitThreshold = 1 << 21
    /// Most columns per call when splitting by columns: keeps OpenBLAS's packed panel of B in
    /// cache (1024 measured best of 1024/2048/4096 on the conv benchmarks).
    static let columnPanel = 1024
    /// Most rows per call when splitting by rows (each call packs all of B once).
    static let rowPanel = 256

    /// Fewest rows a piece gets when rows are cut for balance.
    static let smallestRows = 64

    /// C[m,n] = alpha * op(A) * op(B) + beta * C, with leading dimensions in elements.
    ///
    /// The larger of `m` and `n` is cut into equal pieces (multiples of 16 rows or columns, so
    /// OpenBLAS's micro-kernels stay full) of at most ``rowPanel`` rows or ``columnPanel``
    /// columns, and the rows further (``grid(m:n:)``) until the pieces are a multiple of 4, so
    /// 2 or 4 workers get equal shares and a product within one panel still runs on several;
    /// each piece is an independent product writing its own part of C, spread over the workers.
    /// The pieces depend on the shape alone, never on the number of workers: OpenBLAS's Haswell
    /// and Zen kernels round an element differently in differently shaped calls, so a cut by
    /// workers would make the numbers depend on the thread count. SkylakeX's kernels give the
    /// whole call's bits for any cut of the rows (measured through `cblas_sgemm`), but not for
    /// every cut of the columns (a 64×520×1152 product in 128-column pieces differs), so the
    /// columns keep the panel cut every recorded number was made with. With `onWorkers` false
    /// the same pieces run one after another on the calling thread (for callers that already
    /// spread their own work over the workers): the same values.
    static func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                      alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                      b: UnsafePointer<Float>, ldb: Int,
                      beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, onWorkers: Bool = true) {
        guard m > 0, n > 0 else { return }
        guard m * n * k >= splitThreshold else {
            call(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            return
        }
        let (rowBlock, columnBlock) = grid(m: m, n: n)
        let rowBlocks = (m + rowBlock - 1) / rowBlock, columnBlocks = (n + columnBlock - 1) / columnBlock
        let pieces = rowBlocks * columnBlocks
        parallelFor(pieces, grain: onWorkers ? 1 : pieces) { range in
            for index in range {
                let row = (index / columnBlocks) * rowBlock, column = (index % columnBlocks) * columnBlock
                let rows = min(rowBlock, m - row), columns = min(columnBlock, n - column)
                // Rows of op(A): rows of A, or columns of A when transposed; columns of op(B):
                // columns of B, or rows of B when transposed.
                call(transA, transB, rows, columns, k, alpha, a + (transA ? row : row * lda), lda,
                     b + (transB ? column * ldb : column), ldb, beta, c + row * ldc + column, ldc)
            }
        }
    }

    /// The rows and columns of each piece of an `m × n` product: the larger extent cut into
    /// panels as before (equal, multiples of 16, at most ``rowPanel`` rows or ``columnPanel``
    /// columns), then the rows into 4 or 2 times as many pieces (4 for an odd count, 2 for an even
    /// one) where the count is not a multiple of 4 and the pieces keep ``smallestRows`` rows.
    static func grid(m: Int, n: Int) -> (rows: Int, columns: Int) {
        func block(_ extent: Int, _ pieces: Int) -> Int { max(16, ((extent + pieces - 1) / pieces + 15) / 16 * 16) }
        let splitRows = m >= n
        let columnPieces = splitRows ? 1 : (n + columnPanel - 1) / columnPanel
        var rowPieces = splitRows ? (m + rowPanel - 1) / rowPanel : 1
        let pieces = rowPieces * columnPieces
        let factors = pieces % 4 == 0 ? [] : pieces % 2 == 0 ? [2] : [4, 2]
        for factor in factors where m / (rowPieces * factor) >= smallestRows {
            rowPieces *= factor
            break
        }
        return (block(m, rowPieces), block(n, columnPieces))
    }

    /// One OpenBLAS call on the calling thread (for callers that parallelise around it).
    @inline(__always)
    static func call(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                             _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                             _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        if k == 0 {
            for row in 0..<m { for col in 0..<n { c[row * ldc + col] = beta == 0 ? 0 : c[row * ldc + col] * beta } }
            return
        }
        pxo_sgemm(transA ? Int32(PXO_TRANS) : Int32(PXO_NO_TRANS), transB ? Int32(PXO_TRANS) : Int32(PXO_NO_TRANS),
                  Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
