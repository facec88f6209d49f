/// A deterministic stream of synthetic (score, label) pixels for benchmarks and tests,
/// identical to `generated()` in `scripts/fixtures/metrics.py` (splitmix64 over the pixel
/// index), so Swift and scikit-learn can score the same 10⁷-10⁸ pixels without storing them.
public enum SyntheticPixels {
    /// Pixel `i`: score = top 24 bits / 2²⁴ (+0.3 for anomalies), Float32; label 1 where the
    /// low byte is below 26 (≈10%), else 255 where the next byte is below 13 (≈5%), else 0.
    public static func pixel(_ i: UInt64) -> (score: Float, label: UInt8) {
        let z = mix(i)
        let label: UInt8 = z & 0xFF < 26 ? 1 : ((z >> 8) & 0xFF < 13 ? 255 : 0)
        let score = Float(z >> 40) * 0x1p-24
        return (label == 1 ? score + 0.3 : score, label)
    }

    /// The most pixels ``distinctPixel(_:)`` numbers.
    public static let distinctPixels = 1 << 30

    /// Pixel `i` (below ``distinctPixels``) of a stream whose scores are all distinct: the
    /// index permuted within 30 bits (a bijection) names a positive float32 (from the
    /// smallest normal up, below 4), so n pixels have n distinct scores, in shuffled order;
    /// anomalies (label 1) are 5% of the lowest scores rising to 17.5% of the highest, void
    /// (255) about 5%. The worst case for exact metrics' memory; not mirrored in Python.
    public static func distinctPixel(_ i: UInt64) -> (score: Float, label: UInt8) {
        let mask: UInt64 = (1 << 30) - 1
        var k = (i &* 0x9E37_79B1) & mask
        k ^= k >> 15
        k = (k &* 0x85EB_CA77) & mask
        let z = mix(i)
        let label: UInt8 = z & 0xFF < 13 + (k >> 25) ? 1 : ((z >> 8) & 0xFF < 13 ? 255 : 0)
        return (Float(bitPattern: 0x0080_0000 + UInt32(k)), label)
    }

    /// splitmix64's output function at `i + 1`.
    private static func mix(_ i: UInt64) -> UInt64 {
        var z = (i &+ 1) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
