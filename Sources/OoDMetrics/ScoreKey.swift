/// Order-preserving 32-bit keys of Float32 scores: `a < b ⇔ key(a) < key(b)` for all
/// non-NaN floats, with −0 and +0 sharing one key (they compare equal). Exact: every
/// float32 has its own key, so equal keys are exactly tied scores.
enum ScoreKey {
    /// The key of a non-NaN score.
    @inline(__always)
    static func key(_ score: Float) -> UInt32 {
        let bits = (score == 0 ? Float(0) : score).bitPattern
        return bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
    }

    /// The score of a key.
    @inline(__always)
    static func score(_ key: UInt32) -> Float {
        Float(bitPattern: key & 0x8000_0000 != 0 ? key & 0x7FFF_FFFF : ~key)
    }
}
