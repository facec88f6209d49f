import SceneData

/// `{root: data/cityscapes, split: train}`: a dataset folder in a release's layout.
public struct DatasetConfig: RecipeConfig {
    /// The dataset's root folder.
    public var root: String
    /// The split (`train`, `val`, `test`), where the layout has splits.
    public var split: String?
    /// SMIYC's track (smiyc only).
    public var track: SMIYCTrack?
    /// The synthetic anomaly set (synthetic_anomalies only).
    public var set: AnomalySet?

    enum CodingKeys: String, CodingKey { case root, split, track, set }

    /// Decodes `root` and the keys the dataset `name` takes.
    static func decoder(for name: String, defaultSplit: String?) -> @Sendable (any Decoder) throws -> DatasetConfig {
        { decoder in
            let c = try decoder.container(keyedBy: CodingKeys.self)
            var config = DatasetConfig(root: try c.decode(String.self, forKey: .root))
            if let defaultSplit { config.split = try c.value(.split, default: defaultSplit) }
            if name == "smiyc" { config.track = try c.decode(SMIYCTrack.self, forKey: .track) }
            if name == "synthetic_anomalies" { config.set = try c.decode(AnomalySet.self, forKey: .set) }
            return config
        }
    }

    init(root: String) { self.root = root }
    public init(from decoder: any Decoder) throws { self = try Self.decoder(for: "", defaultSplit: nil)(decoder) }

    public func validate() throws {
        guard !root.isEmpty else { throw ConfigError(key: "root", "must name a folder") }
    }
}

extension SMIYCTrack: RecipeChoice {}
extension OutlierExposure.Resampling: RecipeChoice, Decodable {}
extension AnomalySet: RecipeChoice, Decodable {}

/// A dataset entry's config with its decoding rule (which keys it takes).
struct DatasetEntryConfig<Rule: DatasetRule>: RecipeConfig {
    var base: DatasetConfig
    init(from decoder: any Decoder) throws { base = try DatasetConfig.decoder(for: Rule.name, defaultSplit: Rule.defaultSplit)(decoder) }
    func validate() throws { try base.validate() }
}

/// Which keys a dataset entry takes.
protocol DatasetRule: Sendable {
    static var name: String { get }
    static var defaultSplit: String? { get }
}

enum CityscapesRule: DatasetRule { static let name = "cityscapes"; static let defaultSplit: String? = "train" }
enum FishyscapesRule: DatasetRule { static let name = "fishyscapes"; static let defaultSplit: String? = "Static" }
enum LostAndFoundRule: DatasetRule { static let name = "lost_and_found"; static let defaultSplit: String? = "test" }
enum RootOnlyRule: DatasetRule { static let name = ""; static let defaultSplit: String? = nil }
enum SMIYCRule: DatasetRule { static let name = "smiyc"; static let defaultSplit: String? = nil }
enum SyntheticRule: DatasetRule { static let name = "synthetic_anomalies"; static let defaultSplit: String? = nil }

extension CorePlugin {
    static func registerDatasets(into registry: inout Registry) throws {
        try registry.datasets.register("cityscapes", summary: "Cityscapes trainIds (leftImg8bit, gtFine); also the synthetic world's city scenes",
                                       config: DatasetEntryConfig<CityscapesRule>.self) { c, _ in
            try BenchmarkLayouts.cityscapes(root: c.base.root, split: c.base.split ?? "train")
        }
        try registry.datasets.register("fishyscapes", summary: "Fishyscapes Static / L&F (split: Static or LostAndFound)",
                                       config: DatasetEntryConfig<FishyscapesRule>.self) { c, _ in
            try BenchmarkLayouts.fishyscapes(root: c.base.root, split: c.base.split ?? "Static")
        }
        try registry.datasets.register("lost_and_found", summary: "Lost & Found (Cityscapes-style folders)",
                                       config: DatasetEntryConfig<LostAndFoundRule>.self) { c, _ in
            try BenchmarkLayouts.lostAndFound(root: c.base.root, split: c.base.split ?? "test")
        }
        try registry.datasets.register("road_anomaly", summary: "RoadAnomaly (original/, labels/)",
                                       config: DatasetEntryConfig<RootOnlyRule>.self) { c, _ in
            try BenchmarkLayouts.roadAnomaly(root: c.base.root)
        }
        try registry.datasets.register("smiyc", summary: "SegmentMeIfYouCan (track: anomaly or obstacle)",
                                       config: DatasetEntryConfig<SMIYCRule>.self) { c, _ in
            try BenchmarkLayouts.segmentMeIfYouCan(root: c.base.root, track: c.base.track ?? .anomaly)
        }
        try registry.datasets.register("street_hazards", summary: "StreetHazards test set",
                                       config: DatasetEntryConfig<RootOnlyRule>.self) { c, _ in
            try BenchmarkLayouts.streetHazards(root: c.base.root)
        }
        try registry.datasets.register("synthetic_oe_val",
                                       summary: "the synthetic world's outlier-exposure validation set (held-out training objects pasted as in training) written by pixelood data synth",
                                       config: DatasetEntryConfig<RootOnlyRule>.self) { c, _ in
            try SyntheticWorld.outlierExposureValidationReader(in: c.base.root)
        }
        try registry.datasets.register("synthetic_anomalies", summary: "a synthetic anomaly set (set: static, obstacle or country) written by pixelood data synth",
                                       config: DatasetEntryConfig<SyntheticRule>.self) { c, _ in
            let set = c.base.set ?? .static
            return try SyntheticWorld.reader(set, in: c.base.root).named("synthetic \(set.rawValue)")
        }
    }
}
