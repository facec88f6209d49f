import ModelZoo

/// The backbones catalog (a segmenter's `backbone:`).
public enum BackboneCatalog: NodeCatalog { public static var catalog: KeyPath<Registry, Catalog<any Backbone>> { \.backbones } }
/// The scores catalog (RPL's `score:`).
public enum ScoreCatalog: NodeCatalog { public static var catalog: KeyPath<Registry, Catalog<any AnomalyScore>> { \.scores } }
