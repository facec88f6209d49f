import OoDKit

/// Meta-OoD (Chan, Rottmann and Gottschalk, ICCV 2021): the segmenter retrained with
/// outlier exposure and entropy maximisation on the outlier pixels (`meta_ood`, λ = 0.9);
/// its anomaly score is the normalised softmax entropy (`{type: entropy, normalized: true}`).
public enum MetaOoDPlugin: Plugin {
    public static func register(into registry: inout Registry) throws {
        try registry.losses.register("meta_ood", summary: "soft-target CE: (1-λ)·onehot on inliers, λ/K on pasted outliers (λ 0.9), mean over pixel×class",
                                     config: MetaOoDConfig.self) { c, _ in
            MetaOoDLoss(lambda: c.lambda, logits: c.logits, outlierImages: c.outlierImages)
        }
    }
}
