/// One point of a down-sampled ROC or precision-recall curve.
public struct CurvePoint: Sendable, Codable, Equatable {
    /// FPR (ROC) or recall (PR).
    public var x: Double
    /// TPR (ROC) or precision (PR).
    public var y: Double
    /// The score threshold: pixels scoring ≥ it are called anomalous.
    public var threshold: Float
}

/// Pixel-level anomaly-detection results over a set of pixels (anomaly = positive class).
///
/// Definitions (all exact; equal scores form one threshold, as in scikit-learn):
/// - ``auroc``: area under the ROC curve by the trapezoid rule = `roc_auc_score`.
/// - ``averagePrecision``: `Σ (Rᵢ − Rᵢ₋₁)·Pᵢ` over thresholds = `average_precision_score`.
/// - ``fpr``: the outlier-exposure literature's FPR at the recall level, as the official
///   RPL and PEBAL evaluation computes it (`fpr_and_fdr_at_recall`): among the distinct
///   thresholds, up to the first reaching full recall, the one whose recall is *nearest*
///   the level (ties → the lower threshold; a sentinel point of recall 1 and 0 false
///   positives wins only when strictly nearer), its false positives over all negatives.
///   **The tables use this one**, as the papers do.
/// - ``fprStrict``: the stricter reading of `roc_curve`: the FPR of the first threshold
///   (from the top) whose TPR reaches the level, i.e. the lowest FPR with TPR ≥ level.
/// - ``fprInterpolated``: the rule of SML's evaluation code, `np.interp(level, tpr, fpr)`
///   on `roc_curve`: linear interpolation between the last ROC point with TPR ≤ level and
///   the next one (a point exactly at the level gives its FPR; the last such point when
///   several are).
public struct PixelMetrics: Sendable, Codable, Equatable {
    /// Area under the ROC curve.
    public var auroc: Double
    /// Average precision (area under the precision-recall curve), anomalies positive.
    public var averagePrecision: Double
    /// The recall (TPR) level of the FPR figures, e.g. 0.95.
    public var recallLevel: Double
    /// FPR at the level, nearest-recall rule (the published tables' definition).
    public var fpr: Double
    /// The threshold the nearest-recall rule picked; nil when its sentinel point won.
    public var fprThreshold: Float?
    /// FPR at the first threshold with TPR ≥ level.
    public var fprStrict: Double
    /// That threshold.
    public var fprStrictThreshold: Float
    /// FPR at the level, linearly interpolated along the ROC curve (SML's rule).
    public var fprInterpolated: Double
    /// The highest pixel F1 over thresholds (SMIYC picks its component threshold here).
    public var bestF1: Double
    /// The threshold of ``bestF1``.
    public var bestF1Threshold: Float
    /// Anomaly pixels.
    public var positives: UInt64
    /// Inlier pixels.
    public var negatives: UInt64
    /// Distinct score values (thresholds).
    public var thresholdCount: Int
    /// The ROC curve, down-sampled, from (0, 0) to (1, 1).
    public var roc: [CurvePoint]
    /// The precision-recall curve, down-sampled, by decreasing threshold.
    public var precisionRecall: [CurvePoint]
}
