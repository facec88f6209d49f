import Foundation
import Yams

/// Parses recipe YAML into a ``RecipeValue`` tree, turning every YAML problem into a
/// located ``RecipeError``. Bounded: files over 1 MiB, nesting deeper than libyaml's limit
/// (1000) and documents that expand (through aliases) to more than 100 000 nodes are errors,
/// never a crash or a hang.
public enum RecipeParser {
    /// The largest recipe file read.
    public static let maximumBytes = 1 << 20
    /// The most nodes a document may expand to.
    public static let maximumNodes = 100_000

    /// Reads and parses the recipe file at `path`.
    /// - Throws: ``RecipeError`` (at line 1 for unreadable files).
    public static func parse(file path: String) throws -> RecipeValue {
        let start = RecipeLocation(file: path, line: 1, column: 1, lineText: "")
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RecipeError(start, keyPath: "", "cannot read the recipe file (missing or unreadable)")
        }
        guard data.count <= maximumBytes else {
            throw RecipeError(start, keyPath: "", "the recipe is \(data.count) bytes; recipes are limited to \(maximumBytes)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RecipeError(start, keyPath: "", "the recipe is not valid UTF-8 text")
        }
        return try parse(text, file: path)
    }

    /// Parses recipe text; `file` names it in errors.
    /// - Throws: ``RecipeError``.
    public static func parse(_ text: String, file: String) throws -> RecipeValue {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func location(_ mark: Mark?) -> RecipeLocation {
            let line = max(1, mark?.line ?? 1), column = max(1, mark?.column ?? 1)
            return RecipeLocation(file: file, line: line, column: column, lineText: line <= lines.count ? lines[line - 1] : "")
        }
        if text.unicodeScalars.contains(where: { $0.value == 0 }) {
            throw RecipeError(location(nil), keyPath: "", "the recipe contains a NUL character")
        }
        let root: Node?
        do {
            root = try Parser(yaml: text).singleRoot()
        } catch let error as YamlError {
            throw convert(error, lines: lines, location: location)
        }
        guard let root else { throw RecipeError(location(nil), keyPath: "", "the recipe is empty") }
        var budget = maximumNodes
        return try convert(root, location: location, budget: &budget)
    }

    private static func convert(_ node: Node, location: (Mark?) -> RecipeLocation, budget: inout Int) throws -> RecipeValue {
        budget -= 1
        guard budget >= 0 else {
            throw RecipeError(location(node.mark), keyPath: "",
                              "the recipe expands to more than \(maximumNodes) values (aliases repeated too often?)")
        }
        switch node {
        case .scalar(let scalar):
            let at = location(scalar.mark)
            if scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string) { return .null(at: at) }
            return .scalar(scalar.string, quoted: scalar.style != .plain, at: at)
        case .sequence(let sequence):
            var items: [RecipeValue] = []
            for item in sequence { items.append(try convert(item, location: location, budget: &budget)) }
            return .sequence(items, at: location(sequence.mark))
        case .mapping(let mapping):
            var entries: [RecipeEntry] = []
            for (key, value) in mapping {
                guard case .scalar(let name) = key, !name.string.isEmpty else {
                    throw RecipeError(location(key.mark), keyPath: "", "a mapping key must be a plain name, found \(describe(key))")
                }
                entries.append(RecipeEntry(key: name.string, keyLocation: location(key.mark),
                                           value: try convert(value, location: location, budget: &budget)))
            }
            return .mapping(entries, at: location(mapping.mark))
        case .alias:
            throw RecipeError(location(node.mark), keyPath: "", "unresolved YAML alias")
        }
    }

    private static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let s): return "'\(s.string)'"
        case .alias: return "an alias"
        }
    }

    private static func convert(_ error: YamlError, lines: [String], location: (Mark?) -> RecipeLocation) -> RecipeError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let prefix = context.map { $0.text + " (line \($0.mark.line)), " } ?? ""
            return RecipeError(location(mark), keyPath: "", "invalid YAML: " + prefix + problem)
        case .duplicatedKeysInMapping(let duplicates, let context):
            // libyaml's mark is the mapping's (or the first key's); point at the repeat.
            let key = duplicates.sorted().first ?? ""
            let first = context.mark.line
            let indent = String(repeating: " ", count: max(0, context.mark.column - 1))
            let repeatLine = lines.indices.first { $0 + 1 > first && lines[$0].hasPrefix(indent + key + ":") }
            var at = location(context.mark)
            if let repeatLine { at = RecipeLocation(file: at.file, line: repeatLine + 1, column: at.column, lineText: lines[repeatLine]) }
            return RecipeError(at, keyPath: key, "duplicate key (first set at line \(first))"
                               + (duplicates.count > 1 ? "; also repeated: " + duplicates.sorted().dropFirst().joined(separator: ", ") : ""))
        case .reader(let problem, _, _, _):
            return RecipeError(location(nil), keyPath: "", "unreadable text: \(problem)")
        default:
            return RecipeError(location(nil), keyPath: "", "invalid YAML: \(error)")
        }
    }
}
