import CVectorMath

/// The exponential and the logarithm in vector lanes (`CVectorMath`: AVX-512 or AVX2 chosen
/// from CPUID), equal bit for bit to libm's `expf` and `logf` on every input, so kernels that
/// use them give the values the scalar loops gave.
extension VectorMath {
    /// `dst[i] = e^src[i]` for `i < count` (`dst` may be `src`).
    @inline(__always)
    static func exp(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        pxo_expf(src, dst, count)
    }

    /// `dst[i] = log src[i]` for `i < count` (`dst` may be `src`).
    @inline(__always)
    static func log(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        pxo_logf(src, dst, count)
    }

    /// log x per lane.
    @inline(__always)
    static func log(_ x: SIMD16<Float>) -> SIMD16<Float> {
        var lanes = x
        withUnsafeMutablePointer(to: &lanes) { block in
            block.withMemoryRebound(to: Float.self, capacity: 16) { pxo_logf($0, $0, 16) }
        }
        return lanes
    }
}
