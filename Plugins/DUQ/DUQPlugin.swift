import OoDKit

/// DUQ for segmentation (van Amersfoort et al., ICML 2020; the seed slides): the `duq` RBF
/// head on the frozen segmenter's decoder features, trained with `duq.bce` plus λ ×
/// `duq.gradient_penalty`; its centroids follow the training pixels by moving average.
/// Score `1 − max_c K_c` (the head's own).
public enum DUQPlugin: Plugin {
    public static func register(into registry: inout Registry) throws {
        try registry.heads.register("duq", summary: "per-pixel RBF head, K_c = exp(-‖W_c f − e_c‖²/(2Eσ²)), EMA centroids; score 1 − max K",
                                    config: DUQConfig.self) { config, context in
            let segmenter = try context.segmenter(for: "head 'duq'", features: [config.features])
            let info = try segmenter.featureInfo.info(config.features, for: "head 'duq'")
            return DUQHead(config, classes: segmenter.numClasses, channels: info.channels, using: &context.rng)
        }
        try registry.losses.register("duq.bce", summary: "DUQ's binary cross-entropy of every class kernel against the one-hot label",
                                     config: EmptyConfig.self) { _, _ in DUQBinaryCrossEntropy() }
        try registry.losses.register("duq.gradient_penalty", summary: "DUQ's two-sided penalty (‖∂ΣK/∂f‖² − 1)² on the head's input features",
                                     config: GradientPenaltyConfig.self) { c, _ in GradientPenalty(norm: c.norm) }
    }
}
