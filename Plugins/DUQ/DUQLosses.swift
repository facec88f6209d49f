import Foundation
import ModelZoo
import OoDKit
import SceneData
import TensorCore

/// DUQ's training loss per pixel: the binary cross-entropy of every class kernel against the
/// one-hot label, `−[y_c log K_c + (1 − y_c) log(1 − K_c)]`, averaged over the inlier pixels
/// (labels downsampled to the head's map by nearest neighbour; void and outliers skipped) and
/// the classes. `log K_c` is the head's exact `−‖W_c f − e_c‖² / (2 E σ²)`, so far pixels keep a
/// gradient where PyTorch's `binary_cross_entropy` clamps the log at −100; `log(1 − K_c)` is
/// clamped there as PyTorch does. Registered as `duq.bce`; needs the `duq` head.
public struct DUQBinaryCrossEntropy: LossTerm {
    public var name: String { "duq.bce" }
    public var splitsOverShards: Bool { true }

    /// The loss.
    public init() {}

    public func callAsFunction(_ batch: TrainingBatch, _ seg: SegmenterOutput, _ head: HeadOutput) throws -> Tensor {
        guard let logKernel = head.extra[DUQHead.Output.logKernel], let kernel = head.extra[DUQHead.Output.kernel] else {
            throw LossError(term: name, "needs the 'duq' head's kernels")
        }
        let (n, c, h, w) = (logKernel.shape[0], logKernel.shape[1], logKernel.shape[2], logKernel.shape[3])
        let labels = IndexTensor(shape: [n, h, w], NearestResampling.labels(batch.labels, height: h, width: w))
        let targets = try ClassTargets.make(labels, classes: c, term: name).values
        var positive = [Float](repeating: 0, count: n * c * h * w), negative = positive
        var pixels = 0
        for image in 0..<n {
            for p in 0..<(h * w) where targets[image * h * w + p] != ClassTargets.ignore {
                pixels += 1
                for k in 0..<c { negative[(image * c + k) * h * w + p] = 1 }
                let k = Int(targets[image * h * w + p]), index = (image * c + k) * h * w + p
                (positive[index], negative[index]) = (1, 0)
            }
        }
        guard pixels > 0 else { return Tensor.zeros([]) }
        if let shard = batch.shard {  // the mean runs over the whole batch's labelled pixels
            pixels = NearestResampling.labels(shard.wholeLabels, height: h, width: w).reduce(0) { $0 + ($1 == 254 || $1 == 255 ? 0 : 1) }
        }
        let shape = [n, c, h, w]
        let logComplement = kernel.affine(scale: -1, shift: 1).clamp(min: Self.smallestComplement).log()
        let total = (logKernel * Tensor(shape: shape, positive)).sum() + (logComplement * Tensor(shape: shape, negative)).sum()
        return total * (-1 / Float(pixels * c))
    }

    /// `e^−100` (a subnormal float): where PyTorch clamps `log(1 − K)`.
    static let smallestComplement = Float(Foundation.exp(-100.0))
}

/// `{type: duq.gradient_penalty, norm: squared}`.
public struct GradientPenaltyConfig: RecipeConfig {
    /// What the penalty pulls towards 1.
    public enum Norm: String, Sendable, Decodable, CaseIterable, RecipeChoice {
        /// `‖∇‖²`, as DUQ's paper writes the penalty.
        case squared
        /// `‖∇‖`, as DUQ's code computes it (`gradients.norm(2, dim=1)`).
        case euclidean
    }

    /// The penalised quantity.
    public var norm: Norm

    enum CodingKeys: String, CodingKey { case norm }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        norm = try c.value(.norm, default: .squared)
    }
}

/// DUQ's two-sided gradient penalty on the head's input features, per pixel:
/// `mean_pixels (‖∂(Σ_c K_c)/∂f‖² − 1)²` (`norm: squared`, the paper's), or with `‖·‖` in place
/// of `‖·‖²` (`norm: euclidean`, the code's; `√(s + 1e-12)` keeps it differentiable where the
/// gradient vanishes). Over every pixel of the map. The recipe's `weight` is DUQ's λ.
/// Registered as `duq.gradient_penalty`; needs the `duq` head in training mode.
public struct GradientPenalty: LossTerm {
    /// The penalised quantity.
    public let norm: GradientPenaltyConfig.Norm

    public var name: String { "duq.gradient_penalty" }
    public var splitsOverShards: Bool { true }

    /// The paper's squared-norm penalty unless given.
    public init(norm: GradientPenaltyConfig.Norm = .squared) { self.norm = norm }

    public func callAsFunction(_ batch: TrainingBatch, _ seg: SegmenterOutput, _ head: HeadOutput) throws -> Tensor {
        guard let gradient = head.extra[DUQHead.Output.inputGradient] else {
            throw LossError(term: name, "needs the 'duq' head's input gradient (the head returns it in training mode)")
        }
        let squared = gradient.pow(2).sum(axis: 1)
        let penalised = norm == .squared ? squared : (squared + 1e-12).sqrt()
        return batch.share(ofImageMean: (penalised - 1).pow(2).mean())
    }
}
