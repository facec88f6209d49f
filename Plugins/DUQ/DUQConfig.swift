import OoDKit

/// `{type: duq, features: decoder, embedding: 64, length_scale: 0.1, gamma: 0.999, initial_count: 12}`.
public struct DUQConfig: RecipeConfig {
    /// The segmenter map the RBF reads: `decoder` (`dec0`) or another ``ModelZoo/Segmenter/featureInfo`` name.
    public var features: String
    /// The size of each class's embedding and centroid (DUQ's `centroid_size`).
    public var embedding: Int
    /// σ of the kernel (DUQ's `length_scale`).
    public var lengthScale: Float
    /// The centroids' moving-average factor γ.
    public var gamma: Float
    /// The per-class count the centroid averages start from (DUQ's `N` of 12).
    public var initialCount: Float

    enum CodingKeys: String, CodingKey { case features, embedding, lengthScale = "length_scale", gamma, initialCount = "initial_count" }

    /// DUQ's settings on the decoder input unless given.
    public init(features: String = "decoder", embedding: Int = 64, lengthScale: Float = 0.1, gamma: Float = 0.999, initialCount: Float = 12) {
        (self.features, self.embedding, self.lengthScale, self.gamma, self.initialCount) = (features, embedding, lengthScale, gamma, initialCount)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(features: try c.value(.features, default: "decoder"), embedding: try c.value(.embedding, default: 64),
                  lengthScale: try c.value(.lengthScale, default: 0.1), gamma: try c.value(.gamma, default: 0.999),
                  initialCount: try c.value(.initialCount, default: 12))
    }

    public func validate() throws {
        guard !features.isEmpty else { throw ConfigError(key: "features", "must name a segmenter map") }
        guard (1...4096).contains(embedding) else { throw ConfigError(key: "embedding", "must be 1 to 4096, got \(embedding)") }
        guard lengthScale > 0, lengthScale.isFinite else { throw ConfigError(key: "length_scale", "must be positive, got \(lengthScale)") }
        guard gamma >= 0, gamma < 1 else { throw ConfigError(key: "gamma", "must be in [0, 1), got \(gamma)") }
        guard initialCount > 0, initialCount.isFinite else { throw ConfigError(key: "initial_count", "must be positive, got \(initialCount)") }
    }
}
