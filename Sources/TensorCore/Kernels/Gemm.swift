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

    /// C[m,n] = alpha * op(A) * op(B) + beta * C, with leading dimensions in elements.
    ///
    /// The larger of `m` and `n` is cut into equal pieces (multiples of 16 rows or columns, so
    /// OpenBLAS's micro-kernels stay full) of at most ``rowPanel`` rows or ``columnPanel``
    /// columns, spread over the workers; each piece is an independent product writing its own
    /// part of C. The pieces depend on the shape alone, never on the number of workers: OpenBLAS's
    /// Haswell and Zen kernels round an element differently in differently shaped calls, so a
    /// cut by workers would make the numbers depend on the thread count. (SkylakeX's kernels give
    /// the same bits for pieces this large, not for pieces of 16 columns: smaller pieces, for a
    /// better balance over the workers, would change every recorded number made on that core.)
    /// With `onWorkers` false the same pieces run one after another on the calling thread (for
    /// callers that already spread their own work over the workers): the same values.
    static func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                      alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                      b: UnsafePointer<Float>, ldb: Int,
                      beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, onWorkers: Bool = true) {
        guard m > 0, n > 0 else { return }
        guard m * n * k >= splitThreshold else {
            call(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            return
        }
        let splitRows = m >= n
        let extent = splitRows ? m : n, panel = splitRows ? rowPanel : columnPanel
        let pieces = (extent + panel - 1) / panel
        let block = max(16, ((extent + pieces - 1) / pieces + 15) / 16 * 16)
        let blocks = (extent + block - 1) / block
        parallelFor(blocks, grain: onWorkers ? 1 : blocks) { range in
            for index in range {
                let start = index * block, size = min(block, extent - start)
                if splitRows {
                    // Rows of op(A): rows of A, or columns of A when transposed.
                    call(transA, transB, size, n, k, alpha, a + (transA ? start : start * lda), lda, b, ldb,
                         beta, c + start * ldc, ldc)
                } else {
                    // Columns of op(B): columns of B, or rows of B when transposed.
                    call(transA, transB, m, size, k, alpha, a, lda, b + (transB ? start * ldb : start), ldb,
                         beta, c + start, ldc)
                }
            }
        }
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
