import ModelZoo
import SceneData

/// The backbones catalog (a segmenter's `backbone:`).
public enum BackboneCatalog: NodeCatalog { public static var catalog: KeyPath<Registry, Catalog<any Backbone>> { \.backbones } }
/// The segmenters catalog.
public enum SegmenterCatalog: NodeCatalog { public static var catalog: KeyPath<Registry, Catalog<any Segmenter>> { \.segmenters } }
/// The heads catalog.
public enum HeadCatalog: NodeCatalog { public static var catalog: KeyPath<Registry, Catalog<any OoDHead>> { \.heads } }
/// The scores catalog (RPL's `score:`).
public enum ScoreCatalog: NodeCatalog { public static var catalog: KeyPath<Registry, Catalog<any AnomalyScore>> { \.scores } }
/// The losses catalog.
public enum LossCatalog: NodeCatalog { public static var catalog: KeyPath<Registry, Catalog<any LossTerm>> { \.losses } }
/// The datasets catalog.
public enum DatasetCatalog: NodeCatalog { public static var catalog: KeyPath<Registry, Catalog<LabelledImages>> { \.datasets } }
