/// A catalog a nested node is built from (``NestedNode``): which of the registry's catalogs.
public protocol NodeCatalog: Sendable {
    /// What the catalog builds.
    associatedtype Product
    /// The catalog in a registry.
    static var catalog: KeyPath<Registry, Catalog<Product>> { get }
}

extension NodeCatalog {
    /// Decodes and validates `node`'s config in this catalog of `registry`, nested nodes and all.
    /// - Throws: ``RecipeError`` located at the node.
    static func check(_ node: RecipeNode, in registry: Registry) throws { try registry[keyPath: catalog].check(node, registry: registry) }
}

/// A polymorphic node inside another node's config (a segmenter's `backbone:`, RPL's
/// `score:`), typed by the catalog that builds it. Decoding one records it, so checking the
/// outer config (`Recipe.checkConfigs`, `pixelood check`, the fuzzer) checks the nested node
/// too, before anything is built; the config's author writes nothing for it.
public struct NestedNode<Kind: NodeCatalog>: Sendable, Decodable {
    /// The node as written.
    public let node: RecipeNode

    /// Wraps a node (a default that is not in the recipe).
    public init(_ node: RecipeNode) { self.node = node }

    /// Decodes only through ``RecipeDecoder``, which records the node for checking.
    public init(from decoder: any Decoder) throws {
        guard let decoder = decoder as? ValueDecoder else {
            throw DecodingError.typeMismatch(NestedNode.self, .init(codingPath: decoder.codingPath,
                                                                    debugDescription: "NestedNode decodes only from recipes"))
        }
        node = RecipeNode(value: decoder.value, keyPath: decoder.path)
        decoder.usage.nested.append(NestedReference(node: node, check: Kind.check))
    }
}

/// A nested node met while decoding a config, with its catalog's check.
struct NestedReference {
    let node: RecipeNode
    let check: @Sendable (RecipeNode, Registry) throws -> Void
}
