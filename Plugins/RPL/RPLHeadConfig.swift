import OoDKit

/// `{type: rpl, score: {type: energy, smoothing: {kernel: 7, sigma: 1.0}}, copy_context: true, channels: 256, projector_channels: 304}`.
public struct RPLHeadConfig: RecipeConfig {
    /// The anomaly score of the head's logits: RPL's blurred energy unless given.
    public var score: NestedNode<ScoreCatalog>
    /// Initialise the residual block's ASPP and bottleneck by copying the segmenter's
    /// (`aspp.*`, `bot_aspp.weight`), as RPL does; segmenters without them (LDN-121) start
    /// from Kaiming initialisation either way.
    public var copyContext: Bool
    /// Branch width of the residual block when nothing is copied (when copying, the
    /// segmenter's ASPP width).
    public var channels: Int
    /// Output width of CoroCL's projector; nil: the decoder input's (`dec0`, 304 channels in
    /// the full-width DeepLabV3+), as RPL's code has it.
    public var projectorChannels: Int?

    /// RPL's score.
    public static let defaultScore = "{type: energy, smoothing: {kernel: 7, sigma: 1.0}}"

    enum CodingKeys: String, CodingKey { case score, copyContext = "copy_context", channels, projectorChannels = "projector_channels" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        score = try c.decodeIfPresent(NestedNode<ScoreCatalog>.self, forKey: .score)
            ?? NestedNode(try RecipeNode(yaml: Self.defaultScore, file: "<rpl default score>"))
        copyContext = try c.value(.copyContext, default: true)
        channels = try c.value(.channels, default: 256)
        projectorChannels = try c.decodeIfPresent(Int.self, forKey: .projectorChannels)
    }

    public func validate() throws {
        guard (1...4096).contains(channels) else { throw ConfigError(key: "channels", "must be from 1 to 4096, got \(channels)") }
        if let projectorChannels, !(1...4096).contains(projectorChannels) {
            throw ConfigError(key: "projector_channels", "must be from 1 to 4096, got \(projectorChannels)")
        }
    }
}
