import ModelZoo
import OoDKit
import SceneData
import TensorCore

/// `{type: pebal.regulariser, sparsity: 5.0e-4, smoothness: 3.0e-6, logits: auto}`.
public struct EnergyRegulariserConfig: RecipeConfig {
    /// The factor of the outlier energies' L2 norm.
    public var sparsity: Float
    /// The factor of the summed squared neighbour differences of the energy map.
    public var smoothness: Float
    /// Whose logits the term reads.
    public var logits: LossLogits

    enum CodingKeys: String, CodingKey { case sparsity, smoothness, logits }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sparsity = try c.value(.sparsity, default: 5e-4)
        smoothness = try c.value(.smoothness, default: 3e-6)
        logits = try c.value(.logits, default: .auto)
    }

    public func validate() throws {
        guard sparsity >= 0, sparsity.isFinite else { throw ConfigError(key: "sparsity", "must be a finite number at least 0, got \(sparsity)") }
        guard smoothness >= 0, smoothness.isFinite else {
            throw ConfigError(key: "smoothness", "must be a finite number at least 0, got \(smoothness)")
        }
    }
}

/// The regulariser of PEBAL's energy loss (the official `sparsity` and `smooth`), on the
/// energy `E = −logsumexp_c l_c`: `sparsity · ‖E_out‖₂` — the L2 norm of the vector of
/// outlier-pixel energies, not a mean, and only when the batch has outlier pixels — plus
/// `smoothness · ½ Σ [(E[y+1,x] − E[y,x])² + (E[y,x+1] − E[y,x])²]`, a sum over every pixel
/// of the batch. Registered as `pebal.regulariser`.
public struct EnergyRegulariser: LossTerm {
    /// The factors.
    public let sparsity: Float, smoothness: Float
    /// Whose logits the term reads.
    public let logits: LossLogits

    public var name: String { "pebal.regulariser" }

    /// PEBAL's factors unless given.
    public init(sparsity: Float = 5e-4, smoothness: Float = 3e-6, logits: LossLogits = .auto) {
        (self.sparsity, self.smoothness, self.logits) = (sparsity, smoothness, logits)
    }

    public var splitsOverShards: Bool { true }

    public func callAsFunction(_ batch: TrainingBatch, _ seg: SegmenterOutput, _ head: HeadOutput) throws -> Tensor {
        let energy = -(try logits.select(seg, head, term: name)).logsumexp(axis: 1)
        let (h, w) = (energy.shape[1], energy.shape[2])
        let vertical = energy.slice(axis: 1, start: 1) - energy.slice(axis: 1, start: 0, end: h - 1)
        let horizontal = energy.slice(axis: 2, start: 1) - energy.slice(axis: 2, start: 0, end: w - 1)
        var total = (vertical.pow(2).sum() + horizontal.pow(2).sum()) * (smoothness / 2)
        let outliers = PixelMask.outliers(batch)
        let squares = (energy.pow(2) * outliers.mask).sum()
        if let shard = batch.shard { return total + batch.share(ofValueOnEveryRank: wholeSparsity(squares, shard: shard)) }
        if outliers.count > 0 { total = total + squares.sqrt() * sparsity }
        return total
    }

    /// On a data-parallel rank, the sparsity term of the whole batch, `√(Σ over every rank's
    /// outlier pixels of E²)`: the ranks sum their squares (every rank calls this, with or
    /// without outlier pixels), every rank computes the whole root with its own squares as
    /// the differentiable part (the caller reports 1/N of it: `share(ofValueOnEveryRank:)`); summed over the ranks, the one-process
    /// value and gradient.
    private func wholeSparsity(_ squares: Tensor, shard: BatchShard) -> Tensor {
        let whole = Float(shard.ranks.sum([Double(squares.item)])[0])
        guard whole > 0 else { return Tensor.zeros([]) }
        return (squares - squares.detached() + whole).sqrt() * sparsity
    }
}
