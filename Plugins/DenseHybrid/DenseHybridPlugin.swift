import OoDKit

/// DenseHybrid's head (`densehybrid`): the 2-way `logits_ood` of its released LDN-121
/// checkpoints and their hybrid score, so a converted release (`--source densehybrid`)
/// evaluates as released. Its training loss is not here.
public enum DenseHybridPlugin: Plugin {
    public static func register(into registry: inout Registry) throws {
        try registry.heads.register("densehybrid", summary: "DenseHybrid's 2-way logits_ood on dec0; score log p(outlier) − logsumexp(logits)",
                                    config: DenseHybridConfig.self) { config, context in
            let segmenter = try context.segmenter(for: "head 'densehybrid'", features: ["decoder"])
            let info = try segmenter.featureInfo.info("decoder", for: "head 'densehybrid'")
            return DenseHybridHead(config, channels: info.channels, using: &context.rng)
        }
    }
}
