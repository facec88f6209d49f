import CChannelKernels

/// Per-channel kernels over [N, C, plane] buffers.
enum ChannelKernels {
    /// A convolution's output finished in place in one pass: `y = (y + bias[c]) + residual`,
    /// then `clamp` (each step only where given: the values of the separate bias, add and
    /// activation ops).
    static func epilogue(_ y: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?,
                         clamp: ClampF?, batch: Int, channels: Int, plane: Int) {
        guard bias != nil || residual != nil || clamp != nil else { return }
        parallelFor(batch * channels, grain: max(1, 32_768 / max(plane, 1))) { range in
            for nc in range {
                let p = y + nc * plane
                switch (bias.map { $0[nc % channels] }, residual.map { $0 + nc * plane }, clamp) {
                case let (b?, r?, c?): for i in 0..<plane { p[i] = c((p[i] + b) + r[i]) }
                case let (b?, r?, nil): for i in 0..<plane { p[i] = (p[i] + b) + r[i] }
                case let (b?, nil, c?): for i in 0..<plane { p[i] = c(p[i] + b) }
                case let (b?, nil, nil): for i in 0..<plane { p[i] += b }
                case let (nil, r?, c?): for i in 0..<plane { p[i] = c(p[i] + r[i]) }
                case let (nil, r?, nil): for i in 0..<plane { p[i] += r[i] }
                case let (nil, nil, c?): for i in 0..<plane { p[i] = c(p[i]) }
                case (nil, nil, nil): break
                }
            }
        }
    }

    /// `y = (x · scale[c] + shift[c]) + residual`, then `clamp` (residual and clamp only where
    /// given), in one pass: the values of the separate batch-norm, add and activation ops. `y`
    /// may be `x` (a convolution's output finished in place).
    static func normalizingEpilogue(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, scale: [Float], shift: [Float],
                                    residual: UnsafePointer<Float>?, clamp: ClampF?, batch: Int, channels: Int, plane: Int) {
        parallelFor(batch * channels, grain: max(1, 32_768 / max(plane, 1))) { range in
            for nc in range {
                let s = x + nc * plane, p = y + nc * plane, a = scale[nc % channels], b = shift[nc % channels]
                switch (residual.map { $0 + nc * plane }, clamp) {
                case let (r?, c?): for i in 0..<plane { p[i] = c((s[i] * a + b) + r[i]) }
                case let (r?, nil): for i in 0..<plane { p[i] = (s[i] * a + b) + r[i] }
                case let (nil, c?): for i in 0..<plane { p[i] = c(s[i] * a + b) }
                case (nil, nil): for i in 0..<plane { p[i] = s[i] * a + b }
                }
            }
        }
    }

    /// Per-channel mean and biased variance over batch and plane (two passes, Double sums).
    static func meanVariance(_ x: UnsafePointer<Float>, batch: Int, channels: Int, plane: Int)
        -> (mean: [Float], variance: [Float]) {
        let n = Double(max(1, batch * plane))
        let mean = sums(x, batch: batch, channels: channels, plane: plane).map { Float($0 / n) }
        let variance = centredSquares(x, mean: mean, batch: batch, channels: channels, plane: plane).map { Float($0 / n) }
        return (mean, variance)
    }

    /// Per-channel Σx over batch and plane (Float partials per plane, Double across them).
    static func sums(_ x: UnsafePointer<Float>, batch: Int, channels: Int, plane: Int) -> [Double] {
        perChannel(channels, batch: batch, plane: plane) { first, count in
            var total = SIMD8<Double>()
            for b in 0..<batch {
                total += SIMD8<Double>(ChannelLanes.sum(PXO_SUM_X, x: x + b * channels * plane, first: first, count: count, plane: plane).a)
            }
            return total
        }
    }

    /// Per-channel Σ(x − mean)² over batch and plane (Float partials per plane, Double across them).
    static func centredSquares(_ x: UnsafePointer<Float>, mean: [Float], batch: Int, channels: Int, plane: Int) -> [Double] {
        perChannel(channels, batch: batch, plane: plane) { first, count in
            let mu = ChannelLanes.values(mean, first: first, count: count)
            var squares = SIMD8<Double>()
            for b in 0..<batch {
                let partial = ChannelLanes.sum(PXO_SUM_CENTRED, x: x + b * channels * plane, mean: mu, first: first, count: count, plane: plane)
                squares += SIMD8<Double>(partial.a)
            }
            return squares
        }
    }

    /// `value(first, count)` (channels `first ..< first + count` in its first lanes) for every
    /// group of channels, the groups split over the workers.
    private static func perChannel(_ channels: Int, batch: Int, plane: Int,
                                   _ value: (_ first: Int, _ count: Int) -> SIMD8<Double>) -> [Double] {
        var out = [Double](repeating: 0, count: channels)
        out.withUnsafeMutableBufferPointer { o in
            let o = o.baseAddress!
            ChannelLanes.forEachGroup(channels: channels, batch: batch, plane: plane) { first, count in
                ChannelLanes.store(value(first, count), count: count, into: o, at: first)
            }
        }
        return out
    }
}
