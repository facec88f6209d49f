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

    /// The manifest of `world` written with `counts`.
    public init(_ world: SyntheticWorld, counts: SyntheticWorld.Counts) {
        (width, height, seed) = (world.width, world.height, world.seed)
        (train, val, outliers, perAnomalySet) = (counts.train, counts.val, counts.outliers, counts.perAnomalySet)
    }

    enum CodingKeys: String, CodingKey {
        case width, height, seed, train, val, outliers, perAnomalySet = "per_anomaly_set"
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
