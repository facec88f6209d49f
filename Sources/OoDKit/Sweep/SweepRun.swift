import Foundation

/// One training and evaluation of a sweep point: the point under one seed of a seeded sweep,
/// or the point once (its recipe's own seed).
public struct SweepRun: Sendable {
    /// The point.
    public var point: SweepPoint
    /// The seed it trains with (nil: the recipe's own).
    public var seed: UInt64?
    /// Where it trains and evaluates: the point's folder, or `<folder>/seed=<seed>`.
    public var folder: String
    /// The point's overrides with `{point:NAME}` resolved.
    public var overrides: [RecipeOverride]
    /// The folders of the runs this one takes a result from (`{point:NAME}`): they finish first.
    public let upstreamFolders: [String]

    /// The run of `point` with `seed`; `folders` maps each earlier point to its runs' folders
    /// by seed (nil: the point's single run).
    /// - Throws: ``RecipeError`` at the override naming a point that has no run with this seed.
    init(_ point: SweepPoint, seed: UInt64?, folders: [String: [UInt64?: String]]) throws {
        self.point = point
        self.seed = seed
        folder = seed.map { point.folder + "/seed=\($0)" } ?? point.folder
        overrides = try point.overrides.map { override in
            var resolved = override
            resolved.value = try Self.resolving(override.value, keyPath: override.keyPath.joined(separator: "."), seed: seed, folders: folders)
            return resolved
        }
        upstreamFolders = try point.overrides.flatMap { try Self.referencedPoints(in: $0.value) }
            .compactMap { folders[$0]?[seed] ?? folders[$0]?[nil] }
    }

    /// The point's name, and the seed when seeded (`RPL seed 1`).
    public var label: String { point.name + (seed.map { " seed \($0)" } ?? "") }

    /// `value` with every `{point:NAME}` in its strings replaced by NAME's run folder for `seed`
    /// (or NAME's single run when it ran once).
    private static func resolving(_ value: RecipeValue, keyPath: String, seed: UInt64?, folders: [String: [UInt64?: String]]) throws -> RecipeValue {
        try mappingStrings(value, keyPath: keyPath) { text, at, keyPath in
            try referencedPoints(in: text).reduce(text) { resolved, name in
                guard let folder = folders[name]?[seed] ?? folders[name]?[nil] else {
                    throw RecipeError(at, keyPath: keyPath, "{point:\(name)}: point '\(name)' has no run with seed \(seed.map(String.init) ?? "none") "
                                        + "(a point run once per seed cannot feed a point that runs once)")
                }
                return resolved.replacingOccurrences(of: "{point:\(name)}", with: folder)
            }
        }
    }

    /// `value` with `transform(text, location, key path)` applied to every string in it.
    private static func mappingStrings(_ value: RecipeValue, keyPath: String,
                                       _ transform: (String, RecipeLocation, String) throws -> String) throws -> RecipeValue {
        switch value {
        case .scalar(let text, let quoted, let at):
            return .scalar(try transform(text, at, keyPath), quoted: quoted, at: at)
        case .null:
            return value
        case .mapping(let entries, let at):
            return .mapping(try entries.map { entry in
                var entry = entry
                entry.value = try mappingStrings(entry.value, keyPath: keyPath + "." + entry.key, transform)
                return entry
            }, at: at)
        case .sequence(let items, let at):
            return .sequence(try items.enumerated().map { try mappingStrings($1, keyPath: keyPath + ".\($0)", transform) }, at: at)
        }
    }

    /// The point names written as `{point:NAME}` in `text`, in order.
    static func referencedPoints(in text: String) -> [String] {
        var names: [String] = []
        var rest = text[...]
        while let open = rest.range(of: "{point:") {
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else { break }
            names.append(String(rest[open.upperBound..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }

    /// Throws when one of `later` (`pixelood sweep --set`, applied after the point's own
    /// overrides) would replace a value of the point that names another point's folder: the
    /// chain (RPL on the segmenter Meta-OoD left) would silently break.
    func checkChainKept(by later: [RecipeOverride]) throws {
        for override in later {
            for chained in point.overrides where chained.keyPath.starts(with: override.keyPath) {
                let names = try Self.referencedPoints(in: chained.value)
                guard let name = names.first else { continue }
                throw RecipeError(override.location, keyPath: override.keyPath.joined(separator: "."),
                                  "point '\(point.name)' takes \(chained.keyPath.joined(separator: ".")) from {point:\(name)}; this override would replace it "
                                    + "(give values every point starts from with --base-set, which applies before the points' own set:)")
            }
        }
    }

    /// The point names written as `{point:NAME}` anywhere in `value`.
    static func referencedPoints(in value: RecipeValue) throws -> [String] {
        var names: [String] = []
        _ = try mappingStrings(value, keyPath: "") { text, _, _ in
            names += referencedPoints(in: text)
            return text
        }
        return names
    }

    /// Throws unless every `{point:NAME}` in `overrides` names one of `earlier`.
    static func checkPointReferences(_ overrides: [RecipeOverride], earlier: [String]) throws {
        for override in overrides {
            _ = try mappingStrings(override.value, keyPath: override.keyPath.joined(separator: ".")) { text, at, keyPath in
                for name in referencedPoints(in: text) where !earlier.contains(name) {
                    let hint = nearest(name, in: earlier).map { "; did you mean '\($0)'?" } ?? ""
                    throw RecipeError(at, keyPath: keyPath, "{point:\(name)} names no earlier point (earlier: \(earlier.isEmpty ? "none" : earlier.joined(separator: ", "))\(hint))")
                }
                return text
            }
        }
    }
}
