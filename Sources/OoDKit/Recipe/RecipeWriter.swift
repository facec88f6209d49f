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
