import Testing
import HDF5Store
import ModelZoo
import OoDKit
import PostHoc
import SceneData
import TensorCore
import PixelOoDTestSupport

/// The fixture's logits and features of `group` as one segmenter output.
private func output(_ fixture: Fixture, _ group: String) throws -> SegmenterOutput {
    SegmenterOutput(logits: try fixture.tensor(group + "/logits"), decoderFeatures: try fixture.tensor(group + "/features"), features: [:])
}

/// A head fitted on the fixture's three images.
private func fitted<Head: FittedHead>(_ head: Head, _ fixture: Fixture) throws -> Head {
    head.beginFitting()
    for image in 0..<3 {
        let labels = try fixture.file.readUInt8("/fit/\(image)/labels")
        try head.accumulate(try output(fixture, "/fit/\(image)"), labels: LabelMap(width: 32, height: 24, values: labels.values))
    }
    try head.finishFitting()
    return head
}

@Suite("SML and Mahalanobis against scripts/fixtures/posthoc.py")
struct PostHocFixtureTests {
    @Test("SML: per-predicted-class mean and unbiased variance of the max logit to 1e-5")
    func smlStatistics() throws {
        let fixture = try Fixture("posthoc.h5")
        let head = try fitted(SMLHead(SMLConfig(), classes: 5), fixture)
        let state = head.stateDict()
        expectClose(try #require(state["class_mean"]), try fixture.tensor("/sml/class_mean"), tolerance: 1e-5, "class_mean")
        expectClose(try #require(state["class_var"]), try fixture.tensor("/sml/class_var"), tolerance: 1e-5, "class_var")
        let fractions = try #require(state["class_fraction"]).scalars
        #expect(abs(fractions.reduce(0, +) - 1) < 1e-5 && fractions.allSatisfy { $0 > 0 })
    }

    @Test("SML score: plain, boundary suppression only, and suppression + dilated smoothing to 1e-5", arguments: [
        ("score_plain", SMLConfig(boundarySuppression: false, dilatedSmoothing: false)),
        ("score_suppression_only", SMLConfig(dilatedSmoothing: false)),
        ("score", SMLConfig()),
    ])
    func smlScore(_ name: String, _ config: SMLConfig) throws {
        let fixture = try Fixture("posthoc.h5")
        let head = try fitted(SMLHead(config, classes: 5), fixture)
        let seg = try output(fixture, "/test")
        expectClose(try head.anomalyScore(HeadOutput(logits: seg.logits), seg), try fixture.tensor("/sml/" + name),
                    tolerance: 1e-5, name)
    }

    @Test("Mahalanobis: class means, and the smallest squared distance upsampled, to 1e-5")
    func mahalanobis() throws {
        let fixture = try Fixture("posthoc.h5")
        let head = try fitted(MahalanobisHead(MahalanobisConfig(), classes: 5, channels: 6), fixture)
        expectClose(try #require(head.stateDict()["class_means"]), try fixture.tensor("/mahalanobis/class_means"), tolerance: 1e-5, "means")
        let seg = try output(fixture, "/test")
        expectClose(try head.anomalyScore(HeadOutput(), seg), try fixture.tensor("/mahalanobis/score"), tolerance: 1e-5, "score")
        var without = seg
        without.features = [:]
        #expect(throws: SegmenterError.missingFeatures(consumer: "head 'mahalanobis'", missing: ["out"], available: ["decoder"]),
                "a segmenter output without the map a score reads is an error, never zeros") {
            _ = try without.map(named: "out", for: "head 'mahalanobis'")
        }
    }

    @Test("a fit without pixels, and a singular covariance without ridge, are typed errors naming the head")
    func fittingErrors() throws {
        let sml = SMLHead(SMLConfig(), classes: 5)
        sml.beginFitting()
        #expect(throws: FittingError(head: "sml", "fewer than two pixels seen")) { try sml.finishFitting() }
        let mahalanobis = MahalanobisHead(MahalanobisConfig(ridge: 0), classes: 2, channels: 3)
        mahalanobis.beginFitting()
        // Channel 2 never fires: a dead ReLU makes the covariance singular.
        let features = Tensor(shape: [1, 3, 2, 2], [1, 2, 3, 4, 4, 3, 2, 1, 0, 0, 0, 0])
        try mahalanobis.accumulate(SegmenterOutput(logits: Tensor.zeros([1, 2, 2, 2]), decoderFeatures: features, features: [:]),
                                   labels: LabelMap(width: 2, height: 2, values: [0, 0, 1, 1]))
        #expect(throws: FittingError.self) { try mahalanobis.finishFitting() }
    }
}
