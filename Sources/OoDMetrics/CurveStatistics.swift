/// Walks a histogram's thresholds once, from the highest score down, accumulating every
/// pixel-level metric of ``PixelMetrics``.
enum CurveStatistics {
    static func compute(_ histogram: ScoreHistogram, recallLevel: Double, curvePoints: Int) throws -> PixelMetrics {
        let (positives, negatives) = (histogram.positives, histogram.negatives)
        guard positives > 0 else { throw MetricsError.noPositives }
        guard negatives > 0 else { throw MetricsError.noNegatives }
        let p = Double(positives), n = Double(negatives)
        var tp: UInt64 = 0, fp: UInt64 = 0
        var aurocTwice: UInt128 = 0            // Σ ΔFP·(TPᵢ₋₁ + TPᵢ), exact
        var ap = KahanSum()
        // Nearest-recall FPR (fpr_and_fdr_at_recall).
        var nearestDistance = Double.infinity, nearestFP: UInt64 = 0, nearestThreshold: Float?
        var reachedFullRecall = false
        var strict: (fp: UInt64, threshold: Float)?
        // Linear interpolation along the ROC curve (SML's np.interp(level, tpr, fpr)): the last
        // point with TPR ≤ level, then the first above it.
        var below = (fpr: 0.0, tpr: 0.0), interpolated: Double?
        var best: (f1: Double, threshold: Float) = (-1, 0)
        var thresholds = 0
        var roc = [CurvePoint(x: 0, y: 0, threshold: .infinity)], pr: [CurvePoint] = []
        let step = 1 / Double(max(1, curvePoints))
        var nextRocMark = step, nextPrMark = step
        try histogram.forEachDescending { key, inliers, anomalies in
            let threshold = ScoreKey.score(key)
            let previousTP = tp
            tp += anomalies
            fp += inliers
            thresholds += 1
            aurocTwice += UInt128(inliers) * UInt128(previousTP + tp)
            let precision = Double(tp) / Double(tp + fp), recall = Double(tp) / p
            ap.add(Double(anomalies) / p * precision)
            if !reachedFullRecall {
                let distance = abs(recall - recallLevel)
                if distance <= nearestDistance { (nearestDistance, nearestFP, nearestThreshold) = (distance, fp, threshold) }
                reachedFullRecall = tp == positives
            }
            if strict == nil && recall >= recallLevel { strict = (fp, threshold) }
            if interpolated == nil {
                if recall <= recallLevel {
                    below = (Double(fp) / n, recall)
                } else {
                    interpolated = below.tpr == recallLevel ? below.fpr
                        : below.fpr + (recallLevel - below.tpr) * (Double(fp) / n - below.fpr) / (recall - below.tpr)
                }
            }
            let f1 = 2 * Double(tp) / (Double(tp) + p + Double(fp))
            if f1 > best.f1 { best = (f1, threshold) }
            let fpr = Double(fp) / n
            if fpr + recall >= nextRocMark || tp + fp == positives + negatives {
                roc.append(CurvePoint(x: fpr, y: recall, threshold: threshold))
                nextRocMark = (fpr + recall) + step
            }
            if recall >= nextPrMark || tp == positives && pr.last?.x != 1 {
                pr.append(CurvePoint(x: recall, y: precision, threshold: threshold))
                nextPrMark = recall + step
            }
        }
        // The sentinel (recall 1, no false positives) is last, so it wins only when strictly nearer.
        if abs(1 - recallLevel) < nearestDistance { (nearestFP, nearestThreshold) = (0, nil) }
        let strictPoint = strict ?? (fp, ScoreKey.score(0))
        return PixelMetrics(
            auroc: Double(aurocTwice) / (2 * p * n), averagePrecision: ap.value, recallLevel: recallLevel,
            fpr: Double(nearestFP) / n, fprThreshold: nearestThreshold,
            fprStrict: Double(strictPoint.fp) / n, fprStrictThreshold: strictPoint.threshold,
            fprInterpolated: interpolated ?? below.fpr,
            bestF1: best.f1, bestF1Threshold: best.threshold, positives: positives, negatives: negatives,
            thresholdCount: thresholds, roc: roc, precisionRecall: pr)
    }
}

/// Compensated (Kahan–Babuška) summation: the sum of many small terms to within a few ulps.
struct KahanSum {
    private var sum = 0.0, compensation = 0.0

    mutating func add(_ value: Double) {
        let t = sum + value
        if abs(sum) >= abs(value) { compensation += (sum - t) + value } else { compensation += (value - t) + sum }
        sum = t
    }

    var value: Double { sum + compensation }
}
