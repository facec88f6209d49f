import Foundation
import TensorCore

/// Adam with bias correction, and AdamW's decoupled weight decay, exactly as PyTorch updates:
/// Adam adds `λp` to the gradient; AdamW first scales `p ← p(1 − lr·λ)`. Then
/// `m = β₁m + (1 − β₁)g; v = β₂v + (1 − β₂)g²; p −= lr/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε)`.
///
/// PyTorch: `torch.optim.Adam`, `torch.optim.AdamW` (`amsgrad=False`).
public final class Adam: Optimizer {
    public var learningRate: Float
    public let groups: [ParameterGroup]
    /// (β₁, β₂).
    public let betas: (Float, Float)
    /// ε.
    public let eps: Float
    /// λ, unless a group overrides it.
    public let weightDecay: Float
    /// Whether weight decay is decoupled (AdamW) rather than added to the gradient (Adam).
    public let decoupledWeightDecay: Bool
    /// Steps taken so far (t).
    public private(set) var stepCount = 0
    private var state = OptimizerState(slotNames: ["exp_avg", "exp_avg_sq"])

    /// Creates Adam (`decoupledWeightDecay: false`, PyTorch default weight decay 0) or
    /// AdamW (`true`; PyTorch's AdamW default weight decay is 1e-2).
    public init(_ groups: [ParameterGroup], learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
                eps: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false) {
        (self.groups, self.learningRate, self.betas, self.eps) = (groups, learningRate, betas, eps)
        (self.weightDecay, self.decoupledWeightDecay) = (weightDecay, decoupledWeightDecay)
    }

    /// AdamW. PyTorch: `torch.optim.AdamW`.
    public static func adamW(_ groups: [ParameterGroup], learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
                             eps: Float = 1e-8, weightDecay: Float = 1e-2) -> Adam {
        Adam(groups, learningRate: learningRate, betas: betas, eps: eps, weightDecay: weightDecay, decoupledWeightDecay: true)
    }

    public func step() {
        stepCount += 1
        let (b1, b2) = betas
        let correction1 = 1 - Foundation.pow(Double(b1), Double(stepCount))
        let correction2Root = (1 - Foundation.pow(Double(b2), Double(stepCount))).squareRoot()
        let (eps, decoupled) = (self.eps, decoupledWeightDecay)
        forEachUpdate(defaultWeightDecay: weightDecay) { lr, decay, key, parameter, p, g in
            let m = state.buffer(for: key, slot: 0, count: parameter.count).pointer
            let v = state.buffer(for: key, slot: 1, count: parameter.count).pointer
            let stepSize = Float(Double(lr) / correction1), root2 = Float(correction2Root)
            for i in 0..<parameter.count {
                var grad = g[i]
                if decoupled { p[i] *= 1 - lr * decay } else { grad += decay * p[i] }
                m[i] = b1 * m[i] + (1 - b1) * grad
                v[i] = b2 * v[i] + (1 - b2) * grad * grad
                p[i] -= stepSize * m[i] / (v[i].squareRoot() / root2 + eps)
            }
        }
    }

    /// `<key>.exp_avg`, `<key>.exp_avg_sq` per parameter, then `step` (int64).
    public func stateDict() -> StateDict {
        var result = state.stateDict(parameters: namedParameters)
        result.append("step", Tensor(Float(stepCount)), dtype: .int64)
        return result
    }

    public func load(_ state: StateDict) throws {
        guard let step = state["step"], step.count == 1 else {
            throw StateDictError(source: nil, missing: ["step"], unexpected: [], mismatched: [])
        }
        try self.state.load(state, parameters: namedParameters, extraKeys: ["step"])
        stepCount = Int(step.item)
    }
}
