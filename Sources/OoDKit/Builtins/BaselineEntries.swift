/// `{type: colour_rarity, bins: 16, pseudo_count: 1, smoothing: {kernel: 7, sigma: 1}}`.
public struct ColourRarityConfig: RecipeConfig {
    /// Levels per channel.
    public var bins: Int
    /// Laplace pseudo-count per colour.
    public var pseudoCount: Double
    /// A blur of the score map (none by default).
    public var smoothing: GaussianSmoothing?

    enum CodingKeys: String, CodingKey { case bins, pseudoCount = "pseudo_count", smoothing }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        bins = try c.value(.bins, default: 16)
        pseudoCount = try c.value(.pseudoCount, default: 1)
        smoothing = try c.decodeIfPresent(GaussianSmoothing.self, forKey: .smoothing)
    }

    public func validate() throws {
        guard (2...64).contains(bins) else { throw ConfigError(key: "bins", "must be from 2 to 64, got \(bins)") }
        guard pseudoCount > 0, pseudoCount.isFinite else {
            throw ConfigError(key: "pseudo_count", "must be positive, got \(pseudoCount)")
        }
    }
}

extension CorePlugin {
    static func registerBaselines(into registry: inout Registry) throws {
        try registry.baselines.register("colour_rarity", summary: "-log frequency of the pixel's quantised colour in data.train",
                                        config: ColourRarityConfig.self) { c, _ in
            ColourRarityScore(bins: c.bins, pseudoCount: c.pseudoCount, smoothing: c.smoothing)
        }
    }
}
