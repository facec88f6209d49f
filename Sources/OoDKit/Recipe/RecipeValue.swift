/// Where a recipe value was written: file, 1-based line and column, and that line's text
/// (for the caret snippet of errors). Values set with `--set` point at the command line.
public struct RecipeLocation: Sendable, Equatable, CustomStringConvertible {
    /// The recipe file, or `--set` for a command-line override.
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column.
    public var column: Int
    /// The text of that line.
    public var lineText: String

    /// A location.
    public init(file: String, line: Int, column: Int, lineText: String) {
        (self.file, self.line, self.column, self.lineText) = (file, line, column, lineText)
    }

    /// `file:line:column`, as compilers print it.
    public var description: String { "\(file):\(line):\(column)" }

    /// The line and a caret under the column.
    public var snippet: String {
        lineText + "\n" + String(repeating: " ", count: max(0, min(column - 1, lineText.count))) + "^"
    }
}

/// A parsed recipe document: the YAML tree with every node's location, independent of the
/// YAML library (so `base:` merging and `--set` overrides are plain tree edits).
public indirect enum RecipeValue: Sendable {
    /// A scalar's text; `quoted` when written in quotes or as a block literal (a string, never a number).
    case scalar(String, quoted: Bool, at: RecipeLocation)
    /// `~`, `null` or nothing.
    case null(at: RecipeLocation)
    /// Key-value pairs in document order.
    case mapping([RecipeEntry], at: RecipeLocation)
    /// Items in order.
    case sequence([RecipeValue], at: RecipeLocation)

    /// Where the value starts.
    public var location: RecipeLocation {
        switch self {
        case .scalar(_, _, let at), .null(let at), .mapping(_, let at), .sequence(_, let at): return at
        }
    }

    /// The entries of a mapping (nil otherwise).
    public var entries: [RecipeEntry]? {
        if case .mapping(let entries, _) = self { return entries }
        return nil
    }

    /// The value under `key` of a mapping.
    public subscript(key: String) -> RecipeValue? { entries?.first { $0.key == key }?.value }

    /// How an error message shows the value: `"fast"` (quoted scalar), `1.5` (plain),
    /// `a mapping`, `a list`, `null`.
    public var shownInErrors: String {
        switch self {
        case .scalar(let text, let quoted, _):
            let short = text.count > 40 ? String(text.prefix(40)) + "…" : text
            return quoted ? "\"\(short)\"" : short
        case .null: return "null"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }
}

/// One key of a mapping.
public struct RecipeEntry: Sendable {
    /// The key's text.
    public var key: String
    /// Where the key is written.
    public var keyLocation: RecipeLocation
    /// The value.
    public var value: RecipeValue

    /// An entry.
    public init(key: String, keyLocation: RecipeLocation, value: RecipeValue) {
        (self.key, self.keyLocation, self.value) = (key, keyLocation, value)
    }
}
