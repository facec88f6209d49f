/// The named factories of one kind (backbones, heads, scores, …): a recipe's `type:` string
/// maps to a factory that decodes the rest of the node into a typed config and builds the
/// product. Registration is explicit; a duplicate name is an error.
public struct Catalog<Product>: Sendable {
    /// One registered name.
    public struct Entry: Sendable {
        /// The recipe's `type:` value.
        public let name: String
        /// One line for `pixelood list`.
        public let summary: String
        /// Decodes a node's config and builds the product.
        let make: @Sendable (RecipeNode, Set<String>, BuildContext) throws -> Product
        /// Decodes and validates a node's config (and its nested nodes') without building.
        let check: @Sendable (RecipeNode, Set<String>, Registry) throws -> Void
    }

    /// What this catalog builds, in messages: `"head"`, `"score"`.
    public let kind: String
    private var entriesByName: [String: Entry] = [:]

    /// An empty catalog of `kind`.
    public init(kind: String) { self.kind = kind }

    /// Registers `name`: `make` receives the node's config, decoded strictly and validated
    /// (``RecipeConfig/validate()``).
    /// - Throws: ``RegistryError/duplicate(kind:name:)`` when the name is taken.
    public mutating func register<Config: RecipeConfig>(
        _ name: String, summary: String, config: Config.Type,
        make: @escaping @Sendable (Config, BuildContext) throws -> Product
    ) throws {
        guard entriesByName[name] == nil else { throw RegistryError.duplicate(kind: kind, name: name) }
        let kind = self.kind
        entriesByName[name] = Entry(name: name, summary: summary, make: { node, alsoRead, context in
            let config = try node.decodeConfig(Config.self, alsoRead: alsoRead)
            do {
                return try make(config, context)
            } catch let error as RecipeError {
                throw error
            } catch {
                throw node.error("cannot build \(kind) '\(name)': \(error)")
            }
        }, check: { node, alsoRead, registry in
            for nested in try node.decodeConfigRecordingNested(Config.self, alsoRead: alsoRead).nested {
                try nested.check(nested.node, registry)
            }
        })
    }

    /// Builds the entry `node` names; `alsoRead` are keys of the node the caller reads
    /// itself (a loss term's `weight`), exempt from the unknown-key check.
    /// - Throws: ``RecipeError`` at the `type:` value for an unknown name (listing the known
    ///   ones, with a suggestion), or from the entry's config and factory.
    public func build(_ node: RecipeNode, _ context: BuildContext, alsoRead: Set<String> = []) throws -> Product {
        try entry(for: node).make(node, alsoRead, context)
    }

    /// Decodes and validates the config of the entry `node` names, and those of its nested
    /// nodes (looked up in `registry`), without building anything.
    /// - Throws: ``RecipeError`` as ``build(_:_:alsoRead:)`` does.
    public func check(_ node: RecipeNode, registry: Registry, alsoRead: Set<String> = []) throws {
        try entry(for: node).check(node, alsoRead, registry)
    }

    /// The entry `node` names.
    private func entry(for node: RecipeNode) throws -> Entry {
        let (name, location) = try node.typeName(kind: kind)
        guard let entry = entriesByName[name] else {
            let path = node.value.entries == nil ? node.keyPathText : node.keyPathText + ".type"
            throw RecipeError(location, keyPath: path, unknownMessage(name))
        }
        return entry
    }

    /// "unknown head 'rlp' (known: …; did you mean 'rpl'?)"
    func unknownMessage(_ name: String) -> String {
        var message = "unknown \(kind) '\(name)' (known: \(names.isEmpty ? "none" : names.joined(separator: ", "))"
        if let near = nearest(name, in: names) { message += "; did you mean '\(near)'?" }
        return message + ")"
    }

    /// Whether `name` is registered.
    public func contains(_ name: String) -> Bool { entriesByName[name] != nil }

    /// The registered names, sorted.
    public var names: [String] { entriesByName.keys.sorted() }

    /// The entries, sorted by name.
    public var entries: [Entry] { names.compactMap { entriesByName[$0] } }
}

/// A registration that cannot be made.
public enum RegistryError: Error, CustomStringConvertible, Equatable {
    /// Two plugins (or one, twice) registered the same name.
    case duplicate(kind: String, name: String)

    public var description: String {
        switch self {
        case .duplicate(let kind, let name): return "\(kind) '\(name)' is registered twice"
        }
    }
}
