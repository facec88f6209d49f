import Foundation

/// One point of a sweep: a recipe with overrides, trained and evaluated in its own folder.
public struct SweepPoint: Sendable {
    /// The point's name (its folder's name and its rows' first column).
    public var name: String
    /// The recipe file.
    public var recipe: String
    /// The sweep's `set:`, then the point's, then the grid's values, in that order.
    public var overrides: [RecipeOverride]
    /// Report rows shown in the sweep table, as (method in report.json, label), in order;
    /// nil: the rows of the point's trained heads, or every row when it trains none.
    public var table: [(method: String, label: String)]?
    /// `<work_dir>/<name>`.
    public var folder: String
}

/// A sweep file read: its points in run order.
///
/// ```yaml
/// recipe: ../recipes/rpl.yaml          # every point's recipe unless the point names one (relative to this file)
/// work_dir: runs/sweeps/table4         # point folders go in here (default runs/sweeps/<file stem>)
/// set: {stages.0.iterations: 300}      # overrides of every point
/// points:                              # a list of points (default: one point named 'base') ...
///   - {name: pe, recipe: ../recipes/rpl-ablation-pe.yaml}
///   - {name: pe+ds, set: {seed: 7}}
/// grid:                                # ... crossed with every combination of these values
///   stages.0.losses.1.temperature: [0.05, 0.1]
/// seeds: [666, 1, 2]                   # every training point once per seed; the table shows mean ± std
/// ```
///
/// A string value in a point's `set:` may name an earlier point's folder as `{point:NAME}`
/// (RPL on the segmenter that point retrained); in a seeded sweep it is the folder of that
/// point's run with the same seed.
public struct SweepPlan: Sendable {
    /// The sweep file.
    public var file: String
    /// Where point folders, the shared feature store and `sweep.md`/`sweep.json` go.
    public var workDir: String
    /// The points, in run order.
    public var points: [SweepPoint]
    /// The training seeds (`seeds:`, or `pixelood sweep --seeds`): a point that trains runs
    /// once per seed in `<folder>/seed=<seed>`; nil: every point runs once with its recipe's seed.
    public var seeds: [UInt64]?

    static let knownKeys = ["recipe", "work_dir", "set", "points", "grid", "table", "seeds"]
    static let pointKeys = ["name", "recipe", "set", "table"]

    /// Reads and checks a sweep file (every recipe is loaded later, when its point runs);
    /// `workDir` replaces the file's `work_dir`, `seeds` its `seeds`, and `baseOverrides`
    /// apply after the file's `set:`, before each point's own (`pixelood sweep --base-set`).
    /// - Throws: ``RecipeError`` located in the sweep file.
    public static func load(_ path: String, workDir: String? = nil, seeds: [UInt64]? = nil,
                            baseOverrides: [RecipeOverride] = []) throws -> SweepPlan {
        let tree = try RecipeParser.parse(file: path)
        guard let entries = tree.entries else {
            throw RecipeError(tree.location, keyPath: "", "a sweep must be a mapping of keys, found \(tree.shownInErrors)")
        }
        try rejectUnknown(entries, known: knownKeys, at: "")
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        func recipePath(_ value: RecipeValue, _ key: String) throws -> String {
            guard case .scalar(let name, _, _) = value, !name.isEmpty else {
                throw RecipeError(value.location, keyPath: key, "expected a recipe file, found \(value.shownInErrors)")
            }
            let resolved = name.hasPrefix("/") ? name : folder.appendingPathComponent(name).standardized.path
            guard FileManager.default.fileExists(atPath: resolved) else {
                throw RecipeError(value.location, keyPath: key, "no recipe at \(resolved)")
            }
            return relativeToCurrentDirectory(resolved)
        }
        let baseRecipe = try tree["recipe"].map { try recipePath($0, "recipe") }
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let workDir = try workDir ?? tree["work_dir"].map { try text($0, "work_dir") } ?? "runs/sweeps/" + stem
        let common = try overrides(tree["set"], key: "set") + baseOverrides
        let commonTable = try table(tree["table"], key: "table")

        var bases: [(name: String, at: RecipeLocation, recipe: String, overrides: [RecipeOverride], table: [(String, String)]?)] = []
        if let list = tree["points"] {
            guard case .sequence(let items, _) = list, !items.isEmpty else {
                throw RecipeError(list.location, keyPath: "points", "expected a non-empty list of points, found \(list.shownInErrors)")
            }
            for (index, item) in items.enumerated() {
                let key = "points.\(index)"
                guard let fields = item.entries else {
                    throw RecipeError(item.location, keyPath: key, "a point is a mapping (name, recipe, set, table), found \(item.shownInErrors)")
                }
                try rejectUnknown(fields, known: pointKeys, at: key + ".")
                guard let nameValue = item["name"] else { throw RecipeError(item.location, keyPath: key, "a point needs a name") }
                let recipe = try item["recipe"].map { try recipePath($0, key + ".recipe") } ?? baseRecipe
                guard let recipe else {
                    throw RecipeError(item.location, keyPath: key, "no recipe: give the point a 'recipe' or the sweep one")
                }
                bases.append((try text(nameValue, key + ".name"), nameValue.location, recipe,
                              try overrides(item["set"], key: key + ".set"), try table(item["table"], key: key + ".table") ?? commonTable))
            }
        } else {
            guard let baseRecipe else { throw RecipeError(tree.location, keyPath: "recipe", "a sweep needs a 'recipe' or 'points'") }
            bases.append(("base", tree.location, baseRecipe, [], commonTable))
        }

        let grid = try gridCombinations(tree["grid"])
        var points: [SweepPoint] = []
        var seen: [String: RecipeLocation] = [:]
        for base in bases {
            for combination in grid {
                let suffix = combination.map(\.label).joined(separator: ",")
                let name = tree["points"] == nil && !suffix.isEmpty ? suffix : [base.name, suffix].filter { !$0.isEmpty }.joined(separator: ",")
                guard name.allSatisfy({ $0.isLetter || $0.isNumber || "._+-=,".contains($0) }), !name.hasPrefix(".") else {
                    throw RecipeError(base.at, keyPath: "name", "'\(name)' cannot name a folder (letters, digits and . _ + - = , only)")
                }
                if let earlier = seen[name] {
                    throw RecipeError(base.at, keyPath: "name", "a second point named '\(name)' (the first is at \(earlier))")
                }
                seen[name] = base.at
                points.append(SweepPoint(name: name, recipe: base.recipe, overrides: common + base.overrides + combination.map(\.override),
                                         table: base.table, folder: workDir + "/" + name))
            }
        }
        for point in points { try SweepRun.checkPointReferences(point.overrides, earlier: points.prefix { $0.name != point.name }.map(\.name)) }
        return SweepPlan(file: path, workDir: workDir, points: points, seeds: try seeds ?? tree["seeds"].map(seedList))
    }

    /// `seeds:` as distinct non-negative integers.
    private static func seedList(_ value: RecipeValue) throws -> [UInt64] {
        guard case .sequence(let items, _) = value, !items.isEmpty else {
            throw RecipeError(value.location, keyPath: "seeds", "expected a non-empty list of seeds ([666, 1, 2]), found \(value.shownInErrors)")
        }
        var seeds: [UInt64] = []
        for (index, item) in items.enumerated() {
            guard case .scalar(let text, false, _) = item, let seed = UInt64(text) else {
                throw RecipeError(item.location, keyPath: "seeds.\(index)", "expected a non-negative integer seed, found \(item.shownInErrors)")
            }
            guard !seeds.contains(seed) else { throw RecipeError(item.location, keyPath: "seeds.\(index)", "seed \(seed) is listed twice") }
            seeds.append(seed)
        }
        return seeds
    }

    /// `grid:` as every combination of its values (the last key varying fastest), each value
    /// an override and a `key=value` label; one empty combination without a grid.
    private static func gridCombinations(_ value: RecipeValue?) throws -> [[(label: String, override: RecipeOverride)]] {
        guard let value else { return [[]] }
        guard let entries = value.entries, !entries.isEmpty else {
            throw RecipeError(value.location, keyPath: "grid", "expected a mapping of key paths to lists of values, found \(value.shownInErrors)")
        }
        var combinations: [[(label: String, override: RecipeOverride)]] = [[]]
        for entry in entries {
            guard case .sequence(let values, _) = entry.value, !values.isEmpty else {
                throw RecipeError(entry.value.location, keyPath: "grid." + entry.key, "expected a non-empty list of values, found \(entry.value.shownInErrors)")
            }
            let short = entry.key.split(separator: ".").last.map(String.init) ?? entry.key
            let options = try values.enumerated().map { index, item in
                let shown = RecipeWriter.flow(item)
                let label = shown.allSatisfy({ $0.isLetter || $0.isNumber || "._+-".contains($0) }) ? shown : "\(index)"
                return (label: short + "=" + label, override: try RecipeOverride(keyPath: entry.key, value: item, location: entry.keyLocation))
            }
            combinations = combinations.flatMap { done in options.map { done + [$0] } }
        }
        return combinations
    }

    private static func overrides(_ value: RecipeValue?, key: String) throws -> [RecipeOverride] {
        guard let value else { return [] }
        guard let entries = value.entries else {
            throw RecipeError(value.location, keyPath: key, "expected a mapping of key paths to values (stages.0.iterations: 300), found \(value.shownInErrors)")
        }
        return try entries.map { try RecipeOverride(keyPath: $0.key, value: $0.value, location: $0.keyLocation) }
    }

    private static func table(_ value: RecipeValue?, key: String) throws -> [(method: String, label: String)]? {
        guard let value else { return nil }
        guard let entries = value.entries, !entries.isEmpty else {
            throw RecipeError(value.location, keyPath: key, "expected a mapping of report methods to row labels ('rpl: rpl': RPL), found \(value.shownInErrors)")
        }
        return try entries.map { ($0.key, try text($0.value, key + "." + $0.key)) }
    }

    private static func text(_ value: RecipeValue, _ key: String) throws -> String {
        guard case .scalar(let text, _, _) = value, !text.isEmpty else {
            throw RecipeError(value.location, keyPath: key, "expected a non-empty string, found \(value.shownInErrors)")
        }
        return text
    }

    private static func rejectUnknown(_ entries: [RecipeEntry], known: [String], at prefix: String) throws {
        for entry in entries where !known.contains(entry.key) {
            let hint = nearest(entry.key, in: known).map { "; did you mean '\($0)'?" } ?? ""
            throw RecipeError(entry.keyLocation, keyPath: prefix + entry.key, "unknown sweep key (known: \(known.joined(separator: ", "))\(hint))")
        }
    }

    /// `path` relative to the current directory when it lies under it (as recipes name data).
    private static func relativeToCurrentDirectory(_ path: String) -> String {
        let here = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(here) ? String(path.dropFirst(here.count)) : path
    }
}
