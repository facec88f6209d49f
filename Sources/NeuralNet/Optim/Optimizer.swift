import TensorCore

/// Parameters that share optimisation settings, e.g. a new head trained at 10x the base
/// learning rate. PyTorch: one entry of an optimizer's `param_groups`.
public struct ParameterGroup {
    /// The parameters (those without a gradient at `step()` are skipped).
    public var parameters: [Parameter]
    /// This group's learning rate is `learningRate · lrMultiplier`.
    public var lrMultiplier: Float
    /// Overrides the optimizer's weight decay for this group when set.
    public var weightDecay: Float?

    /// Creates a group.
    public init(_ parameters: [Parameter], lrMultiplier: Float = 1, weightDecay: Float? = nil) {
        self.parameters = parameters
        self.lrMultiplier = lrMultiplier
        self.weightDecay = weightDecay
    }
}

/// Updates parameters in place from their gradients. PyTorch: `torch.optim.Optimizer`.
public protocol Optimizer: AnyObject {
    /// The base learning rate; schedules set it every iteration.
    var learningRate: Float { get set }
    /// The parameter groups, in order.
    var groups: [ParameterGroup] { get }
    /// Applies one update to every parameter that has a gradient. PyTorch: `optimizer.step()`.
    func step()
}

extension Optimizer {
    /// Clears every parameter's gradient. PyTorch: `optimizer.zero_grad(set_to_none=True)`.
    public func zeroGrad() {
        for group in groups { for parameter in group.parameters { parameter.zeroGrad() } }
    }

    /// Calls `update` for each parameter with a gradient: its group's learning rate and weight
    /// decay, the parameter's storage and its gradient's.
    func forEachUpdate(defaultWeightDecay: Float,
                       _ update: (_ lr: Float, _ weightDecay: Float, _ parameter: Parameter,
                                  _ value: UnsafeMutablePointer<Float>, _ grad: UnsafePointer<Float>) -> Void) {
        for group in groups {
            let lr = learningRate * group.lrMultiplier, decay = group.weightDecay ?? defaultWeightDecay
            for parameter in group.parameters {
                guard let grad = parameter.grad else { continue }
                update(lr, decay, parameter, parameter.value.storage.pointer, grad.storage.pointer)
            }
        }
    }
}

/// Per-parameter optimizer state (momentum, moments): numbered slots per parameter,
/// created zeroed on first use. Looked up by identity, never iterated.
struct OptimizerState {
    private struct Key: Hashable {
        let parameter: ObjectIdentifier
        let slot: Int
    }
    private var slots: [Key: TensorStorage] = [:]

    /// Slot `slot` of `parameter`, and whether it was just created.
    mutating func buffer(for parameter: Parameter, slot: Int = 0) -> (pointer: UnsafeMutablePointer<Float>, isNew: Bool) {
        let key = Key(parameter: ObjectIdentifier(parameter), slot: slot)
        if let existing = slots[key] { return (existing.pointer, false) }
        let created = TensorStorage(count: parameter.count, repeating: 0)
        slots[key] = created
        return (created.pointer, true)
    }
}
