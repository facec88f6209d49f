/// A deterministic stream of synthetic (score, label) pixels for benchmarks and tests,
/// identical to `generated()` in `scripts/fixtures/metrics.py` (splitmix64 over the pixel
/// index), so Swift and scikit-learn can score the same 10⁷-10⁸ pixels without storing them.
public enum SyntheticPixels {
    /// Pixel `i`: score = top 24 bits / 2²⁴ (+0.3 for anomalies), Float32; label 1 where the
    /// low byte is below 26 (≈10%), else 255 where the next byte is below 13 (≈5%), else 0.
    public static func pixel(_ i: UInt64) -> (score: Float, label: UInt8) {
        var z = (i &+ 1) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let label: UInt8 = z & 0xFF < 26 ? 1 : ((z >> 8) & 0xFF < 13 ? 255 : 0)
        let score = Float(z >> 40) * 0x1p-24
        return (label == 1 ? score + 0.3 : score, label)
    }
}
