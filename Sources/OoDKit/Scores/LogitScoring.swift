import Foundation
import TensorCore

/// Several logit scores of one forward, sharing one ``SoftmaxStatistics`` pass among those
/// that can read it (the four core scores; energy only at temperature 1); the others see
/// the logits. Same values as each score alone, to float rounding. Inference only: the
/// statistics carry no gradient.
public struct LogitScoring: Sendable {
    /// The scores, in order.
    public let scores: [any AnomalyScore]

    /// Scores in the order given.
    public init(_ scores: [any AnomalyScore]) { self.scores = scores }

    /// Each score's `[N, H, W]` map of `[N, K, H, W]` logits.
    public func callAsFunction(logits: Tensor) -> [Tensor] {
        var statistics: SoftmaxStatistics?
        return scores.map { score in
            if let fused = score as? any SoftmaxStatisticsScore {
                if statistics == nil { statistics = logits.softmaxStatistics(axis: 1) }
                if let statistics, let map = fused.score(statistics: statistics, classes: logits.shape[1]) { return map }
            }
            return score.score(logits: logits)
        }
    }
}

extension MaxSoftmaxScore: SoftmaxStatisticsScore {
    public func score(statistics: SoftmaxStatistics, classes: Int) -> Tensor? {
        smoothed(1 - statistics.maxProbability, smoothing)
    }
}

extension MaxLogitScore: SoftmaxStatisticsScore {
    public func score(statistics: SoftmaxStatistics, classes: Int) -> Tensor? { smoothed(-statistics.max, smoothing) }
}

extension EntropyScore: SoftmaxStatisticsScore {
    public func score(statistics: SoftmaxStatistics, classes: Int) -> Tensor? {
        let entropy = normalized && classes > 1 ? statistics.entropy / Float(Foundation.log(Double(classes))) : statistics.entropy
        return smoothed(entropy, smoothing)
    }
}

extension EnergyScore: SoftmaxStatisticsScore {
    public func score(statistics: SoftmaxStatistics, classes: Int) -> Tensor? {
        temperature == 1 ? smoothed(-statistics.logSumExp, smoothing) : nil
    }
}
