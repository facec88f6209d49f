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
        try load(path, applying: overrides.map(RecipeOverride.init(parsing:)))
    }

    /// Loads, merges, applies `overrides` in order (a sweep's settings, then `--set`), decodes
    /// and validates.
    /// - Throws: ``RecipeError`` located in the recipe, a base file, or the override's source.
    public static func load(_ path: String, applying overrides: [RecipeOverride]) throws -> LoadedRecipe {
        var files: [String] = []
        var tree = try resolveBases(path, chain: [], files: &files)
        for override in overrides { tree = try override.applied(to: tree) }
        let recipe = try RecipeDecoder().decode(Recipe.self, from: tree)
        return LoadedRecipe(recipe: recipe, resolved: tree, files: files)
    }

    /// Parses text alone (no `base:` allowed, no overrides), for tests and fuzzing.
    /// - Throws: ``RecipeError``.
    public static func decode(_ text: String, file: String) throws -> Recipe {
        try recorded(text, file: file).recipe
    }

    /// A recipe recorded as resolved text (a checkpoint's metadata; no `base:` to follow),
    /// `file` naming it in errors.
    /// - Throws: ``RecipeError`` located in the text.
    public static func recorded(_ text: String, file: String) throws -> LoadedRecipe {
        let tree = try RecipeParser.parse(text, file: file)
        return LoadedRecipe(recipe: try RecipeDecoder().decode(Recipe.self, from: tree), resolved: tree, files: [file])
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
}
