import Testing
import HDF5Store
import OoDMetrics
import PixelOoDTestSupport

@Suite("SMIYC component metrics and mIoU")
struct SegmentationMetricsTests {
    @Test("sIoU, PPV and mean F1 equal the benchmark definitions computed with scipy")
    func components() throws {
        let fixture = try Fixture("metrics.h5")
        let group = "/components"
        let height = Int(try attribute(fixture, "height", group)), width = Int(try attribute(fixture, "width", group))
        var evaluation = ComponentEvaluation(threshold: Float(try attribute(fixture, "threshold", group)),
                                             minimumPredictedSize: Int(try attribute(fixture, "seg_size", group)),
                                             minimumInstanceSize: Int(try attribute(fixture, "inst_size", group)))
        for image in try fixture.file.children(of: group) where image != "f1" {
            let (scores, labels) = try fixtureImage(fixture, group + "/" + image)
            try evaluation.add(scores: scores, labels: labels, height: height, width: width)
        }
        let report = evaluation.report
        #expect(abs(report.meanSIoU - (try attribute(fixture, "mean_siou", group))) < 1e-12)
        #expect(abs(report.meanPPV - (try attribute(fixture, "mean_ppv", group))) < 1e-12)
        #expect(abs(report.meanF1 - (try attribute(fixture, "mean_f1", group))) < 1e-12)
        let f1 = try fixture.file.readFloat32(group + "/f1").values
        #expect(zip(report.f1, f1).allSatisfy { abs($0 - Double($1)) < 1e-6 })
        #expect(report.groundTruthComponents > 5 && report.predictedComponents > 5)
    }

    @Test("8-connected components: a diagonal touch joins, a gap splits")
    func connectivity() throws {
        // Two diagonal pixels (one component under 8-connectivity) and a separate pixel.
        let labels: [UInt8] = [1, 0, 0, 0,
                               0, 1, 0, 1,
                               0, 0, 0, 0]
        var evaluation = ComponentEvaluation(threshold: 0.5, minimumPredictedSize: 0, minimumInstanceSize: 0)
        try evaluation.add(scores: labels.map { Float($0) }, labels: labels, height: 3, width: 4)
        let report = evaluation.report
        #expect(report.groundTruthComponents == 2 && report.predictedComponents == 2)
        #expect(report.meanSIoU == 1 && report.meanPPV == 1 && report.meanF1 == 1)
    }

    @Test("component evaluations survive serialization and merge in any order to one evaluation's report; malformed bytes are an error")
    func serializedMerge() throws {
        let labels: [UInt8] = [1, 0, 0, 1, 1, 0, 255, 0, 0, 1, 1, 0]
        let scores: [Float] = [0.9, 0.1, 0.7, 0.8, 0.6, 0.2, 0.9, 0.3, 0.55, 0.4, 0.95, 0.1]
        var whole = ComponentEvaluation(threshold: 0.5, minimumPredictedSize: 0, minimumInstanceSize: 0)
        var first = whole, second = whole
        try whole.add(scores: scores, labels: labels, height: 3, width: 4)
        try whole.add(scores: scores.reversed(), labels: labels.reversed(), height: 3, width: 4)
        try first.add(scores: scores, labels: labels, height: 3, width: 4)
        try second.add(scores: scores.reversed(), labels: labels.reversed(), height: 3, width: 4)
        var merged = try ComponentEvaluation(serialized: second.serialized())
        merged.merge(try ComponentEvaluation(serialized: first.serialized()))
        #expect(merged.report == whole.report && merged.threshold == 0.5 && whole.report.groundTruthComponents > 2)
        #expect(throws: MetricsError.self) { try ComponentEvaluation(serialized: Array(first.serialized().dropLast())) }
        #expect(throws: MetricsError.self) { try ComponentEvaluation(serialized: [1, 2, 3, 4]) }
    }

    @Test("confusion matrix and mIoU equal scikit-learn's, ignore label skipped")
    func meanIoU() throws {
        let fixture = try Fixture("metrics.h5")
        let truth = try fixture.file.readInt64("/confusion/truth").values.map { Int32($0) }
        let predicted = try fixture.file.readInt64("/confusion/pred").values.map { Int32($0) }
        var matrix = ConfusionMatrix(classes: 5)
        try matrix.add(predictions: predicted, labels: truth)
        #expect(matrix.counts == (try fixture.file.readInt64("/confusion/matrix").values.map { UInt64($0) }))
        #expect(abs(matrix.meanIoU - (try attribute(fixture, "miou", "/confusion"))) < 1e-12)
        #expect(matrix.labelledPixels == (0..<5).map { c in UInt64(truth.filter { $0 == c }.count) })
        #expect(throws: MetricsError.classOutOfRange(value: 7, classes: 5)) { try matrix.add(predictions: [0], labels: [7]) }
    }

    @Test("open-set mIoU adds an unknown class from the anomaly threshold")
    func openSet() throws {
        let fixture = try Fixture("metrics.h5")
        let truth = try fixture.file.readInt64("/confusion/open_truth").values.map { Int32($0) }
        let predicted = try fixture.file.readInt64("/confusion/pred").values.map { Int32($0) }
        let scores = try fixture.file.readFloat32("/confusion/open_score").values
        var open = OpenSetConfusion(classes: 5, threshold: 0.8, anomalyLabel: 13)
        try open.add(predictions: predicted, anomalyScores: scores, labels: truth)
        #expect(abs(open.meanIoU - (try attribute(fixture, "open_miou", "/confusion"))) < 1e-12)
    }
}
