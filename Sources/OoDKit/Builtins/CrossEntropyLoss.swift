import ModelZoo
import SceneData
import TensorCore

/// Pixel-wise cross-entropy of the segmenter's (or the head's) logits against the batch
/// labels, void (255) and pasted outlier pixels (254) ignored: the closed-set segmentation
/// loss. Registered as `cross_entropy`.
public struct CrossEntropyLoss: LossTerm {
    public var name: String { "cross_entropy" }
    public var splitsOverShards: Bool { true }
    /// The classes the logits have; a label at or above it (other than 254/255) is an error.
    public let numClasses: Int
    /// Whose logits the loss reads.
    public let logits: LossLogits

    /// Creates the loss for `numClasses` classes.
    public init(numClasses: Int, logits: LossLogits = .segmenter) { (self.numClasses, self.logits) = (numClasses, logits) }

    public func callAsFunction(_ batch: TrainingBatch, _ seg: SegmenterOutput, _ head: HeadOutput) throws -> Tensor {
        let input = try logits.select(seg, head, term: name)
        let targets = try ClassTargets.make(batch.labels, classes: numClasses, term: name)
        return PixelMask.inliers(batch).share(ofMean: input.crossEntropy(target: targets, ignoreIndex: Int(ClassTargets.ignore)))
    }
}

/// A loss term that cannot be computed on a batch; names the term.
public struct LossError: Error, CustomStringConvertible {
    /// The term's name.
    public var term: String
    /// What is wrong.
    public var message: String

    /// An error of `term`.
    public init(term: String, _ message: String) { (self.term, self.message) = (term, message) }

    public var description: String { "loss term '\(term)': \(message)" }
}

/// `{}`: an entry with no options.
public struct EmptyConfig: RecipeConfig {
    public init(from decoder: any Decoder) throws { _ = try decoder.container(keyedBy: RecipeKey.self) }
}

/// `{logits: segmenter}`: the cross-entropy's config.
public struct CrossEntropyConfig: RecipeConfig {
    /// Whose logits the loss reads.
    public var logits: LossLogits
    enum CodingKeys: String, CodingKey { case logits }
    public init(from decoder: any Decoder) throws {
        logits = try decoder.container(keyedBy: CodingKeys.self).value(.logits, default: .segmenter)
    }
}

extension CorePlugin {
    static func registerLosses(into registry: inout Registry) throws {
        try registry.losses.register("cross_entropy", summary: "pixel-wise cross-entropy, 254 and 255 ignored",
                                     config: CrossEntropyConfig.self) { c, context in
            CrossEntropyLoss(numClasses: try context.segmenter(for: "loss 'cross_entropy'").numClasses, logits: c.logits)
        }
        try registry.losses.register("energy_hinge", summary: "squared hinge on the energy: inliers below m_in, outliers above m_out (PEBAL)",
                                     config: EnergyHingeConfig.self) { c, _ in EnergyHingeLoss(mIn: c.mIn, mOut: c.mOut, logits: c.logits) }
        try registry.losses.register("outlier_entropy", summary: "cross-entropy to uniform on outlier pixels: entropy maximisation (Meta-OoD)",
                                     config: OutlierEntropyConfig.self) { c, _ in OutlierEntropyLoss(logits: c.logits) }
    }
}
