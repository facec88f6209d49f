import ModelZoo
import SceneData

/// Every name a recipe can use, one ``Catalog`` per kind. A value built in `main` from the
/// core entries and the plugin list, then passed down: no singleton, no import side effects.
public struct Registry: Sendable {
    /// Feature extractors (`resnet50`, `wide_resnet38`, …).
    public var backbones = Catalog<any Backbone>(kind: "backbone")
    /// Whole segmenters (`deeplabv3plus`, `ldn121`).
    public var segmenters = Catalog<any Segmenter>(kind: "segmenter")
    /// OoD heads attached to a segmenter.
    public var heads = Catalog<any OoDHead>(kind: "head")
    /// Parameter-free anomaly scores from logits.
    public var scores = Catalog<any AnomalyScore>(kind: "score")
    /// Non-learned scores from the image alone, fitted to `data.train` (`colour_rarity`).
    public var baselines = Catalog<any ImageBaseline>(kind: "baseline")
    /// Loss terms.
    public var losses = Catalog<any LossTerm>(kind: "loss")
    /// Dataset readers.
    public var datasets = Catalog<LabelledImages>(kind: "dataset")
    /// Optimizers.
    public var optimizers = Catalog<OptimizerFactory>(kind: "optimizer")
    /// Learning-rate schedules.
    public var schedules = Catalog<any LearningRateSchedule>(kind: "schedule")

    /// An empty registry (for tests of registration itself).
    public init() {}

    /// The core entries, then each plugin's, in the order given.
    /// - Throws: ``RegistryError/duplicate(kind:name:)`` when two register one name.
    public init(plugins: [any Plugin.Type]) throws {
        try CorePlugin.register(into: &self)
        for plugin in plugins { try plugin.register(into: &self) }
    }

    /// Every catalog's kind with its entries, in a fixed order (for `pixelood list`).
    public var listing: [(kind: String, entries: [(name: String, summary: String)])] {
        func rows<P>(_ catalog: Catalog<P>) -> (String, [(String, String)]) {
            (catalog.kind, catalog.entries.map { ($0.name, $0.summary) })
        }
        return [rows(backbones), rows(segmenters), rows(heads), rows(scores), rows(baselines), rows(losses), rows(datasets),
                rows(optimizers), rows(schedules)]
    }
}
