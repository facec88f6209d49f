import CBLAS

/// Single-precision GEMM through OpenBLAS (loaded by ``BLAS``), row-major.
enum Gemm {
    /// C[m,n] = alpha * op(A) * op(B) + beta * C, with leading dimensions in elements.
    @inline(__always)
    static func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                      alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                      b: UnsafePointer<Float>, ldb: Int,
                      beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            for row in 0..<m { for col in 0..<n { c[row * ldc + col] *= beta } }
            return
        }
        pxo_sgemm(transA ? Int32(PXO_TRANS) : Int32(PXO_NO_TRANS), transB ? Int32(PXO_TRANS) : Int32(PXO_NO_TRANS),
                  Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}

/// The BLAS library in use: loading, kernel core and threads.
public enum BLAS {
    /// Loads OpenBLAS, choosing its kernel core from CPUID unless `OPENBLAS_CORETYPE` is set.
    /// - Throws: ``BLASError/unavailable(_:)`` when the library cannot be loaded.
    public static func load() throws {
        if pxo_blas_load() != 0 {
            throw BLASError.unavailable(pxo_blas_error().map { String(cString: $0) } ?? "unknown error")
        }
    }

    /// `openblas_get_corename()`: the kernel family in use (e.g. "SkylakeX", "Haswell", "Prescott").
    public static var coreName: String { String(cString: pxo_blas_corename()) }

    /// The core PixelOoD asked for from CPUID, or nil when the user's `OPENBLAS_CORETYPE`
    /// or OpenBLAS's own detection was used.
    public static var chosenCore: String? { pxo_blas_chosen_core().map { String(cString: $0) } }

    /// `openblas_get_config()`.
    public static var config: String { String(cString: pxo_blas_config()) }

    /// Threads OpenBLAS uses.
    public static var threads: Int {
        get { Int(pxo_blas_num_threads()) }
    }

    /// Sets the number of OpenBLAS threads. PyTorch: `torch.set_num_threads`.
    public static func setThreads(_ n: Int) { pxo_blas_set_num_threads(Int32(n)) }
}

/// Failure to load the BLAS library.
public enum BLASError: Error, CustomStringConvertible {
    case unavailable(String)
    public var description: String {
        switch self { case .unavailable(let why): return why }
    }
}
