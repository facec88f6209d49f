import Yams

/// Writes a ``RecipeValue`` back as YAML (quoted scalars stay quoted, so a string never
/// reads back as a number).
enum RecipeWriter {
    static func yaml(_ value: RecipeValue) -> String {
        (try? Yams.serialize(node: node(value), sortKeys: false)) ?? ""
    }

    private static func node(_ value: RecipeValue) -> Node {
        switch value {
        case .scalar(let text, let quoted, _): return Node(text, .implicit, quoted ? .doubleQuoted : .plain)
        case .null: return Node("null", .implicit, .plain)
        case .sequence(let items, _): return Node(items.map(node))
        case .mapping(let entries, _): return Node(entries.map { (Node($0.key), node($0.value)) })
        }
    }
}

extension RecipeWriter {
    /// A value on one line, YAML flow style (`{kernel: 7, sigma: 1.0}`), for labels.
    static func flow(_ value: RecipeValue) -> String {
        switch value {
        case .scalar(let text, let quoted, _): return quoted ? "\"\(text)\"" : text
        case .null: return "null"
        case .sequence(let items, _): return "[" + items.map(flow).joined(separator: ", ") + "]"
        case .mapping(let entries, _): return "{" + entries.map { "\($0.key): \(flow($0.value))" }.joined(separator: ", ") + "}"
        }
    }
}
