import ModelZoo
import SceneData
import TensorCore

/// `{type: energy_hinge, m_in: -12, m_out: -6, logits: auto}`.
public struct EnergyHingeConfig: RecipeConfig {
    /// The inlier margin: inlier energies above it are penalised.
    public var mIn: Float
    /// The outlier margin: outlier energies below it are penalised.
    public var mOut: Float
    /// Whose logits the loss reads.
    public var logits: LossLogits

    enum CodingKeys: String, CodingKey { case mIn = "m_in", mOut = "m_out", logits }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mIn = try c.value(.mIn, default: -12)
        mOut = try c.value(.mOut, default: -6)
        logits = try c.value(.logits, default: .auto)
    }

    public func validate() throws {
        guard mIn.isFinite, mOut.isFinite else { throw ConfigError(key: "m_in", "margins must be finite") }
        guard mIn <= mOut else { throw ConfigError(key: "m_out", "must be at least m_in (\(mIn)), got \(mOut)") }
    }
}

/// The squared hinge on the energy `E = −logsumexp_c l_c` (PEBAL's energy loss; RPL's Table 4
/// ablation in place of the positive energy): `½[mean_in relu(E − m_in)² + mean_out relu(m_out − E)²]`
/// over inlier and pasted outlier (254) pixels; on a batch without outlier pixels
/// `mean_in relu(E − m_in)²` (no ½, as the official PEBAL code). Registered as `energy_hinge`.
public struct EnergyHingeLoss: LossTerm {
    /// The margins.
    public let mIn: Float, mOut: Float
    /// Whose logits the loss reads.
    public let logits: LossLogits

    public var name: String { "energy_hinge" }
    public var splitsOverShards: Bool { true }

    /// The loss with PEBAL's margins unless given.
    public init(mIn: Float = -12, mOut: Float = -6, logits: LossLogits = .auto) { (self.mIn, self.mOut, self.logits) = (mIn, mOut, logits) }

    public func callAsFunction(_ batch: TrainingBatch, _ seg: SegmenterOutput, _ head: HeadOutput) throws -> Tensor {
        let energy = -(try logits.select(seg, head, term: name)).logsumexp(axis: 1)
        let inliers = PixelMask.inliers(batch), outliers = PixelMask.outliers(batch)
        let inlierTerm = inliers.mean((energy - mIn).relu().pow(2))
        guard outliers.normalizer > 0 else { return inlierTerm }  // the whole batch's outliers decide the form
        return (inlierTerm + outliers.mean((-energy + mOut).relu().pow(2))) * 0.5
    }
}
