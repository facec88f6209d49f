import OoDKit

/// `{type: rpl, score: {type: energy, smoothing: {kernel: 7, sigma: 1.0}}, copy_context: true, channels: 256}`.
public struct RPLHeadConfig: RecipeConfig {
    /// The anomaly score of the head's logits: RPL's blurred energy unless given.
    public var score: RecipeNode
    /// Initialise the residual block's ASPP and bottleneck by copying the segmenter's
    /// (`aspp.*`, `bot_aspp.weight`), as RPL does; segmenters without them (LDN-121) start
    /// from Kaiming initialisation either way.
    public var copyContext: Bool
    /// Branch width of the residual block when nothing is copied (when copying, the
    /// segmenter's ASPP width).
    public var channels: Int

    /// RPL's score.
    public static let defaultScore = "{type: energy, smoothing: {kernel: 7, sigma: 1.0}}"

    enum CodingKeys: String, CodingKey { case score, copyContext = "copy_context", channels }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        score = try c.decodeIfPresent(RecipeNode.self, forKey: .score) ?? RecipeNode(yaml: Self.defaultScore, file: "<rpl default score>")
        copyContext = try c.value(.copyContext, default: true)
        channels = try c.value(.channels, default: 256)
    }

    public func validate() throws {
        guard (1...4096).contains(channels) else { throw ConfigError(key: "channels", "must be from 1 to 4096, got \(channels)") }
    }

    public func checkNested(in registry: Registry) throws { try registry.scores.check(score, registry: registry) }
}
