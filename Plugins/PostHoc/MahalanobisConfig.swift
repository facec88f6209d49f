import OoDKit

/// `{type: mahalanobis, features: decoder, ridge: 1.0e-6}`.
public struct MahalanobisConfig: RecipeConfig {
    /// The segmenter map whose pixels the Gaussians model: `decoder` (the decoder input,
    /// `dec0`), or any other ``ModelZoo/Segmenter/featureInfo`` name (`out`, `context`).
    public var features: String
    /// Added to the covariance's diagonal, relative to its mean diagonal entry, so channels
    /// that never fire (dead ReLUs) leave it invertible.
    public var ridge: Double

    enum CodingKeys: String, CodingKey { case features, ridge }

    /// The decoder input and a 1e-6 ridge unless given.
    public init(features: String = "decoder", ridge: Double = 1e-6) { (self.features, self.ridge) = (features, ridge) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(features: try c.value(.features, default: "decoder"), ridge: try c.value(.ridge, default: 1e-6))
    }

    public func validate() throws {
        guard !features.isEmpty else { throw ConfigError(key: "features", "must name a segmenter map") }
        guard ridge >= 0, ridge < 1 else { throw ConfigError(key: "ridge", "must be in [0, 1), got \(ridge)") }
    }
}
