import Dispatch
import Foundation
import TensorCore

/// Writes the synthetic world to disk in the layouts the readers read:
///
/// ```
/// DIR/cityscapes/leftImg8bit/{train,val}/synth/synth_NNNNNN_leftImg8bit.png
/// DIR/cityscapes/gtFine/{train,val}/synth/synth_NNNNNN_gtFine_labelTrainIds.png
/// DIR/coco/train2017/NNNNNNNNNNNN.png, DIR/coco/annotations/instances_train2017.json
///     (the outlier-exposure objects, one per image, as uncompressed-RLE instances)
/// DIR/fishyscapes/Static/{original,labels}/NNNNNN.png                  (the `static` set, 0/1/255)
/// DIR/smiyc/dataset_ObstacleTrack/images/validation_NNNNNN.png,
///     …/labels_masks/validation_NNNNNN_labels_semantic.png               (the `obstacle` set)
/// DIR/road_anomaly/{original,labels}/NNNNNN.png                        (the `country` set)
/// DIR/oe_val/{original,labels}/NNNNNN.png          (the outlier-exposure validation set, 0/1/255)
/// DIR/world.json                                                      (``WorldManifest``, written last)
/// ```
/// — the layouts ``BenchmarkLayouts`` reads (Fishyscapes, SMIYC, RoadAnomaly as the RPL
/// evaluation code lays them out), so synthetic and real data take one path.
///
/// Every image comes from its own generator derived from (seed, set, index), so the files
/// are the same whatever the order or the number of workers.
public struct SyntheticWorld: Sendable {
    /// Image width and height.
    public var width: Int, height: Int
    /// The world's seed.
    public var seed: UInt64
    /// How the outlier-exposure validation set's objects are resampled (match the training
    /// recipe's `data.outliers.resampling`).
    public var outlierResampling: OutlierExposure.Resampling
    /// The probability that an object of the outlier-exposure validation set takes the colour
    /// of its surroundings (match the training recipe's `data.outliers.camouflage`).
    public var outlierCamouflage: Float
    /// The families the outlier-exposure objects (the COCO stand-in) are drawn from.
    public var outlierFamilies: OutlierFamilies

    /// Which families the outlier-exposure objects come from.
    public enum OutlierFamilies: String, Sendable, CaseIterable {
        /// Balls, chairs, bags and lamps: the COCO stand-in of generator versions 1 and 2.
        case classic
        /// The classic four and the eight ``ObjectFamily/varied`` ones.
        case all

        /// The families.
        public var families: [ObjectFamily] { self == .classic ? ObjectFamily.classicOutlierExposure : ObjectFamily.outlierExposure }
    }
    /// The generator's version, recorded in ``WorldManifest``: raised whenever a change to the
    /// generator changes the images, so a world written before is recognised as stale.
    /// 2: the outlier-exposure validation set; 3: eight more, varied outlier-exposure families.
    public static let version = 3

    /// A world of `width`×`height` images.
    public init(width: Int = 512, height: Int = 256, seed: UInt64 = 0, outlierResampling: OutlierExposure.Resampling = OutlierExposure.defaultResampling,
                outlierFamilies: OutlierFamilies = .all, outlierCamouflage: Float = 0) {
        (self.width, self.height, self.seed, self.outlierResampling, self.outlierFamilies) = (width, height, seed, outlierResampling, outlierFamilies)
        self.outlierCamouflage = outlierCamouflage
    }

    /// The generator of image `index` of `set`.
    public func generator(_ set: String, _ index: Int) -> SeededGenerator {
        let stream = set.utf8.reduce(UInt64(1469598103934665603)) { ($0 ^ UInt64($1)) &* 1099511628211 }
        return SeededGenerator(seed: seed).derived(stream &+ UInt64(index))
    }

    /// The city training/validation scene `index` of `split`.
    public func cityScene(_ split: String, _ index: Int) -> (image: RGBImage, labels: LabelMap) {
        var rng = generator("cityscapes/" + split, index)
        return StreetScene.generate(.city, width: width, height: height, using: &rng)
    }

    /// Outlier-exposure object `index`.
    public func outlier(_ index: Int) -> OutlierObject {
        var rng = generator("outliers", index)
        return OutlierObject.generate(size: min(width, height), families: outlierFamilies.families, using: &rng)
    }

    /// Test image `index` of an anomaly set.
    public func anomaly(_ set: AnomalySet, _ index: Int) -> (image: RGBImage, labels: LabelMap) {
        var rng = generator("anomaly/" + set.rawValue, index)
        return set.generate(width: width, height: height, using: &rng)
    }

    /// Where image `index` of an anomaly set and its labels go, relative to the world's folder.
    static func anomalyPaths(_ set: AnomalySet, _ index: Int) -> (image: String, labels: String) {
        let stem = String(format: "%06d", index)
        switch set {
        case .static: return ("fishyscapes/Static/original/\(stem).png", "fishyscapes/Static/labels/\(stem).png")
        case .obstacle: return ("smiyc/dataset_ObstacleTrack/images/validation_\(stem).png",
                                "smiyc/dataset_ObstacleTrack/labels_masks/validation_\(stem)_labels_semantic.png")
        case .country: return ("road_anomaly/original/\(stem).png", "road_anomaly/labels/\(stem).png")
        }
    }

    /// The reader of an anomaly set written under `directory`.
    public static func reader(_ set: AnomalySet, in directory: String) throws -> LabelledImages {
        switch set {
        case .static: return try BenchmarkLayouts.fishyscapes(root: directory + "/fishyscapes", split: "Static")
        case .obstacle: return try BenchmarkLayouts.segmentMeIfYouCan(root: directory + "/smiyc", track: .obstacle)
        case .country: return try BenchmarkLayouts.roadAnomaly(root: directory + "/road_anomaly")
        }
    }

    /// How many images of each kind ``write(to:counts:progress:)`` writes.
    public struct Counts: Sendable {
        /// Training and validation scenes, outlier-exposure objects, images per anomaly test set.
        public var train = 200, val = 50, outliers = 100, perAnomalySet = 100
        /// Images of the outlier-exposure validation set (``outlierExposureValidation(_:)``).
        public var outlierExposureValidation = 100
        /// Counts; the outlier-exposure validation set as large as each test set unless given.
        public init(train: Int = 200, val: Int = 50, outliers: Int = 100, perAnomalySet: Int = 100, outlierExposureValidation: Int? = nil) {
            (self.train, self.val, self.outliers, self.perAnomalySet) = (train, val, outliers, perAnomalySet)
            self.outlierExposureValidation = outlierExposureValidation ?? perAnomalySet
        }
        /// Every image ``write(to:counts:progress:)`` writes.
        public var total: Int { train + val + outliers + AnomalySet.allCases.count * perAnomalySet + outlierExposureValidation }
    }

    /// Writes everything under `directory`, in parallel, then its ``WorldManifest``;
    /// `progress(done, total)` is called as images complete (from worker threads).
    public func write(to directory: String, counts: Counts, progress: @Sendable (Int, Int) -> Void = { _, _ in }) throws {
        let root = URL(fileURLWithPath: directory)
        var jobs: [@Sendable () throws -> Void] = []
        for (split, count) in [("train", counts.train), ("val", counts.val)] {
            for i in 0..<count {
                jobs.append {
                    let (image, labels) = cityScene(split, i)
                    let stem = String(format: "synth_%06d", i)
                    try ImageIO.writePNG(image, to: root.appendingPathComponent("cityscapes/leftImg8bit/\(split)/synth/\(stem)_leftImg8bit.png").path)
                    try ImageIO.writePNG(labels, to: root.appendingPathComponent("cityscapes/gtFine/\(split)/synth/\(stem)_gtFine_labelTrainIds.png").path)
                }
            }
        }
        for i in 0..<counts.outliers {
            jobs.append {
                try ImageIO.writePNG(outlier(i).image, to: root.appendingPathComponent("coco/train2017/\(String(format: "%012d", i + 1)).png").path)
            }
        }
        if counts.outliers > 0 {
            let json = try COCOWriter.instances((0..<counts.outliers).map { outlier($0) })
            let path = root.appendingPathComponent("coco/annotations/instances_train2017.json")
            try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
            try json.write(to: path, options: .atomic)
        }
        for set in AnomalySet.allCases {
            for i in 0..<counts.perAnomalySet {
                jobs.append {
                    let (image, labels) = anomaly(set, i)
                    let (imagePath, labelPath) = SyntheticWorld.anomalyPaths(set, i)
                    try ImageIO.writePNG(image, to: root.appendingPathComponent(imagePath).path)
                    try ImageIO.writePNG(labels, to: root.appendingPathComponent(labelPath).path)
                }
            }
        }
        for i in 0..<counts.outlierExposureValidation {
            jobs.append {
                let (image, labels) = outlierExposureValidation(i)
                let (imagePath, labelPath) = SyntheticWorld.outlierExposureValidationPaths(i)
                try ImageIO.writePNG(image, to: root.appendingPathComponent(imagePath).path)
                try ImageIO.writePNG(labels, to: root.appendingPathComponent(labelPath).path)
            }
        }
        let failures = JobFailures()
        let done = JobCounter()
        let total = jobs.count
        let work = jobs
        DispatchQueue.concurrentPerform(iterations: total) { index in
            do { try work[index]() } catch { failures.record(error) }
            progress(done.increment(), total)
        }
        if let first = failures.first { throw first }
        try WorldManifest(self, counts: counts).write(to: directory)
    }
}

/// The first error of parallel jobs.
private final class JobFailures: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [any Error] = []
    func record(_ error: any Error) { lock.lock(); errors.append(error); lock.unlock() }
    var first: (any Error)? { lock.lock(); defer { lock.unlock() }; return errors.first }
}

/// A thread-safe counter of completed jobs.
private final class JobCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
}
