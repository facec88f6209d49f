/// Named tensors in a fixed order, PyTorch's `state_dict()`: keys are dotted paths
/// (`layer1.0.conv1.weight`), order is registration order.
public struct StateDict: Sendable {
    /// Storage type of an entry in a checkpoint file (PyTorch's dtype).
    public enum DType: String, Sendable {
        /// `torch.float32`: weights, biases, running statistics.
        case float32
        /// `torch.int64`: counters such as `num_batches_tracked`.
        case int64
    }

    /// One named tensor.
    public struct Entry: Sendable {
        public var key: String
        public var tensor: Tensor
        public var dtype: DType
    }

    /// Entries in order.
    public private(set) var entries: [Entry] = []
    private var positions: [String: Int] = [:]

    /// An empty state dict.
    public init() {}

    /// Keys in order.
    public var keys: [String] { entries.map(\.key) }
    /// Number of entries.
    public var count: Int { entries.count }

    /// The tensor stored under `key`, if any.
    public subscript(key: String) -> Tensor? { positions[key].map { entries[$0].tensor } }

    /// The entry stored under `key`, if any.
    public func entry(_ key: String) -> Entry? { positions[key].map { entries[$0] } }

    /// Appends an entry; a duplicate key is a programmer error.
    public mutating func append(_ key: String, _ tensor: Tensor, dtype: DType = .float32) {
        require(positions[key] == nil, "StateDict: duplicate key '\(key)'")
        positions[key] = entries.count
        entries.append(Entry(key: key, tensor: tensor.detached(), dtype: dtype))
    }

    /// Replaces the tensor under an existing `key`, keeping its place and dtype; a missing
    /// key is a programmer error.
    public mutating func replace(_ key: String, with tensor: Tensor) {
        guard let position = positions[key] else { contractViolation("StateDict: no key '\(key)' to replace") }
        entries[position].tensor = tensor.detached()
    }

    /// Entries whose key starts with `prefix + "."`, with that prefix removed.
    public func scoped(_ prefix: String) -> StateDict {
        var result = StateDict()
        let head = prefix + "."
        for e in entries where e.key.hasPrefix(head) { result.append(String(e.key.dropFirst(head.count)), e.tensor, dtype: e.dtype) }
        return result
    }

    /// All entries with `prefix + "."` put in front of their keys.
    public func prefixed(_ prefix: String) -> StateDict { Self.merging([(prefix, self)]) }

    /// The entries of several state dicts, each under its root (`segmenter`, `head`,
    /// `optimizer`): `root + "." + key`, in the order given. Split again with ``scoped(_:)``.
    public static func merging(_ parts: [(root: String, state: StateDict)]) -> StateDict {
        var result = StateDict()
        for (root, state) in parts { for e in state.entries { result.append(root + "." + e.key, e.tensor, dtype: e.dtype) } }
        return result
    }

    /// The first key segments present (`["head", "segmenter"]` for a checkpoint with both
    /// roots), in order of first appearance.
    public var roots: [String] {
        var seen: Set<String> = [], result: [String] = []
        for e in entries {
            let root = String(e.key.prefix { $0 != "." })
            if seen.insert(root).inserted { result.append(root) }
        }
        return result
    }
}
