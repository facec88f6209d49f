import Foundation
import Synchronization
import Testing
@testable import SceneData
import PixelOoDTestSupport
import TensorCore

@Suite("The synthetic driving world")
struct SyntheticWorldTests {
    static let world = SyntheticWorld(width: 160, height: 96, seed: 7)

    @Test("scenes are deterministic in (seed, set, index) and differ across indices")
    func determinism() {
        #expect(Self.world.cityScene("train", 3) == Self.world.cityScene("train", 3))
        #expect(Self.world.cityScene("train", 3).image != Self.world.cityScene("train", 4).image)
        #expect(Self.world.anomaly(.static, 0) == SyntheticWorld(width: 160, height: 96, seed: 7).anomaly(.static, 0))
        #expect(SyntheticWorld(width: 160, height: 96, seed: 8).cityScene("train", 3).image != Self.world.cityScene("train", 3).image)
    }

    @Test("city scenes use only trainIds and void, with road, sky and objects")
    func cityLabels() {
        var seen = Set<UInt8>()
        for i in 0..<12 { seen.formUnion(Self.world.cityScene("train", i).labels.values) }
        #expect(seen.isSubset(of: Set(TrainId.allCases.map(\.rawValue)).union([TrainId.void])))
        for required: TrainId in [.road, .sidewalk, .building, .sky, .car, .person, .pole, .vegetation] {
            #expect(seen.contains(required.rawValue), "no \(required.name) in 12 city scenes")
        }
    }

    @Test("country scenes shift the context: no sidewalk, fields and another palette")
    func countryContext() {
        var rng = SeededGenerator(seed: 1)
        var seen = Set<UInt8>()
        for _ in 0..<8 { seen.formUnion(StreetScene.generate(.country, width: 160, height: 96, using: &rng).labels.values) }
        #expect(!seen.contains(TrainId.sidewalk.rawValue) && seen.contains(TrainId.terrain.rawValue) && seen.contains(TrainId.road.rawValue))
    }

    @Test("anomaly sets are labelled 0/1/255 with anomalies present; obstacle voids everything off the road",
          arguments: AnomalySet.allCases)
    func anomalySets(_ set: AnomalySet) {
        var anomalies = 0, total = 0
        for i in 0..<6 {
            let (_, labels) = Self.world.anomaly(set, i)
            #expect(Set(labels.values).isSubset(of: [0, 1, 255]))
            anomalies += labels.values.filter { $0 == 1 }.count
            total += labels.values.count
            if set == .obstacle { #expect(labels.values.filter { $0 == 255 }.count > labels.values.count / 3) }
        }
        #expect(anomalies > 0)
        let share = Double(anomalies) / Double(total)
        if set == .obstacle { #expect(share < 0.02, "obstacles are small: \(share)") }
        if set == .country { #expect(share > 0.01, "country anomalies are large: \(share)") }
    }

    @Test("outlier-exposure objects come only from families the test sets never use")
    func disjointFamilies() {
        #expect(Set(ObjectFamily.test).isDisjoint(with: ObjectFamily.outlierExposure))
        for i in 0..<10 {
            let object = Self.world.outlier(i)
            #expect(object.family.map { ObjectFamily.outlierExposure.contains($0) } == true)
            #expect(object.mask.contains(true) && object.mask.contains(false))
            #expect(Set(object.contextLabels.values).isSubset(of: [0, OutlierExposure.outlierLabel]))
        }
    }

    @Test("all twelve outlier-exposure families appear, each a proper object; a classic world keeps to the first four")
    func outlierFamilies() {
        var seen = Set<ObjectFamily>()
        for i in 0..<120 {
            let object = Self.world.outlier(i)
            if let family = object.family { seen.insert(family) }
            let share = Double(object.mask.filter { $0 }.count) / Double(object.mask.count)
            #expect(share > 0.02 && share < 0.8, "object \(i) (\(object.family?.rawValue ?? "?")) covers \(share)")
        }
        #expect(seen == Set(ObjectFamily.outlierExposure) && ObjectFamily.outlierExposure.count == 12)
        #expect(Set(ObjectFamily.test).isDisjoint(with: ObjectFamily.varied))
        let classic = SyntheticWorld(width: 160, height: 96, seed: 7, outlierFamilies: .classic)
        #expect((0..<40).allSatisfy { classic.outlier($0).family.map(ObjectFamily.classicOutlierExposure.contains) == true })
    }

    @Test("pasting relabels exactly the object's pixels 254 and uses the listed scales")
    func outlierExposure() {
        var rng = SeededGenerator(seed: 3)
        var scales = Set<Float>()
        for i in 0..<40 {
            var (image, labels) = Self.world.cityScene("train", 0)
            let before = labels.values
            let object = Self.world.outlier(i % 5)
            let scale = OutlierExposure.paste(object, into: &image, labels: &labels, resampling: .nearest, using: &rng)
            scales.insert(scale)
            #expect(OutlierExposure.scales.contains(scale))
            let changed = zip(before, labels.values).filter { $0 != $1 }.count
            let pasted = labels.values.filter { $0 == OutlierExposure.outlierLabel }.count
            #expect(pasted > 0 && changed <= pasted)
            // Nearest-neighbour resampling: output pixel (x, y) takes mask sample ((x + ½)/s, (y + ½)/s).
            let side = Int(Float(object.image.width) * scale)
            var expected = 0
            for y in 0..<side {
                for x in 0..<side {
                    let sy = min(object.image.height - 1, Int((Float(y) + 0.5) / scale))
                    let sx = min(object.image.width - 1, Int((Float(x) + 0.5) / scale))
                    if object.mask[sy * object.image.width + sx] { expected += 1 }
                }
            }
            #expect(pasted == expected, "scale \(scale)")
        }
        #expect(scales.count >= 4)
    }

    @Test("the world written to disk reads back in the Cityscapes and benchmark layouts, its manifest last")
    func writeAndRead() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pixelood-world-\(UUID().uuidString)")
        #expect(WorldManifest.read(from: dir.path) == nil)
        let counts = SyntheticWorld.Counts(train: 2, val: 1, outliers: 2, perAnomalySet: 1)
        try Self.world.write(to: dir.path, counts: counts)
        let manifest = try #require(WorldManifest.read(from: dir.path))
        #expect(manifest == WorldManifest(Self.world, counts: counts))
        #expect(manifest.width == 160 && manifest.height == 96 && manifest.seed == 7 && manifest.train == 2 && manifest.perAnomalySet == 1)
        let image = try ImageIO.readRGB(dir.appendingPathComponent("cityscapes/leftImg8bit/train/synth/synth_000001_leftImg8bit.png").path)
        let labels = try ImageIO.readLabels(dir.appendingPathComponent("cityscapes/gtFine/train/synth/synth_000001_gtFine_labelTrainIds.png").path)
        #expect(image == Self.world.cityScene("train", 1).image && labels == Self.world.cityScene("train", 1).labels)
        for set in AnomalySet.allCases {
            let reader = try SyntheticWorld.reader(set, in: dir.path)
            #expect(reader.count == 1)
            let (image, labels) = try reader.load(0)
            #expect(image == Self.world.anomaly(set, 0).image && labels == Self.world.anomaly(set, 0).labels)
        }
        let cityscapes = try BenchmarkLayouts.cityscapes(root: dir.appendingPathComponent("cityscapes").path, split: "train")
        #expect(cityscapes.count == 2 && cityscapes.samples.map(\.name) == ["synth/synth_000000", "synth/synth_000001"])
        let coco = try COCOInstances(root: dir.appendingPathComponent("coco").path, split: "train2017", minimumArea: 1)
        #expect(coco.objects.count == 2 && coco.objects.allSatisfy { ObjectFamily(rawValue: $0.category) != nil })
        let loaded = try coco.load(1), original = Self.world.outlier(1)
        #expect(loaded.mask.filter { $0 }.count == original.mask.filter { $0 }.count, "the whole object survives the bounding-box cut")
    }
}

@Suite("The anomaly sets as a benchmark: occlusion, minimum size, size of the default sets")
struct AnomalyBenchmarkTests {
    @Test("extras are drawn in depth order: the farthest is hidden by every object, the nearest hides all")
    func occlusion() {
        func render(depth: Float) -> LabelMap {
            var rng = SeededGenerator(seed: 4)
            let (canvas, _) = StreetScene.render(.city, width: 160, height: 96, using: &rng) { _, _ in
                [(depth, { canvas, _ in canvas.rect(0, 0, 160, 96, Color(1, 0, 1), label: 200) })]
            }
            return canvas.labels
        }
        let far = render(depth: -1), near = render(depth: 2)
        let vehicles = far.values.filter { [TrainId.car, .truck, .bus].map(\.rawValue).contains($0) }.count
        #expect(vehicles > 0, "the nearer cars stay visible in front of the far extra")
        #expect(far.values.filter { $0 == 200 }.count < far.values.count, "nearer objects hide part of the far extra")
        #expect(near.values.allSatisfy { $0 == 200 }, "the nearest extra hides everything")
    }

    @Test("an anomaly hidden below the minimum visible size is void, not anomaly", arguments: AnomalySet.allCases)
    func minimumVisibleSize(_ set: AnomalySet) {
        let world = SyntheticWorld(width: 128, height: 64, seed: 2)
        var empty = 0
        for i in 0..<24 {
            let anomalies = world.anomaly(set, i).labels.values.filter { $0 == 1 }.count
            #expect(anomalies == 0 || anomalies >= AnomalySet.minimumVisiblePixels, "image \(i): \(anomalies) anomaly pixels")
            if anomalies == 0 { empty += 1 }
        }
        #expect(empty < 24, "some anomalies stay visible")
    }

    @Test("the default sets (100 images at 512x256) hold over 50k anomaly pixels each")
    func defaultSetSize() {
        let world = SyntheticWorld(width: 512, height: 256, seed: 0)
        let counts = SyntheticWorld.Counts()
        for set in AnomalySet.allCases {
            let total = Mutex(0)
            DispatchQueue.concurrentPerform(iterations: counts.perAnomalySet) { i in
                let anomalies = world.anomaly(set, i).labels.values.filter { $0 == 1 }.count
                total.withLock { $0 += anomalies }
            }
            let sum = total.withLock { $0 }
            #expect(sum > 50_000, "\(set.rawValue): \(sum) anomaly pixels")
        }
    }
}
