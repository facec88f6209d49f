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

    public var description: String {
        var lines = ["\(source.map { $0 + ": " } ?? "")state dict does not fit the model:"]
        if !missing.isEmpty { lines.append("  missing keys (\(missing.count)): " + missing.joined(separator: ", ")) }
        if !unexpected.isEmpty { lines.append("  unexpected keys (\(unexpected.count)): " + unexpected.joined(separator: ", ")) }
        for m in mismatched {
            lines.append("  size mismatch for \(m.key): checkpoint has \(m.found), model expects \(m.expected)")
        }
        return lines.joined(separator: "\n")
    }
}
