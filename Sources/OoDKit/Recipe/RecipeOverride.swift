import Foundation

/// One value replaced after a recipe's bases are merged: `--set key.path=value` on the
/// command line, or an entry of a sweep file's `set:`. Numeric segments index lists;
/// missing mapping keys are created.
public struct RecipeOverride: Sendable {
    /// The key path, one segment per level (`["stages", "0", "iterations"]`).
    public var keyPath: [String]
    /// The new value.
    public var value: RecipeValue
    /// Where the override was written (errors point here).
    public var location: RecipeLocation

    /// An override of `keyPath` (dotted, `stages.0.iterations`) with `value`, written at `location`.
    /// - Throws: ``RecipeError`` at `location` when the key path has an empty segment.
    public init(keyPath: String, value: RecipeValue, location: RecipeLocation) throws {
        let path = keyPath.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !path.isEmpty, path.allSatisfy({ !$0.isEmpty }) else {
            throw RecipeError(location, keyPath: keyPath, "the key path has an empty segment")
        }
        (self.keyPath, self.value, self.location) = (path, value, location)
    }

    /// Parses one `a.b.c=value` argument (the value is YAML).
    /// - Throws: ``RecipeError`` located in the argument (file `--set`).
    public init(parsing argument: String) throws {
        let here = RecipeLocation(file: "--set", line: 1, column: 1, lineText: argument)
        guard let equals = argument.firstIndex(of: "=") else {
            throw RecipeError(here, keyPath: "", "expected key.path=value")
        }
        let valueColumn = argument.distance(from: argument.startIndex, to: equals) + 2
        let text = String(argument[argument.index(after: equals)...])
        let value = try RecipeParser.parse(text.isEmpty ? "~" : text, file: "--set")
        try self.init(keyPath: String(argument[..<equals]),
                      value: Self.relocated(value, line: argument, columnOffset: valueColumn - 1), location: here)
    }

    /// `tree` with this override applied.
    /// - Throws: ``RecipeError`` at ``location`` when the path runs through a value or past a list's end.
    public func applied(to tree: RecipeValue) throws -> RecipeValue {
        try set(at: keyPath[...], in: tree)
    }

    private func set(at path: ArraySlice<String>, in tree: RecipeValue) throws -> RecipeValue {
        guard let key = path.first else { return value }
        let rest = path.dropFirst()
        let done = keyPath[..<path.startIndex].joined(separator: ".")
        let full = keyPath.joined(separator: ".")
        switch tree {
        case .mapping(var entries, let at):
            if let index = entries.firstIndex(where: { $0.key == key }) {
                entries[index].value = try set(at: rest, in: entries[index].value)
            } else {
                entries.append(RecipeEntry(key: key, keyLocation: location, value: try set(at: rest, in: .mapping([], at: location))))
            }
            return .mapping(entries, at: at)
        case .null:
            return try set(at: path, in: .mapping([], at: location))
        case .sequence(var items, let at):
            guard let index = Int(key), items.indices.contains(index) else {
                throw RecipeError(location, keyPath: full, "'\(key)' is not an index of the list at '\(done)' (it has \(items.count) items)")
            }
            items[index] = try set(at: rest, in: items[index])
            return .sequence(items, at: at)
        case .scalar:
            throw RecipeError(location, keyPath: full, "'\(done)' is a value, not a mapping")
        }
    }

    /// The parsed `--set` value, its locations pointing into the argument.
    private static func relocated(_ value: RecipeValue, line: String, columnOffset: Int) -> RecipeValue {
        func move(_ at: RecipeLocation) -> RecipeLocation {
            RecipeLocation(file: "--set", line: 1, column: at.column + columnOffset, lineText: line)
        }
        switch value {
        case .scalar(let text, let quoted, let at): return .scalar(text, quoted: quoted, at: move(at))
        case .null(let at): return .null(at: move(at))
        case .sequence(let items, let at):
            return .sequence(items.map { relocated($0, line: line, columnOffset: columnOffset) }, at: move(at))
        case .mapping(let entries, let at):
            return .mapping(entries.map {
                RecipeEntry(key: $0.key, keyLocation: move($0.keyLocation),
                            value: relocated($0.value, line: line, columnOffset: columnOffset))
            }, at: move(at))
        }
    }
}

extension RecipeOverride {
    /// The value on one line (YAML flow style), for listings.
    public var shownValue: String { RecipeWriter.flow(value) }
}
