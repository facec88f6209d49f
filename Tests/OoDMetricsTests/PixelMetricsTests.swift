import Foundation
import Testing
import HDF5Store
import OoDMetrics
import PixelOoDTestSupport

/// Scores and labels of a fixture group.
func fixtureImage(_ fixture: Fixture, _ group: String) throws -> (scores: [Float], labels: [UInt8]) {
    (try fixture.file.readFloat32(group + "/scores").values, try fixture.file.readUInt8(group + "/labels").values)
}

/// A double attribute of a fixture group.
func attribute(_ fixture: Fixture, _ name: String, _ group: String) throws -> Double {
    switch try fixture.file.attribute(name, on: group) {
    case .double(let v): return v
    case .int(let v): return Double(v)
    default: throw HDF5Error.missing(path: fixture.file.path, name: "\(group)@\(name)")
    }
}

@Suite("Pixel metrics equal scikit-learn's")
struct PixelMetricsTests {
    static let cases = ["random_ties", "continuous", "all_ties", "single_positive", "infinities_and_zeros", "rare_anomalies"]

    @Test("AUROC and AP to 1e-9, FPR95 (nearest and strict) exactly, interpolated to 1e-12, best F1", arguments: cases)
    func matchesScikitLearn(_ name: String) throws {
        let fixture = try Fixture("metrics.h5")
        let group = "/pixel/" + name
        let (scores, labels) = try fixtureImage(fixture, group)
        var evaluation = try AnomalyEvaluation()
        try evaluation.add(scores: scores, labels: labels)
        let report = try evaluation.report()
        #expect(report.aggregation == .pooled)
        #expect(abs(report.auroc - (try attribute(fixture, "auroc", group))) < 1e-9)
        #expect(abs(report.averagePrecision - (try attribute(fixture, "ap", group))) < 1e-9)
        #expect(report.fpr == (try attribute(fixture, "fpr", group)))
        #expect(report.fprStrict == (try attribute(fixture, "fpr_strict", group)))
        #expect(abs(report.fprInterpolated - (try attribute(fixture, "fpr_interp", group))) < 1e-12)
        #expect(abs(report.pooled.bestF1 - (try attribute(fixture, "best_f1", group))) < 1e-12)
        #expect(Double(report.pooled.bestF1Threshold) == (try attribute(fixture, "best_f1_threshold", group)))
    }

    @Test("the mean of per-image results, skipping images without both classes")
    func perImageMean() throws {
        let fixture = try Fixture("metrics.h5")
        var evaluation = try AnomalyEvaluation()
        for image in try fixture.file.children(of: "/per_image") {
            let (scores, labels) = try fixtureImage(fixture, "/per_image/" + image)
            try evaluation.add(scores: scores, labels: labels)
        }
        let report = try evaluation.report(.perImageMean)
        #expect(report.aggregation == .perImageMean && report.imagesUsed == 3 && report.images == 4)
        #expect(evaluation.imagesWithoutBothClasses == 1)
        #expect(abs(report.auroc - (try attribute(fixture, "auroc", "/per_image"))) < 1e-9)
        #expect(abs(report.averagePrecision - (try attribute(fixture, "ap", "/per_image"))) < 1e-9)
        #expect(abs(report.fpr - (try attribute(fixture, "fpr", "/per_image"))) < 1e-12)
        #expect(abs(report.fprStrict - (try attribute(fixture, "fpr_strict", "/per_image"))) < 1e-12)
        #expect(abs(report.fprInterpolated - (try attribute(fixture, "fpr_interp", "/per_image"))) < 1e-12)
        #expect(try evaluation.report(.pooled).auroc != report.auroc, "the two aggregations differ")
    }

    @Test("10⁷ generated pixels, fed as 10 images, match scikit-learn")
    func tenMillionPixels() throws {
        let fixture = try Fixture("metrics.h5")
        #expect(try fixture.file.readFloat32("/generated/first_scores").values == (0..<8).map { SyntheticPixels.pixel($0).score })
        var evaluation = try AnomalyEvaluation()
        for image in 0..<10 {
            let pixels = (0..<1_000_000).map { SyntheticPixels.pixel(UInt64(image * 1_000_000 + $0)) }
            try evaluation.add(scores: pixels.map(\.score), labels: pixels.map(\.label))
        }
        let report = try evaluation.report()
        #expect(abs(report.auroc - (try attribute(fixture, "auroc", "/generated"))) < 1e-9)
        #expect(abs(report.averagePrecision - (try attribute(fixture, "ap", "/generated"))) < 1e-9)
        #expect(report.fpr == (try attribute(fixture, "fpr", "/generated")))
        #expect(report.fprStrict == (try attribute(fixture, "fpr_strict", "/generated")))
        #expect(abs(report.fprInterpolated - (try attribute(fixture, "fpr_interp", "/generated"))) < 1e-12)
    }

    @Test("merging gives the same report in any order")
    func mergeOrder() throws {
        let (scores, labels) = try fixtureImage(try Fixture("metrics.h5"), "/pixel/random_ties")
        var parts: [AnomalyEvaluation] = []
        for range in [0..<7000, 7000..<12000, 12000..<20000] {
            var part = try AnomalyEvaluation()
            try part.add(scores: Array(scores[range]), labels: Array(labels[range]))
            parts.append(part)
        }
        var forward = parts[0], backward = parts[2]
        try forward.merge(parts[1]); try forward.merge(parts[2])
        try backward.merge(parts[0]); try backward.merge(parts[1])
        for aggregation in Aggregation.allCases {
            #expect(try forward.report(aggregation) == backward.report(aggregation))
        }
        var whole = try AnomalyEvaluation()
        try whole.add(scores: scores, labels: labels)
        #expect(try whole.report().pooled == forward.report().pooled)
    }

    @Test("past a tiny memory budget the runs spill to temporary files: reports, distribution and merges equal the in-memory ones bitwise; files go with the evaluation; a truncated file is a named error")
    func spilling() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spill-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // 40 images of 5000 pixels (scores of 24-bit resolution: mostly distinct, some ties).
        let images = (0..<40).map { image in
            (0..<5000).map { SyntheticPixels.pixel(UInt64(image * 5000 + $0)) }
        }
        func evaluation(_ range: Range<Int>, budget: Int?) throws -> AnomalyEvaluation {
            var evaluation = try AnomalyEvaluation(spill: budget.map { SpillPolicy(budgetBytes: $0, directory: directory) })
            for image in images[range] { try evaluation.add(scores: image.map(\.score), labels: image.map(\.label)) }
            return evaluation
        }
        let inMemory = try evaluation(0..<40, budget: nil)
        for budget in [0, 100_000] {  // every image spilled (and compacted past 16 files); some
            let spilled = try evaluation(0..<40, budget: budget)
            #expect(spilled.spillFiles > 0 && spilled.memoryBytes <= max(budget, 5000 * 20), "budget \(budget)")
            for aggregation in Aggregation.allCases {
                #expect(try spilled.report(aggregation) == inMemory.report(aggregation), "budget \(budget), \(aggregation)")
            }
            #expect(try spilled.distribution() == inMemory.distribution())
        }
        var mixed = try evaluation(0..<25, budget: 0)
        try mixed.merge(try evaluation(25..<40, budget: nil))
        var other = try evaluation(25..<40, budget: nil)
        try other.merge(try evaluation(0..<25, budget: 0))
        #expect(try mixed.report() == inMemory.report() && other.report() == inMemory.report())
        #expect(other.spillFiles > 0, "a merge adopts the other's files")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).count == mixed.spillFiles + other.spillFiles,
                "only the files of evaluations still alive remain")

        let broken = try evaluation(0..<3, budget: 0)
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasPrefix("pixelood-scores-") {
            let path = directory + "/" + name
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        }
        do {
            _ = try broken.report()
            Issue.record("a truncated spill file was read without error")
        } catch let error as MetricsError {
            guard case .spill(let path, let reason) = error else { Issue.record("\(error)"); return }
            #expect(path.hasPrefix(directory) && reason.contains("ends after"), "\(error)")
        }
    }

    @Test("an evaluation sent as bytes to another process (a rank of a sharded eval) merges there to the whole's report; malformed bytes are named errors")
    func serialized() throws {
        let images = (0..<12).map { image in (0..<3000).map { SyntheticPixels.pixel(UInt64(image * 3000 + $0)) } }
        func evaluation(_ range: StrideTo<Int>, spill: SpillPolicy? = nil) throws -> AnomalyEvaluation {
            var evaluation = try AnomalyEvaluation(spill: spill)
            for index in range { try evaluation.add(scores: images[index].map(\.score), labels: images[index].map(\.label)) }
            return evaluation
        }
        let whole = try evaluation(stride(from: 0, to: 12, by: 1))
        var merged = try AnomalyEvaluation(serialized: try evaluation(stride(from: 0, to: 12, by: 3)).serialized())
        try merged.merge(try AnomalyEvaluation(serialized: try evaluation(stride(from: 1, to: 12, by: 3), spill: SpillPolicy(budgetBytes: 0)).serialized()))
        try merged.merge(try AnomalyEvaluation(serialized: try evaluation(stride(from: 2, to: 12, by: 3)).serialized(), spill: SpillPolicy(budgetBytes: 0)))
        for aggregation in Aggregation.allCases { #expect(try merged.report(aggregation) == whole.report(aggregation)) }
        #expect(merged.imageCount == 12)
        let empty = try AnomalyEvaluation(serialized: try AnomalyEvaluation().serialized())
        #expect(empty.imageCount == 0 && empty.memoryBytes == 0)

        let bytes = try whole.serialized()
        for broken in [Array(bytes.prefix(bytes.count - 7)), bytes + [0], [0, 1, 2, 3] + bytes.dropFirst(4), []] {
            #expect(throws: MetricsError.self) { _ = try AnomalyEvaluation(serialized: broken) }
        }
    }

    @Test("the distinct-score stream of bench metrics --distinct: n pixels, n distinct finite scores, both classes")
    func distinctStream() {
        let pixels = (0..<200_000).map { SyntheticPixels.distinctPixel(UInt64($0)) }
        #expect(Set(pixels.map(\.score.bitPattern)).count == pixels.count)
        #expect(pixels.allSatisfy { $0.score.isFinite && $0.score > 0 })
        #expect(pixels.contains { $0.label == 1 } && pixels.contains { $0.label == 0 } && pixels.contains { $0.label == 255 })
        #expect(SyntheticPixels.distinctPixel(UInt64(SyntheticPixels.distinctPixels - 1)).score.isFinite)
    }

    @Test("memory does not grow when the same scores are fed again")
    func boundedMemory() throws {
        let (scores, labels) = try fixtureImage(try Fixture("metrics.h5"), "/pixel/continuous")
        var evaluation = try AnomalyEvaluation()
        try evaluation.add(scores: scores, labels: labels)
        let after = evaluation.memoryBytes
        for _ in 0..<20 { try evaluation.add(scores: scores, labels: labels) }
        #expect(evaluation.memoryBytes == after)
    }

    @Test("curves run from (0, 0) to (1, 1), monotone, down-sampled")
    func curves() throws {
        let (scores, labels) = try fixtureImage(try Fixture("metrics.h5"), "/pixel/continuous")
        var evaluation = try AnomalyEvaluation(curvePoints: 50)
        try evaluation.add(scores: scores, labels: labels)
        let metrics = try evaluation.report().pooled
        #expect(metrics.roc.first.map { $0.x == 0 && $0.y == 0 } == true)
        #expect(metrics.roc.last.map { $0.x == 1 && $0.y == 1 } == true)
        #expect(zip(metrics.roc, metrics.roc.dropFirst()).allSatisfy { $0.x <= $1.x && $0.y <= $1.y })
        #expect(metrics.roc.count <= 102 && metrics.precisionRecall.count <= 52)
        #expect(metrics.precisionRecall.last?.x == 1)
    }

    @Test("no anomaly, no inlier, NaN and size mismatches are clear errors")
    func errors() throws {
        var noPositive = try AnomalyEvaluation()
        try noPositive.add(scores: [0.1, 0.2, 0.3], labels: [0, 0, 255])
        #expect(throws: MetricsError.noPositives) { try noPositive.report() }
        var noNegative = try AnomalyEvaluation()
        try noNegative.add(scores: [0.1, 0.2], labels: [1, 1])
        #expect(throws: MetricsError.noNegatives) { try noNegative.report() }
        var evaluation = try AnomalyEvaluation()
        #expect(throws: MetricsError.nanScore(image: 0, pixel: 1)) { try evaluation.add(scores: [0, .nan, 1], labels: [0, 1, 1]) }
        try evaluation.add(scores: [0, .nan], labels: [0, 255])  // NaN on an ignored pixel is fine
        #expect(throws: MetricsError.sizeMismatch(image: 1, scores: 2, labels: 3)) { try evaluation.add(scores: [0, 1], labels: [0, 1, 0]) }
        #expect(throws: MetricsError.self) { try AnomalyEvaluation(recallLevel: 1.5) }
        #expect(MetricsError.nanScore(image: 3, pixel: 7).description.contains("image 3"))
    }
}
