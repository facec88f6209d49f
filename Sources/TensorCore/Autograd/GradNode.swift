/// One node of the autograd graph: an op's backward rule and the nodes of its inputs,
/// or a leaf that accumulates a gradient.
///
/// The backward closure captures the tensors it needs (never the op's own output node, so
/// there are no reference cycles) and is released as soon as backward has run it, freeing
/// saved activations early.
public final class GradNode: @unchecked Sendable {
    /// Nodes of the op's inputs, in the order the backward rule returns their gradients;
    /// `nil` for inputs that do not require a gradient.
    let inputs: [GradNode?]
    /// Maps the output gradient to one gradient per input (nil where not needed).
    var backwardRule: ((Tensor) -> [Tensor?])?
    /// Shape of the tensor this node produced.
    let shape: [Int]
    /// Name of the op, for error messages.
    let op: String
    /// Whether this is a leaf (accumulates into `grad`).
    let isLeaf: Bool
    /// Accumulated gradient (leaves only).
    var grad: Tensor?

    init(leafShape: [Int]) {
        inputs = []
        shape = leafShape
        op = "leaf"
        isLeaf = true
    }

    init(op: String, shape: [Int], inputs: [GradNode?], backward: @escaping (Tensor) -> [Tensor?]) {
        self.op = op
        self.shape = shape
        self.inputs = inputs
        self.backwardRule = backward
        isLeaf = false
    }
}

extension Tensor {
    /// Attaches a backward rule to `result` when recording is on and an input requires grad.
    ///
    /// - Parameters:
    ///   - op: op name, shown in errors.
    ///   - inputs: the differentiable inputs, in the order `backward` returns gradients.
    ///   - backward: output gradient → input gradients (each of its input's shape, or nil).
    static func record(_ op: String, _ result: Tensor, inputs: [Tensor],
                       backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        OpProfile.charge(op)
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return result }
        var out = result
        out.node = GradNode(op: op, shape: result.shape, inputs: inputs.map(\.node), backward: backward)
        return out
    }
}
