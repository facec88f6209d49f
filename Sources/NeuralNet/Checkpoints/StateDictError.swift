/// Every way a state dict failed to fit a module, collected before throwing.
/// PyTorch: the `RuntimeError` of `load_state_dict`, listing missing and unexpected keys.
public struct StateDictError: Error, CustomStringConvertible, Equatable {
    /// A key present on both sides with different shapes.
    public struct Mismatch: Sendable, Equatable {
        public var key: String
        public var expected: [Int]
        public var found: [Int]

        /// Describes a mismatch.
        public init(key: String, expected: [Int], found: [Int]) {
            (self.key, self.expected, self.found) = (key, expected, found)
        }
    }

    /// The checkpoint file, when the state came from one.
    public var source: String?
    /// Keys the module has and the state dict lacks.
    public var missing: [String]
    /// Keys the state dict has and the module lacks (strict loads only).
    public var unexpected: [String]
    /// Shape mismatches.
    public var mismatched: [Mismatch]
    /// Set when a load under a prefix found no key under it: the prefix asked for and the
    /// file's own top-level prefixes with their key counts, most keys first.
    public var wrongPrefix: (asked: String, found: [(prefix: String, keys: Int)])? = nil
    /// What the model says explains the mismatches (``Module/loadingHints(for:)``), one line each.
    public var hints: [String] = []

    /// The error of a load from `source`.
    public init(source: String?, missing: [String], unexpected: [String], mismatched: [Mismatch],
                wrongPrefix: (asked: String, found: [(prefix: String, keys: Int)])? = nil, hints: [String] = []) {
        (self.source, self.missing, self.unexpected, self.mismatched, self.wrongPrefix) = (source, missing, unexpected, mismatched, wrongPrefix)
        self.hints = hints
    }

    /// Keys listed per category before the rest are counted.
    public static let listedKeys = 12

    public static func == (a: Self, b: Self) -> Bool {
        a.source == b.source && a.missing == b.missing && a.unexpected == b.unexpected && a.mismatched == b.mismatched && a.hints == b.hints
            && a.wrongPrefix?.asked == b.wrongPrefix?.asked
            && a.wrongPrefix?.found.map(\.prefix) == b.wrongPrefix?.found.map(\.prefix)
            && a.wrongPrefix?.found.map(\.keys) == b.wrongPrefix?.found.map(\.keys)
    }

    public var description: String {
        if let wrongPrefix {
            let found = wrongPrefix.found.map { "'\($0.prefix)' (\($0.keys) keys)" }.joined(separator: ", ")
            return "\(source.map { $0 + ": " } ?? "")no key starts with '\(wrongPrefix.asked)'; the file's keys start with "
                + (found.isEmpty ? "nothing (it is empty)" : found)
                + " — convert it with the matching --source of scripts/convert_checkpoint.py, or load under that prefix"
        }
        func listed(_ keys: [String]) -> String {
            let shown = keys.prefix(Self.listedKeys).joined(separator: ", ")
            return keys.count > Self.listedKeys ? shown + ", … (\(keys.count - Self.listedKeys) more)" : shown
        }
        var lines = ["\(source.map { $0 + ": " } ?? "")state dict does not fit the model:"]
        if !missing.isEmpty { lines.append("  missing keys (\(missing.count)): " + listed(missing)) }
        if !unexpected.isEmpty { lines.append("  unexpected keys (\(unexpected.count)): " + listed(unexpected)) }
        for m in mismatched {
            lines.append("  size mismatch for \(m.key): checkpoint has \(m.found), model expects \(m.expected)")
        }
        lines += hints.map { "  hint: " + $0 }
        return lines.joined(separator: "\n")
    }
}
