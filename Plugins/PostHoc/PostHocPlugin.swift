import OoDKit

/// Training-free OoD heads fitted on the training split under the frozen segmenter
/// (`trains: fit`): Standardized Max Logits (`sml`) and class-conditional Mahalanobis
/// distance (`mahalanobis`).
public enum PostHocPlugin: Plugin {
    public static func register(into registry: inout Registry) throws {
        try registry.heads.register("sml", summary: "standardized max logit with boundary suppression and dilated smoothing (fitted: trains: fit)",
                                    config: SMLConfig.self) { config, context in
            let segmenter = try context.segmenter(for: "head 'sml'")
            return SMLHead(config, classes: segmenter.numClasses)
        }
        try registry.heads.register("mahalanobis", summary: "smallest Mahalanobis distance to class Gaussians on decoder features (fitted: trains: fit)",
                                    config: MahalanobisConfig.self) { config, context in
            let segmenter = try context.segmenter(for: "head 'mahalanobis'", features: [config.features])
            let info = try segmenter.featureInfo.info(config.features, for: "head 'mahalanobis'")
            return MahalanobisHead(config, classes: segmenter.numClasses, channels: info.channels)
        }
    }
}
