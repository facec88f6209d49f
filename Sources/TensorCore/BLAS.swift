import CBLAS

/// The BLAS library in use: loading and kernel core.
///
/// OpenBLAS is loaded at run time (`dlopen`) after `OPENBLAS_CORETYPE` is set from CPUID
/// (AVX-512 → SkylakeX, AVX2+FMA → Haswell), because Debian's OpenBLAS 0.3.21 does not
/// recognise recent AVX-512 CPUs and silently falls back to its slow Prescott kernels. A
/// value the user set wins. OpenBLAS runs single-threaded per call: PixelOoD splits each
/// product across its own workers (``parallelFor(_:grain:_:)``), so no OpenBLAS thread
/// busy-waits on a core the next kernel needs.
public enum BLAS {
    /// Loads OpenBLAS (once), choosing its kernel core from CPUID unless `OPENBLAS_CORETYPE` is set.
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

    /// `openblas_get_config()`: the build configuration.
    public static var config: String { String(cString: pxo_blas_config()) }

    /// Threads of one OpenBLAS call (1: PixelOoD parallelises around it).
    public static var threadsPerCall: Int { Int(pxo_blas_num_threads()) }

    /// Workers PixelOoD's kernels split work across (the available cores, or `PIXELOOD_THREADS`).
    public static var workers: Int { parallelWorkers }
}

/// Failure to load the BLAS library.
public enum BLASError: Error, CustomStringConvertible {
    /// The library could not be loaded; the message says why and what to install.
    case unavailable(String)
    public var description: String {
        switch self { case .unavailable(let why): return why }
    }
}
