import TensorCore

/// Parameters that share optimisation settings, e.g. a new head trained at 10x the base
/// learning rate. PyTorch: one entry of an optimizer's `param_groups`.
public struct ParameterGroup {
    /// The parameters (those without a gradient at `step()` are skipped).
    public var parameters: [Parameter]
    /// The parameters' state-dict keys (`head.aspp.0.weight`), naming their optimizer state
    /// in checkpoints; unique across the optimizer's groups.
    public var names: [String]
    /// This group's learning rate is `learningRate · lrMultiplier`.
    public var lrMultiplier: Float
    /// Overrides the optimizer's weight decay for this group when set.
    public var weightDecay: Float?

    /// Creates a group of named parameters (``Module/namedParameters(prefix:)``), so the
    /// optimizer's state can be saved and restored by key.
    public init(_ named: [(key: String, parameter: Parameter)], lrMultiplier: Float = 1, weightDecay: Float? = nil) {
        self.parameters = named.map(\.parameter)
        self.names = named.map(\.key)
        self.lrMultiplier = lrMultiplier
        self.weightDecay = weightDecay
    }

    /// Creates a group of unnamed parameters; their state is keyed `group<g>.<i>` by position.
    public init(_ parameters: [Parameter], lrMultiplier: Float = 1, weightDecay: Float? = nil) {
        self.parameters = parameters
        self.names = []
        self.lrMultiplier = lrMultiplier
        self.weightDecay = weightDecay
    }
}

/// Updates parameters in place from their gradients. PyTorch: `torch.optim.Optimizer`.
///
/// Updates are copy-on-write: a state dict taken before a step keeps its values.
public protocol Optimizer: AnyObject {
    /// The base learning rate; schedules set it every iteration.
    var learningRate: Float { get set }
    /// The parameter groups, in order.
    var groups: [ParameterGroup] { get }
    /// Applies one update to every parameter that has a gradient. PyTorch: `optimizer.step()`.
    func step()
    /// The per-parameter state (moments, momentum buffers) and step count, keyed
    /// `<parameter key>.<slot>` in parameter order. PyTorch: `optimizer.state_dict()`.
    func stateDict() -> StateDict
    /// Restores what ``stateDict()`` saved (a copy, never shared).
    /// - Throws: ``StateDictError`` naming unknown keys and shape mismatches.
    func load(_ state: StateDict) throws
}

extension Optimizer {
    /// Clears every parameter's gradient. PyTorch: `optimizer.zero_grad(set_to_none=True)`.
    public func zeroGrad() {
        for group in groups { for parameter in group.parameters { parameter.zeroGrad() } }
    }

    /// Every parameter with its state key, in group order.
    var namedParameters: [(key: String, parameter: Parameter)] {
        groups.enumerated().flatMap { g, group in
            group.parameters.enumerated().map { i, parameter in
                (group.names.isEmpty ? "group\(g).\(i)" : group.names[i], parameter)
            }
        }
    }

    /// Calls `update` for each parameter with a gradient: its group's learning rate and weight
    /// decay, the parameter's state key, the parameter, its (unshared) storage and its gradient's.
    func forEachUpdate(defaultWeightDecay: Float,
                       _ update: (_ lr: Float, _ weightDecay: Float, _ key: String, _ parameter: Parameter,
                                  _ value: UnsafeMutablePointer<Float>, _ grad: UnsafePointer<Float>) -> Void) {
        var index = 0
        let keys = namedParameters.map(\.key)
        for group in groups {
            let lr = learningRate * group.lrMultiplier, decay = group.weightDecay ?? defaultWeightDecay
            for parameter in group.parameters {
                defer { index += 1 }
                guard let grad = parameter.grad else { continue }
                update(lr, decay, keys[index], parameter, parameter.mutableElements(), grad.storage.pointer)
            }
        }
    }
}

/// Per-parameter optimizer state (momentum, moments): named slots per parameter key,
/// created zeroed on first use, saved in parameter order.
struct OptimizerState {
    /// Slot names in saving order (`exp_avg`, `exp_avg_sq` for Adam).
    let slotNames: [String]
    private var slots: [String: TensorStorage] = [:]

    init(slotNames: [String]) { self.slotNames = slotNames }

    /// Slot `slot` of the parameter keyed `key`, and whether it was just created.
    mutating func buffer(for key: String, slot: Int = 0, count: Int) -> (pointer: UnsafeMutablePointer<Float>, isNew: Bool) {
        let name = key + "." + slotNames[slot]
        if let existing = slots[name] { return (existing.pointer, false) }
        let created = TensorStorage(count: count, repeating: 0)
        slots[name] = created
        return (created.pointer, true)
    }

    /// The slots that exist, copied, in parameter then slot order.
    func stateDict(parameters: [(key: String, parameter: Parameter)]) -> StateDict {
        var result = StateDict()
        for (key, parameter) in parameters {
            for slot in slotNames {
                guard let storage = slots[key + "." + slot] else { continue }
                result.append(key + "." + slot, Tensor(shape: parameter.value.shape, storage: storage).copy())
            }
        }
        return result
    }

    /// Replaces every slot with copies from `state`; the keys other than `extraKeys` must
    /// be `<parameter key>.<slot>` with the parameter's shape.
    mutating func load(_ state: StateDict, parameters: [(key: String, parameter: Parameter)], extraKeys: Set<String>) throws {
        var shapes: [String: [Int]] = [:]
        for (key, parameter) in parameters { for slot in slotNames { shapes[key + "." + slot] = parameter.value.shape } }
        var unexpected: [String] = [], mismatched: [StateDictError.Mismatch] = []
        var loaded: [String: TensorStorage] = [:]
        for entry in state.entries where !extraKeys.contains(entry.key) {
            guard let shape = shapes[entry.key] else { unexpected.append(entry.key); continue }
            guard shape == entry.tensor.shape else {
                mismatched.append(.init(key: entry.key, expected: shape, found: entry.tensor.shape))
                continue
            }
            loaded[entry.key] = entry.tensor.copy().storage
        }
        guard unexpected.isEmpty, mismatched.isEmpty else {
            throw StateDictError(source: nil, missing: [], unexpected: unexpected, mismatched: mismatched)
        }
        slots = loaded
    }
}
