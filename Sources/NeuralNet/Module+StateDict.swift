import HDF5Store
import TensorCore

extension Module {
    /// Every parameter under its dotted key, in registration order (own parameters first,
    /// then each child's). PyTorch: `Module.named_parameters()`.
    public func namedParameters(prefix: String = "") -> [(key: String, parameter: Parameter)] {
        parameters.map { (prefix + $0.name, $0.parameter) }
            + children.flatMap { $0.module.namedParameters(prefix: prefix + $0.name + ".") }
    }

    /// Every buffer under its dotted key. PyTorch: `Module.named_buffers()`.
    public func namedBuffers(prefix: String = "") -> [(key: String, buffer: Buffer)] {
        buffers.map { (prefix + $0.name, $0.buffer) }
            + children.flatMap { $0.module.namedBuffers(prefix: prefix + $0.name + ".") }
    }

    /// Every module below (and including) this one with its dotted path (`""` for self).
    /// PyTorch: `Module.named_modules()`.
    public func namedModules(prefix: String = "") -> [(path: String, module: Module)] {
        [(prefix, self)] + children.flatMap { child in
            child.module.namedModules(prefix: prefix.isEmpty ? child.name : prefix + "." + child.name)
        }
    }

    /// Parameters that currently require a gradient, in registration order.
    public func trainableParameters() -> [Parameter] {
        namedParameters().map(\.parameter).filter(\.requiresGrad)
    }

    /// Total number of parameter elements.
    public var parameterCount: Int { namedParameters().reduce(0) { $0 + $1.parameter.count } }

    /// Parameters and buffers under PyTorch's keys, in PyTorch's order: per module its
    /// parameters, then its buffers, then its children. PyTorch: `Module.state_dict()`.
    public func stateDict(prefix: String = "") -> StateDict {
        var result = StateDict()
        appendState(to: &result, prefix: prefix)
        return result
    }

    private func appendState(to result: inout StateDict, prefix: String) {
        for (name, parameter) in parameters { result.append(prefix + name, parameter.value) }
        for (name, buffer) in buffers { result.append(prefix + name, buffer.value, dtype: buffer.dtype) }
        for (name, child) in children { child.appendState(to: &result, prefix: prefix + name + ".") }
    }

    /// Copies values from `state` into this module's parameters and buffers.
    ///
    /// Every problem is collected before anything is thrown, as PyTorch does: keys the module
    /// has and `state` lacks, keys `state` has and the module lacks (strict mode only), and
    /// shape mismatches. Nothing is modified unless the whole load succeeds. The one leniency
    /// is PyTorch's: a missing `num_batches_tracked` loads as 0.
    ///
    /// - Parameters:
    ///   - state: the state dict, keys relative to this module.
    ///   - strict: whether unexpected keys are an error (missing keys and shape mismatches
    ///     always are).
    ///   - source: the file the state came from, named in errors.
    /// - Returns: the keys `state` had that the module did not use (empty in strict mode).
    /// - Throws: ``StateDictError`` listing every problem.
    /// PyTorch: `Module.load_state_dict(state, strict)`.
    @discardableResult
    public func load(_ state: StateDict, strict: Bool = true, source: String? = nil) throws -> [String] {
        let state = adaptedForLoading(state)
        let own = stateDict()
        var missing: [String] = [], mismatched: [StateDictError.Mismatch] = []
        for entry in own.entries {
            guard let incoming = state[entry.key] else {
                if !entry.key.hasSuffix("num_batches_tracked") { missing.append(entry.key) }
                continue
            }
            if incoming.shape != entry.tensor.shape {
                mismatched.append(.init(key: entry.key, expected: entry.tensor.shape, found: incoming.shape))
            }
        }
        let ownKeys = Set(own.keys)
        let unexpected = state.keys.filter { !ownKeys.contains($0) }
        if !missing.isEmpty || !mismatched.isEmpty || (strict && !unexpected.isEmpty) {
            throw StateDictError(source: source, missing: missing, unexpected: strict ? unexpected : [],
                                 mismatched: mismatched, hints: loadingHints(for: mismatched))
        }
        for (key, parameter) in namedParameters() { if let value = state[key] { parameter.assign(value) } }
        for (key, buffer) in namedBuffers() {
            buffer.value = state[key]?.copy() ?? Tensor.zeros(buffer.value.shape)
        }
        return unexpected
    }

    /// Loads `/state_dict` of an HDF5 checkpoint, keys under `prefix` (e.g. `"segmenter."`)
    /// with that prefix removed; see ``load(_:strict:source:)``.
    @discardableResult
    public func load(checkpoint path: String, prefix: String = "", strict: Bool = true) throws -> [String] {
        let file = try StateDict.load(from: path)
        guard !prefix.isEmpty else { return try load(file, strict: strict, source: path) }
        let state = file.scoped(String(prefix.dropLast(prefix.hasSuffix(".") ? 1 : 0)))
        guard !state.keys.isEmpty || stateDict().keys.isEmpty else {
            var counts: [String: Int] = [:]
            for key in file.keys { counts[(key.split(separator: ".").first.map(String.init) ?? key) + ".", default: 0] += 1 }
            let found = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { (prefix: $0.key, keys: $0.value) }
            throw StateDictError(source: path, missing: stateDict().keys, unexpected: [], mismatched: [],
                                 wrongPrefix: (asked: prefix.hasSuffix(".") ? prefix : prefix + ".", found: found))
        }
        return try load(state, strict: strict, source: path)
    }
}
