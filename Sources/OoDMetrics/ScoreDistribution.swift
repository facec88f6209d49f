/// The pooled scores of inlier and anomaly pixels as two histograms over the same
/// equal-width bins: the picture of how far a score separates them (RPL's Figure 5, the
/// energy of inliers against outliers).
public struct ScoreDistribution: Sendable, Codable, Equatable {
    /// The smallest and largest finite score: the first bin's lower and the last bin's upper edge.
    public var low: Float, high: Float
    /// Inlier pixels per bin (−∞ counts in the first bin, +∞ in the last).
    public var inliers: [UInt64]
    /// Anomaly pixels per bin.
    public var anomalies: [UInt64]

    /// A distribution of `inliers.count` bins over `low...high` (`anomalies` as many).
    public init(low: Float, high: Float, inliers: [UInt64], anomalies: [UInt64]) {
        (self.low, self.high, self.inliers, self.anomalies) = (low, high, inliers, anomalies)
    }

    /// The bin of `score` among `count` bins over `low...high`.
    static func bin(_ score: Float, low: Float, high: Float, count: Int) -> Int {
        guard high > low else { return 0 }
        let position = (Double(score) - Double(low)) / (Double(high) - Double(low)) * Double(count)
        return Int(Swift.min(Swift.max(position, 0), Double(count - 1)).rounded(.down))  // ±∞ into the end bins
    }
}

extension AnomalyEvaluation {
    /// The pooled inlier and anomaly scores in `bins` equal-width bins between the smallest
    /// and largest finite score (one bin when all are equal); nil before any evaluated pixel
    /// or when no score is finite.
    /// - Throws: ``MetricsError/invalidArgument(_:)`` for `bins` below 1;
    ///   ``MetricsError/spill(path:reason:)`` when a spilled file cannot be read.
    public func distribution(bins: Int = 50) throws -> ScoreDistribution? {
        guard bins >= 1 else { throw MetricsError.invalidArgument("bins must be at least 1, got \(bins)") }
        var low = Float.infinity, high = -Float.infinity
        try pooled.forEachDescending { key, _, _ in
            let score = ScoreKey.score(key)
            if score.isFinite { (low, high) = (Swift.min(low, score), Swift.max(high, score)) }
        }
        guard low <= high else { return nil }
        let count = high > low ? bins : 1
        var inliers = [UInt64](repeating: 0, count: count), anomalies = inliers
        try pooled.forEachDescending { key, negatives, positives in
            let bin = ScoreDistribution.bin(ScoreKey.score(key), low: low, high: high, count: count)
            inliers[bin] += negatives
            anomalies[bin] += positives
        }
        return ScoreDistribution(low: low, high: high, inliers: inliers, anomalies: anomalies)
    }
}
