/// `{smoothing: {kernel: 7, sigma: 1}}` plus each score's own keys: the logit scores' config.
public struct LogitScoreConfig: RecipeConfig {
    /// A blur of the score map (none by default).
    public var smoothing: GaussianSmoothing?
    /// Energy's temperature (energy only).
    public var temperature: Float?
    /// Divide entropy by log K (entropy only).
    public var normalized: Bool?

    enum CodingKeys: String, CodingKey { case smoothing, temperature, normalized }

    /// Decodes the keys `score` takes: `temperature` only for energy, `normalized` only for
    /// entropy (so a key meant for another score is an unknown key).
    static func decoder(for score: String) -> @Sendable (any Decoder) throws -> LogitScoreConfig {
        { decoder in
            let c = try decoder.container(keyedBy: CodingKeys.self)
            var config = LogitScoreConfig(smoothing: try c.decodeIfPresent(GaussianSmoothing.self, forKey: .smoothing))
            if score == "energy" { config.temperature = try c.value(.temperature, default: 1) }
            if score == "entropy" { config.normalized = try c.value(.normalized, default: false) }
            return config
        }
    }

    init(smoothing: GaussianSmoothing?) { self.smoothing = smoothing }

    public init(from decoder: any Decoder) throws {
        self = try Self.decoder(for: "")(decoder)
    }

    public func validate() throws {
        if let temperature, !(temperature > 0) { throw ConfigError(key: "temperature", "must be positive, got \(temperature)") }
    }
}

/// Energy's config: smoothing and temperature.
public struct EnergyScoreConfig: RecipeConfig {
    /// The logit-score keys.
    public var base: LogitScoreConfig
    public init(from decoder: any Decoder) throws { base = try LogitScoreConfig.decoder(for: "energy")(decoder) }
    public func validate() throws { try base.validate() }
}

/// Entropy's config: smoothing and normalisation.
public struct EntropyScoreConfig: RecipeConfig {
    /// The logit-score keys.
    public var base: LogitScoreConfig
    public init(from decoder: any Decoder) throws { base = try LogitScoreConfig.decoder(for: "entropy")(decoder) }
    public func validate() throws { try base.validate() }
}

extension CorePlugin {
    static func registerScores(into registry: inout Registry) throws {
        try registry.scores.register("max_softmax", summary: "1 - max softmax probability (MSP)",
                                     config: LogitScoreConfig.self) { c, _ in MaxSoftmaxScore(smoothing: c.smoothing) }
        try registry.scores.register("max_logit", summary: "- max logit",
                                     config: LogitScoreConfig.self) { c, _ in MaxLogitScore(smoothing: c.smoothing) }
        try registry.scores.register("entropy", summary: "softmax entropy, optionally / log K",
                                     config: EntropyScoreConfig.self) { c, _ in
            EntropyScore(normalized: c.base.normalized ?? false, smoothing: c.base.smoothing)
        }
        try registry.scores.register("energy", summary: "free energy -T logsumexp(logits / T) (RPL, PEBAL)",
                                     config: EnergyScoreConfig.self) { c, _ in
            EnergyScore(temperature: c.base.temperature ?? 1, smoothing: c.base.smoothing)
        }
    }
}
