import Foundation

/// A recipe read from disk: `base:` chains merged, `--set` overrides applied, decoded and
/// validated. `resolved` is the tree the run used (recorded in checkpoints as YAML).
public struct LoadedRecipe: Sendable {
    /// The decoded recipe.
    public var recipe: Recipe
    /// The merged tree.
    public var resolved: RecipeValue
    /// The files read, the recipe first, then its bases.
    public var files: [String]

    /// The resolved recipe as YAML text (for checkpoint metadata and `pixelood check`).
    public var text: String { RecipeWriter.yaml(resolved) }

    /// The run's folder: `work_dir`, else `runs/<name>`, else `runs/<the recipe file's stem>`.
    public var workDir: String {
        recipe.workDir ?? "runs/" + (recipe.name ?? URL(fileURLWithPath: files.first ?? "recipe").deletingPathExtension().lastPathComponent)
    }
}

/// Reads recipes: `base: other.yaml` (relative to the recipe's folder) is loaded first and
/// the recipe's keys are merged over it (mappings deeply, lists and scalars replaced), up
/// to 16 levels; then each `--set a.b.c=value` replaces one value (value parsed as YAML;
/// numeric segments index lists; missing mapping keys are created).
public enum RecipeLoader {
    /// The deepest `base:` chain followed.
    public static let maximumBaseDepth = 16

    /// Loads, merges, overrides, decodes and validates.
    /// - Throws: ``RecipeError`` located in the recipe, a base file, or the `--set` argument.
    public static func load(_ path: String, overrides: [String] = []) throws -> LoadedRecipe {
        var files: [String] = []
        var tree = try resolveBases(path, chain: [], files: &files)
        for override in overrides { tree = try apply(override, to: tree) }
        let recipe = try RecipeDecoder().decode(Recipe.self, from: tree)
        return LoadedRecipe(recipe: recipe, resolved: tree, files: files)
    }

    /// Parses text alone (no `base:` allowed, no overrides), for tests and fuzzing.
    /// - Throws: ``RecipeError``.
    public static func decode(_ text: String, file: String) throws -> Recipe {
        try RecipeDecoder().decode(Recipe.self, from: try RecipeParser.parse(text, file: file))
    }

    private static func resolveBases(_ path: String, chain: [String], files: inout [String]) throws -> RecipeValue {
        let tree = try RecipeParser.parse(file: path)
        files.append(path)
        guard case .mapping(var entries, let at) = tree else {
            throw RecipeError(tree.location, keyPath: "", "a recipe must be a mapping of keys, found \(tree.shownInErrors)")
        }
        guard let index = entries.firstIndex(where: { $0.key == "base" }) else { return tree }
        let baseEntry = entries.remove(at: index)
        guard case .scalar(let name, _, let baseAt) = baseEntry.value, !name.isEmpty else {
            throw RecipeError(baseEntry.value.location, keyPath: "base", "expected a recipe file name, found \(baseEntry.value.shownInErrors)")
        }
        let basePath = name.hasPrefix("/") ? name
            : URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(name).standardized.path
        let canonical = URL(fileURLWithPath: basePath).standardized.path
        guard !(chain + [URL(fileURLWithPath: path).standardized.path]).contains(canonical) else {
            throw RecipeError(baseAt, keyPath: "base", "'\(name)' is already in this recipe's base chain (a cycle)")
        }
        guard chain.count < maximumBaseDepth else {
            throw RecipeError(baseAt, keyPath: "base", "base chains are limited to \(maximumBaseDepth) files")
        }
        guard FileManager.default.fileExists(atPath: basePath) else {
            throw RecipeError(baseAt, keyPath: "base", "no recipe at \(basePath)")
        }
        let base = try resolveBases(basePath, chain: chain + [URL(fileURLWithPath: path).standardized.path], files: &files)
        return merge(base, over: .mapping(entries, at: at))
    }

    /// `override` merged over `base`: mappings key by key (recursively), anything else replaced.
    static func merge(_ base: RecipeValue, over override: RecipeValue) -> RecipeValue {
        guard case .mapping(var merged, let at) = base, case .mapping(let top, _) = override else { return override }
        for entry in top {
            if let index = merged.firstIndex(where: { $0.key == entry.key }) {
                merged[index] = RecipeEntry(key: entry.key, keyLocation: entry.keyLocation, value: merge(merged[index].value, over: entry.value))
            } else {
                merged.append(entry)
            }
        }
        return .mapping(merged, at: at)
    }

    /// Applies one `a.b.c=value` override.
    /// - Throws: ``RecipeError`` located at the argument.
    static func apply(_ override: String, to tree: RecipeValue) throws -> RecipeValue {
        let file = "--set"
        let here = RecipeLocation(file: file, line: 1, column: 1, lineText: override)
        guard let equals = override.firstIndex(of: "=") else {
            throw RecipeError(here, keyPath: "", "expected key.path=value")
        }
        let path = override[..<equals].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !path.isEmpty, path.allSatisfy({ !$0.isEmpty }) else {
            throw RecipeError(here, keyPath: String(override[..<equals]), "the key path has an empty segment")
        }
        let valueColumn = override.distance(from: override.startIndex, to: equals) + 2
        let text = String(override[override.index(after: equals)...])
        var value = try RecipeParser.parse(text.isEmpty ? "~" : text, file: file)
        value = relocated(value, line: override, columnOffset: valueColumn - 1)
        return try set(value, at: path[...], in: tree, fullPath: path, here: here)
    }

    private static func set(_ value: RecipeValue, at path: ArraySlice<String>, in tree: RecipeValue,
                            fullPath: [String], here: RecipeLocation) throws -> RecipeValue {
        guard let key = path.first else { return value }
        let rest = path.dropFirst()
        let done = fullPath[..<path.startIndex].joined(separator: ".")
        switch tree {
        case .mapping(var entries, let at):
            if let index = entries.firstIndex(where: { $0.key == key }) {
                entries[index].value = try set(value, at: rest, in: entries[index].value, fullPath: fullPath, here: here)
            } else {
                entries.append(RecipeEntry(key: key, keyLocation: here,
                                           value: try set(value, at: rest, in: .mapping([], at: here), fullPath: fullPath, here: here)))
            }
            return .mapping(entries, at: at)
        case .null:
            return try set(value, at: path, in: .mapping([], at: here), fullPath: fullPath, here: here)
        case .sequence(var items, let at):
            guard let index = Int(key), items.indices.contains(index) else {
                throw RecipeError(here, keyPath: fullPath.joined(separator: "."),
                                  "'\(key)' is not an index of the list at '\(done)' (it has \(items.count) items)")
            }
            items[index] = try set(value, at: rest, in: items[index], fullPath: fullPath, here: here)
            return .sequence(items, at: at)
        case .scalar:
            throw RecipeError(here, keyPath: fullPath.joined(separator: "."), "'\(done)' is a value, not a mapping")
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
