import Foundation
import Testing
@testable import SceneData
import PixelOoDTestSupport
import TensorCore

@Suite("The outlier-exposure validation set: held-out training objects pasted into validation scenes")
struct OutlierExposureValidationTests {
    static let world = SyntheticWorld(width: 160, height: 96, seed: 7)

    @Test("its images are the validation scenes with the pasted pixels labelled 1, void kept, the rest 0")
    func labels() {
        for i in 0..<4 {
            let (image, labels) = Self.world.outlierExposureValidation(i)
            let (scene, sceneLabels) = Self.world.cityScene("val", i)
            #expect(labels.values.contains(1) && Set(labels.values).isSubset(of: [0, 1, 255]))
            for p in labels.values.indices where labels.values[p] != 1 {
                #expect(labels.values[p] == (sceneLabels.values[p] == TrainId.void ? 255 : 0))
                #expect(image.pixels[3 * p..<3 * p + 3] == scene.pixels[3 * p..<3 * p + 3], "pixel \(p) outside the pastes changed")
            }
        }
    }

    @Test("it pastes objects that are not the training set's, from the outlier-exposure families")
    func heldOut() {
        let training = (0..<20).map { Self.world.outlier($0) }
        for i in 0..<20 {
            let object = Self.world.heldOutOutlier(i)
            #expect(object.family.map { ObjectFamily.outlierExposure.contains($0) } == true)
            #expect(!training.contains(object))
        }
    }

    @Test("its pastes are exactly OutlierExposure.paste's with the set's generator")
    func samePasteAsTraining() {
        let (_, labels) = Self.world.outlierExposureValidation(3)
        var (image, expected) = Self.world.cityScene("val", 3)
        var rng = Self.world.generator("oe_val/paste", 3)
        for k in 0..<SyntheticWorld.outlierExposureValidationObjects {
            OutlierExposure.paste(Self.world.heldOutOutlier(2 * 3 + k), into: &image, labels: &expected,
                                  resampling: Self.world.outlierResampling, using: &rng)
        }
        #expect(labels.values.map { $0 == 1 } == expected.values.map { $0 == OutlierExposure.outlierLabel })
    }

    @Test("the world writes it and reads it back in the RoadAnomaly layout; the manifest counts it")
    func writeAndRead() throws {
        let dir = try scratchDirectory("oe-val")
        let counts = SyntheticWorld.Counts(train: 1, val: 1, outliers: 1, perAnomalySet: 1, outlierExposureValidation: 2)
        #expect(counts.total == 1 + 1 + 1 + 3 + 2)
        try Self.world.write(to: dir.path, counts: counts)
        let reader = try SyntheticWorld.outlierExposureValidationReader(in: dir.path)
        #expect(reader.count == 2 && reader.name == "synthetic oe_val")
        let (image, labels) = try reader.load(1)
        #expect(image == Self.world.outlierExposureValidation(1).image && labels == Self.world.outlierExposureValidation(1).labels)
        #expect(WorldManifest.read(from: dir.path)?.outlierExposureValidation == 2)
    }

    @Test("a manifest written before the set existed reads as an older writing of the same world, not another world")
    func olderManifest() throws {
        let counts = SyntheticWorld.Counts(train: 200, val: 50, outliers: 100, perAnomalySet: 50)
        let current = WorldManifest(SyntheticWorld(width: 256, height: 128, seed: 0), counts: counts)
        let old = #"{"height":128,"outliers":100,"per_anomaly_set":50,"seed":0,"train":200,"val":50,"width":256}"#
        let older = try JSONDecoder().decode(WorldManifest.self, from: Data(old.utf8))
        #expect(older.version == 1 && older.outlierExposureValidation == 0 && older.outlierFamilies == "classic" && older.outlierResampling == "nearest")
        #expect(current.isOlderWriting(of: older) && !current.isOlderWriting(of: current))
        var otherSeed = older
        otherSeed.seed = 1
        #expect(!current.isOlderWriting(of: otherSeed))
    }
}
