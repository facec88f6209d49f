import TensorCore

/// Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight
/// decay, exactly as PyTorch updates:
/// `d = g + λp; b = d (first step) or μb + (1 − τ)d; d = d + μb (Nesterov) or b; p −= lr·d`.
///
/// PyTorch: `torch.optim.SGD`.
public final class SGD: Optimizer {
    public var learningRate: Float
    public let groups: [ParameterGroup]
    /// μ.
    public let momentum: Float
    /// τ.
    public let dampening: Float
    /// Whether to use Nesterov momentum.
    public let nesterov: Bool
    /// λ, unless a group overrides it.
    public let weightDecay: Float
    private var state = OptimizerState(slotNames: ["momentum_buffer"])

    /// Creates the optimizer. Nesterov requires momentum > 0 and no dampening, as in PyTorch.
    public init(_ groups: [ParameterGroup], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
                nesterov: Bool = false, weightDecay: Float = 0) {
        require(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum requires momentum > 0 and zero dampening")
        (self.groups, self.learningRate, self.momentum, self.dampening) = (groups, learningRate, momentum, dampening)
        (self.nesterov, self.weightDecay) = (nesterov, weightDecay)
    }

    public func step() {
        forEachUpdate(defaultWeightDecay: weightDecay) { lr, decay, key, parameter, p, g in
            let n = parameter.count
            let (buffer, isNew) = momentum != 0 ? state.buffer(for: key, count: n) : (nil, false)
            let (mu, damp, nesterov) = (momentum, dampening, self.nesterov)
            for i in 0..<n {
                var d = g[i] + decay * p[i]
                if let buffer {
                    buffer[i] = isNew ? d : mu * buffer[i] + (1 - damp) * d
                    d = nesterov ? d + mu * buffer[i] : buffer[i]
                }
                p[i] -= lr * d
            }
        }
    }

    /// `<key>.momentum_buffer` per parameter (none without momentum).
    public func stateDict() -> StateDict { state.stateDict(parameters: namedParameters) }

    public func load(_ state: StateDict) throws {
        try self.state.load(state, parameters: namedParameters, extraKeys: [])
    }
}
