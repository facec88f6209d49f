extension RecipeValue {
    /// Every leaf of the tree by its dotted key path (list items by index): a scalar's text,
    /// `null`, or `{}` / `[]` for an empty mapping or list.
    func leaves(under prefix: String = "") -> [String: String] {
        func path(_ key: String) -> String { prefix.isEmpty ? key : prefix + "." + key }
        switch self {
        case .scalar(let text, _, _): return [prefix: text]
        case .null: return [prefix: "null"]
        case .mapping(let entries, _):
            if entries.isEmpty { return [prefix: "{}"] }
            return entries.reduce(into: [:]) { all, entry in all.merge(entry.value.leaves(under: path(entry.key))) { $1 } }
        case .sequence(let items, _):
            if items.isEmpty { return [prefix: "[]"] }
            return items.enumerated().reduce(into: [:]) { all, item in all.merge(item.element.leaves(under: path(String(item.offset)))) { $1 } }
        }
    }

    /// Where `other` differs from this recipe, one line per key path (sorted), as
    /// `key.path: old → new` (`—` where a side lacks the key); key paths under any of
    /// `ignoring` (top-level sections or dotted prefixes) are left out.
    public func differences(to other: RecipeValue, ignoring: Set<String> = []) -> [String] {
        let (mine, theirs) = (leaves(), other.leaves())
        func ignored(_ path: String) -> Bool { ignoring.contains { path == $0 || path.hasPrefix($0 + ".") } }
        return Set(mine.keys).union(theirs.keys).filter { !ignored($0) && mine[$0] != theirs[$0] }.sorted().map {
            "\($0): \(mine[$0] ?? "—") → \(theirs[$0] ?? "—")"
        }
    }
}
