import TensorCore

/// Convenience draws on the caller's seeded generator for scene synthesis.
extension SeededGenerator {
    /// Uniform in [low, high).
    mutating func uniform(_ low: Float, _ high: Float) -> Float { low + (high - low) * nextUniform() }
    /// A colour near `base`, each channel jittered by up to `spread`.
    mutating func jitter(_ base: Color, _ spread: Float) -> Color {
        simd_clamp01(base + Color(uniform(-spread, spread), uniform(-spread, spread), uniform(-spread, spread)))
    }
    /// One element of `items`.
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
}
