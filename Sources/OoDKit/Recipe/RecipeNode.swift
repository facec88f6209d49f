/// A polymorphic recipe section (`segmenter:`, `head:`, `losses:` items, `score:`): the
/// value as written, kept for the catalog that builds it. The catalog reads `type:` and
/// decodes the rest of the same mapping into its entry's config. A bare word stands for
/// `{type: word}` (`score: energy`).
public struct RecipeNode: Sendable, Decodable {
    /// The value as written.
    public let value: RecipeValue
    /// Its dotted key path in the recipe (`stages.1.head`).
    public let keyPath: [String]

    /// Wraps a value found at `keyPath`.
    public init(value: RecipeValue, keyPath: [String]) { (self.value, self.keyPath) = (value, keyPath) }

    /// A node parsed from YAML text (tests, command-line defaults): `"{type: resnet50}"`.
    /// - Throws: ``RecipeError`` located in `file`.
    public init(yaml: String, file: String = "<inline>") throws {
        self.init(value: try RecipeParser.parse(yaml, file: file), keyPath: [])
    }

    /// RecipeNodes decode only through ``RecipeDecoder`` (which hands over the raw value).
    public init(from decoder: any Decoder) throws {
        throw DecodingError.typeMismatch(RecipeNode.self, .init(codingPath: decoder.codingPath,
                                                                 debugDescription: "RecipeNode decodes only from recipes"))
    }

    /// The dotted key path as text.
    public var keyPathText: String { keyPath.joined(separator: ".") }

    /// An error located at this node.
    public func error(_ message: String) -> RecipeError { RecipeError(value.location, keyPath: keyPathText, message) }

    /// The entry name (`type:`, or the bare word), with its location.
    /// - Throws: ``RecipeError`` when there is no `type:` or it is not a word.
    public func typeName(kind: String) throws -> (name: String, location: RecipeLocation) {
        switch value {
        case .scalar(let text, _, let at): return (text, at)
        case .mapping:
            guard let type = value["type"] else { throw error("missing key 'type' (which \(kind) to build)") }
            guard case .scalar(let text, _, let at) = type else {
                throw RecipeError(type.location, keyPath: keyPathText + ".type", "expected a \(kind) name, found \(type.shownInErrors)")
            }
            return (text, at)
        default: throw error("expected a \(kind): a name or a mapping with 'type', found \(value.shownInErrors)")
        }
    }

    /// Decodes this node's keys other than `type` (and `alsoRead`, keys the caller reads
    /// itself, such as a loss term's `weight`) into `Config`, strictly.
    /// - Throws: ``RecipeError``.
    public func decodeConfig<Config: Decodable>(_ type: Config.Type, alsoRead: Set<String> = []) throws -> Config {
        try decodeConfigRecordingNested(type, alsoRead: alsoRead).result
    }

    /// Decodes as ``decodeConfig(_:alsoRead:)`` and returns the ``NestedNode``s in the config.
    func decodeConfigRecordingNested<Config: Decodable>(_ type: Config.Type, alsoRead: Set<String>) throws
        -> (result: Config, nested: [NestedReference]) {
        let body: RecipeValue
        if case .scalar(_, _, let at) = value { body = .mapping([], at: at) } else { body = value }
        return try RecipeDecoder(keyPath: keyPath, consumedKeys: alsoRead.union(["type"])).decodeRecordingNested(type, from: body)
    }
}
