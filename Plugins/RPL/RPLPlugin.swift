import OoDKit

/// Residual Pattern Learning with Context-robust Contrastive Learning (Liu et al., ICCV
/// 2023): the `rpl` head and its loss terms.
public enum RPLPlugin: Plugin {
    public static func register(into registry: inout Registry) throws {
        try registry.heads.register("rpl", summary: "RPL residual block on the frozen segmenter (ASPP copy, dec0 + residual)",
                                    config: RPLHeadConfig.self) { config, context in
            let segmenter = try context.segmenter(for: "head 'rpl'", features: RPLHead.features)
            let score = try context.registry.scores.build(config.score.node, context)
            return try RPLHead(config, segmenter: segmenter, score: score, using: &context.rng)
        }
        try registry.losses.register("rpl.inlier", summary: "pseudo-label CE on the frozen argmax + entropy dissimilarity (inlier pixels)",
                                     config: RPLInlierConfig.self) { config, _ in
            RPLInlierLoss(temperature: config.temperature, dissimilarity: config.dissimilarity)
        }
        try registry.losses.register("rpl.positive_energy", summary: "mean relu(logsumexp) on pasted outlier pixels (weight 0.05)",
                                     config: EmptyConfig.self) { _, _ in RPLPositiveEnergyLoss() }
        try registry.losses.register("corocl", summary: "context-robust contrastive loss on the projector embeddings (crops + context images, τ 0.1)",
                                     config: CoroCLConfig.self) { c, _ in
            CoroCLLoss(temperature: c.temperature, maxViews: c.maxViews, anchors: c.anchors, contrast: c.contrast)
        }
    }
}
