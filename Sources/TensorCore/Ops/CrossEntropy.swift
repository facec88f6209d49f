/// How a per-element loss is reduced. PyTorch: the `reduction` argument.
public enum LossReduction: Sendable {
    /// Weighted mean over non-ignored elements (PyTorch's `mean`: Σ w_y·ℓ / Σ w_y).
    case mean
    /// Sum over elements.
    case sum
    /// Per-element losses (0 at ignored elements), shape of the target.
    case none
}

extension Tensor {
    /// Cross-entropy of logits `[N, C, ...]` against class indices `[N, ...]`.
    /// PyTorch: `F.cross_entropy(logits, target, weight, ignore_index, reduction)`.
    ///
    /// Elements whose target equals `ignoreIndex` contribute nothing (and nothing to the
    /// weight total of the mean). A target outside `0..<C` other than `ignoreIndex` is a
    /// precondition failure naming the value. When every element is ignored the mean is NaN,
    /// as in PyTorch.
    public func crossEntropy(target: IndexTensor, weight: Tensor? = nil, ignoreIndex: Int = -100,
                             reduction: LossReduction = .mean) -> Tensor {
        logSoftmax(axis: 1).nllLoss(target: target, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction)
    }

    /// Negative log-likelihood of log-probabilities `[N, C, ...]`. PyTorch: `F.nll_loss`.
    public func nllLoss(target: IndexTensor, weight: Tensor? = nil, ignoreIndex: Int = -100,
                        reduction: LossReduction = .mean) -> Tensor {
        require(rank >= 2, "nll_loss: input needs [N, C, ...], got \(shape)")
        let classes = shape[1], inner = Shape.count(Array(shape[2...])), batch = shape[0]
        var expectedTarget = shape
        expectedTarget.remove(at: 1)
        require(target.shape == expectedTarget, "nll_loss: target shape \(target.shape) != \(expectedTarget) for input \(shape)")
        if let weight { require(weight.shape == [classes], "nll_loss: weight shape \(weight.shape) != [\(classes)]") }
        let w = weight?.scalars
        var perElement = [Float](repeating: 0, count: target.count)
        var elementWeight = [Float](repeating: 0, count: target.count)
        var totalWeight: Double = 0
        var total: Double = 0
        for n in 0..<batch {
            for i in 0..<inner {
                let t = Int(target.values[n * inner + i])
                if t == ignoreIndex { continue }
                require(t >= 0 && t < classes, "nll_loss: target \(t) outside 0..<\(classes) (ignore_index \(ignoreIndex))")
                let wt = w?[t] ?? 1
                let value = -storage.pointer[(n * classes + t) * inner + i] * wt
                perElement[n * inner + i] = value
                elementWeight[n * inner + i] = wt
                totalWeight += Double(wt)
                total += Double(value)
            }
        }
        let result: Tensor
        switch reduction {
        case .mean: result = Tensor(Float(total / totalWeight))
        case .sum: result = Tensor(Float(total))
        case .none: result = Tensor(shape: target.shape, perElement)
        }
        let source = shape
        let scale = reduction == .mean ? Float(1 / totalWeight) : 1
        return .record("nll_loss", result, inputs: [self]) { g in
            let grad = TensorStorage(count: Shape.count(source), repeating: 0)
            for n in 0..<batch {
                for i in 0..<inner {
                    let e = n * inner + i, wt = elementWeight[e]
                    if wt == 0 { continue }
                    let up = reduction == .none ? g.storage.pointer[e] : g.storage.pointer[0]
                    grad.pointer[(n * classes + Int(target.values[e])) * inner + i] = -wt * scale * up
                }
            }
            return [Tensor(shape: source, storage: grad)]
        }
    }
}
