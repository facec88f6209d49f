import Foundation

/// What ``SyntheticWorld/write(to:counts:progress:)`` wrote, as `<folder>/world.json`. It
/// is written last, so its presence also says that the world is complete.
public struct WorldManifest: Sendable, Codable, Equatable {
    /// The manifest's file name inside a world's folder.
    public static let fileName = "world.json"

    /// Image width and height.
    public var width: Int, height: Int
    /// The world's seed.
    public var seed: UInt64
    /// Training and validation scenes, outlier objects, images per anomaly set.
    public var train: Int, val: Int, outliers: Int, perAnomalySet: Int
    /// Images of the outlier-exposure validation set (0 in worlds written before it existed).
    public var outlierExposureValidation: Int
    /// The generator's version (``SyntheticWorld/version``; 1 in manifests that lack it).
    public var version: Int
    /// The outlier-exposure validation set's resampling (`nearest` in manifests that lack it).
    public var outlierResampling: String
    /// The outlier-exposure families (`classic` in manifests that lack it).
    public var outlierFamilies: String
    /// The outlier-exposure validation set's camouflage probability (0 in manifests that lack it).
    public var outlierCamouflage: Float

    /// The manifest of `world` written with `counts` by this toolkit.
    public init(_ world: SyntheticWorld, counts: SyntheticWorld.Counts) {
        (width, height, seed) = (world.width, world.height, world.seed)
        (train, val, outliers, perAnomalySet) = (counts.train, counts.val, counts.outliers, counts.perAnomalySet)
        (outlierExposureValidation, version) = (counts.outlierExposureValidation, SyntheticWorld.version)
        (outlierResampling, outlierFamilies) = (world.outlierResampling.rawValue, world.outlierFamilies.rawValue)
        outlierCamouflage = world.outlierCamouflage
    }

    enum CodingKeys: String, CodingKey {
        case width, height, seed, train, val, outliers, perAnomalySet = "per_anomaly_set", outlierExposureValidation = "oe_val", version
        case outlierResampling = "oe_resampling", outlierFamilies = "oe_families", outlierCamouflage = "oe_camouflage"
    }

    /// Decodes a manifest; older ones lack `oe_val`, `version`, `oe_resampling`, `oe_families` and `oe_camouflage`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        (width, height, seed) = (try c.decode(Int.self, forKey: .width), try c.decode(Int.self, forKey: .height), try c.decode(UInt64.self, forKey: .seed))
        (train, val) = (try c.decode(Int.self, forKey: .train), try c.decode(Int.self, forKey: .val))
        (outliers, perAnomalySet) = (try c.decode(Int.self, forKey: .outliers), try c.decode(Int.self, forKey: .perAnomalySet))
        outlierExposureValidation = try c.decodeIfPresent(Int.self, forKey: .outlierExposureValidation) ?? 0
        version = try c.decodeIfPresent(Int.self, forKey: .version) ?? 1
        outlierResampling = try c.decodeIfPresent(String.self, forKey: .outlierResampling) ?? OutlierExposure.Resampling.nearest.rawValue
        outlierFamilies = try c.decodeIfPresent(String.self, forKey: .outlierFamilies) ?? SyntheticWorld.OutlierFamilies.classic.rawValue
        outlierCamouflage = try c.decodeIfPresent(Float.self, forKey: .outlierCamouflage) ?? 0
    }

    /// Whether `other` is this world as an older generator wrote it: a lower version, the
    /// same size, seed and counts of the kinds both have (the sets and options added since
    /// aside).
    public func isOlderWriting(of other: WorldManifest) -> Bool {
        var upgraded = other
        (upgraded.version, upgraded.outlierExposureValidation) = (version, outlierExposureValidation)
        (upgraded.outlierResampling, upgraded.outlierFamilies, upgraded.outlierCamouflage) = (outlierResampling, outlierFamilies, outlierCamouflage)
        return upgraded == self && other.version < version
    }

    /// Whether `other` is part of this world: the same size, seed, generator and options, and
    /// no more images of any kind. Writing this world over it adds the missing images and
    /// rewrites the others byte for byte (every image has its own generator), so nothing stale
    /// remains.
    public func isSmallerWriting(of other: WorldManifest) -> Bool {
        var grown = other
        (grown.train, grown.val, grown.outliers) = (train, val, outliers)
        (grown.perAnomalySet, grown.outlierExposureValidation) = (perAnomalySet, outlierExposureValidation)
        return grown == self && other != self && other.train <= train && other.val <= val && other.outliers <= outliers
            && other.perAnomalySet <= perAnomalySet && other.outlierExposureValidation <= outlierExposureValidation
    }

    /// The manifest of the world in `folder`; nil when it has none (no world, an unfinished
    /// one, or one written before manifests) or it cannot be read.
    public static func read(from folder: String) -> WorldManifest? {
        guard let data = FileManager.default.contents(atPath: folder + "/" + fileName) else { return nil }
        return try? JSONDecoder().decode(WorldManifest.self, from: data)
    }

    /// Writes `<folder>/world.json` atomically.
    func write(to folder: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: folder + "/" + Self.fileName), options: .atomic)
    }
}
