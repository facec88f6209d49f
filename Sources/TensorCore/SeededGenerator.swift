import Foundation

/// A seeded pseudo-random generator (xoshiro256**), owned and passed `inout` by the caller.
///
/// There is no global random state in PixelOoD: every random choice draws from a
/// generator created from a seed in the recipe, so the same seed gives the same numbers.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// Creates a generator whose sequence is fully determined by `seed`.
    public init(seed: UInt64) {
        var s = seed
        func splitMix() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.state.0 == b.state.0 && a.state.1 == b.state.1 && a.state.2 == b.state.2 && a.state.3 == b.state.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(state.0); hasher.combine(state.1); hasher.combine(state.2); hasher.combine(state.3)
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = ((state.1 &* 5) << 7 | (state.1 &* 5) >> 57) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = (state.3 << 45) | (state.3 >> 19)
        return result
    }

    /// A uniform Float in [0, 1) with 24 random bits.
    public mutating func nextUniform() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// A uniform integer in `range` (modulo draw: the bias is below 2⁻³² for ranges under 2³²).
    public mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }

    /// True with probability `p`.
    public mutating func chance(_ p: Float) -> Bool { nextUniform() < p }

    /// A standard normal sample (Box–Muller).
    public mutating func nextNormal() -> Float {
        let u1 = Swift.max(Double(next() >> 11) * 0x1p-53, .leastNonzeroMagnitude)
        let u2 = Double(next() >> 11) * 0x1p-53
        return Float((-2 * Foundation.log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// A generator derived from this one's seed and a stream index, for per-item determinism
    /// (e.g. (seed, epoch, index) in a loader) independent of how work is scheduled.
    public func derived(_ stream: UInt64) -> SeededGenerator {
        var copy = self
        return SeededGenerator(seed: copy.next() ^ (stream &* 0x9E37_79B9_7F4A_7C15))
    }
}

extension Tensor {
    /// Uniform samples in `[low, high)`. PyTorch: `torch.empty(shape).uniform_(low, high)`.
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1,
                               using rng: inout SeededGenerator) -> Tensor {
        let storage = TensorStorage(uninitializedCount: Shape.count(shape))
        for i in 0..<storage.count { storage.pointer[i] = low + (high - low) * rng.nextUniform() }
        return Tensor(shape: shape, storage: storage)
    }

    /// Normal samples. PyTorch: `torch.randn(shape) * std + mean`.
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1,
                              using rng: inout SeededGenerator) -> Tensor {
        let storage = TensorStorage(uninitializedCount: Shape.count(shape))
        for i in 0..<storage.count { storage.pointer[i] = mean + std * rng.nextNormal() }
        return Tensor(shape: shape, storage: storage)
    }

    /// Kaiming-normal init for a weight whose fan-in is the product of all but the first axis.
    /// PyTorch: `nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="relu")`.
    public static func kaimingNormal(_ shape: [Int], gain: Float = Float(2).squareRoot(),
                                     using rng: inout SeededGenerator) -> Tensor {
        let fanIn = Swift.max(1, Shape.count(Array(shape.dropFirst())))
        return normal(shape, std: gain / Float(fanIn).squareRoot(), using: &rng)
    }

    /// Kaiming-uniform with a = sqrt(5): PyTorch's default init for Conv2d and Linear weights.
    public static func kaimingUniform(_ shape: [Int], using rng: inout SeededGenerator) -> Tensor {
        let fanIn = Swift.max(1, Shape.count(Array(shape.dropFirst())))
        let bound = (1 / Float(fanIn)).squareRoot()
        return uniform(shape, low: -bound, high: bound, using: &rng)
    }
}
