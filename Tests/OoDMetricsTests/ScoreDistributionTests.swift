import Testing
import OoDMetrics

@Suite("Score distributions (the inlier/anomaly histogram of a report)")
struct ScoreDistributionTests {
    @Test("pooled bins equal a direct count over every evaluated pixel; void skipped, infinities in the end bins")
    func matchesDirectCount() throws {
        var state: UInt64 = 3
        func next(_ n: Int) -> Int { state = state &* 6364136223846793005 &+ 1442695040888963407; return Int(state >> 33) % n }
        var evaluation = try AnomalyEvaluation()
        var all: [(Float, UInt8)] = []
        for _ in 0..<4 {
            var scores: [Float] = [], labels: [UInt8] = []
            for _ in 0..<500 {
                let label: UInt8 = [0, 0, 0, 1, 255][next(5)]
                let score = Float(next(1000)) / 100 + (label == 1 ? 3 : 0)
                scores.append(score)
                labels.append(label)
            }
            scores[0] = -.infinity; labels[0] = 0
            scores[1] = .infinity; labels[1] = 1
            try evaluation.add(scores: scores, labels: labels)
            all += zip(scores, labels).filter { $0.1 <= 1 }
        }
        let distribution = try #require(try evaluation.distribution(bins: 7))
        let finite = all.map(\.0).filter(\.isFinite)
        #expect(distribution.low == finite.min() && distribution.high == finite.max())
        var inliers = [UInt64](repeating: 0, count: 7), anomalies = inliers
        for (score, label) in all {
            let width = (Double(distribution.high) - Double(distribution.low)) / 7
            let bin = score == -.infinity ? 0 : score == .infinity ? 6 : min(6, Int(((Double(score) - Double(distribution.low)) / width).rounded(.down)))
            if label == 1 { anomalies[bin] += 1 } else { inliers[bin] += 1 }
        }
        #expect(distribution.inliers == inliers && distribution.anomalies == anomalies)
        #expect(distribution.inliers.reduce(0, +) + distribution.anomalies.reduce(0, +) == UInt64(all.count))
    }

    @Test("empty, constant and bad inputs: nil, one bin, a typed error")
    func edgeCases() throws {
        var evaluation = try AnomalyEvaluation()
        #expect(try evaluation.distribution() == nil)
        try evaluation.add(scores: [2, 2, 2], labels: [0, 1, 0])
        #expect(try evaluation.distribution() == ScoreDistribution(low: 2, high: 2, inliers: [2], anomalies: [1]))
        #expect(throws: MetricsError.self) { try evaluation.distribution(bins: 0) }
    }
}
