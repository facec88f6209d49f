extension Tensor {
    /// Reverse-mode differentiation from this tensor into every leaf that requires a gradient.
    ///
    /// The seed defaults to ones (PyTorch requires a scalar for that; here any shape is
    /// accepted and treated as `sum()`). Gradients accumulate into leaves across calls until
    /// `zeroGrad()`. The graph is consumed: each node's saved tensors are freed once used.
    /// Backward rules run without recording (no higher-order gradients).
    /// PyTorch: `Tensor.backward()`.
    public func backward(_ seed: Tensor? = nil) {
        guard let root = node else {
            fatalError("backward: tensor of shape \(shape) does not require grad")
        }
        let seedGrad = seed ?? Tensor.ones(shape)
        require(seedGrad.shape == shape, "backward: seed shape \(seedGrad.shape) != output shape \(shape)")
        let order = GradNode.topologicalOrder(from: root)
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seedGrad]
        GradMode.noGrad {
            for node in order.reversed() {
                guard let grad = pending.removeValue(forKey: ObjectIdentifier(node)) else { continue }
                if node.isLeaf {
                    node.grad = node.grad.map { $0 + grad } ?? grad
                    continue
                }
                guard let rule = node.backwardRule else {
                    fatalError("backward: the graph through '\(node.op)' was already consumed by an earlier backward()")
                }
                node.backwardRule = nil
                let inputGrads = OpProfile.backward(node.op) { rule(grad) }
                for (input, inputGrad) in zip(node.inputs, inputGrads) {
                    guard let input, let inputGrad else { continue }
                    require(inputGrad.shape == input.shape,
                                 "backward: '\(node.op)' produced gradient \(inputGrad.shape) for input \(input.shape)")
                    let key = ObjectIdentifier(input)
                    pending[key] = pending[key].map { $0 + inputGrad } ?? inputGrad
                }
            }
        }
    }
}

extension GradNode {
    /// Nodes reachable from `root`, each after all of its inputs (iterative DFS; no recursion).
    static func topologicalOrder(from root: GradNode) -> [GradNode] {
        var order: [GradNode] = []
        var visited: Set<ObjectIdentifier> = [ObjectIdentifier(root)]
        var stack: [(node: GradNode, nextInput: Int)] = [(root, 0)]
        while let top = stack.last {
            if top.nextInput < top.node.inputs.count {
                stack[stack.count - 1].nextInput += 1
                if let child = top.node.inputs[top.nextInput], visited.insert(ObjectIdentifier(child)).inserted {
                    stack.append((child, 0))
                }
            } else {
                order.append(top.node)
                stack.removeLast()
            }
        }
        return order
    }
}
