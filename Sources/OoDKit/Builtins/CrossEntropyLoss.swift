import ModelZoo
import SceneData
import TensorCore

/// Pixel-wise cross-entropy of the segmenter's (or the head's) logits against the batch
/// labels, void (255) and pasted outlier pixels (254) ignored: the closed-set segmentation
/// loss. Registered as `cross_entropy`.
public struct CrossEntropyLoss: LossTerm {
    /// Whose logits the loss reads.
    public enum Logits: String, Sendable, Decodable, CaseIterable, RecipeChoice {
        /// The segmenter's.
        case segmenter
        /// The head's (``HeadOutput/logits``).
        case head
    }

    public var name: String { "cross_entropy" }
    /// The classes the logits have; a label at or above it (other than 254/255) is an error.
    public let numClasses: Int
    /// Whose logits the loss reads.
    public let logits: Logits

    /// Creates the loss for `numClasses` classes.
    public init(numClasses: Int, logits: Logits = .segmenter) { (self.numClasses, self.logits) = (numClasses, logits) }

    public func callAsFunction(_ batch: TrainingBatch, _ seg: SegmenterOutput, _ head: HeadOutput) throws -> Tensor {
        let input: Tensor
        switch logits {
        case .segmenter: input = seg.logits
        case .head:
            guard let headLogits = head.logits else { throw LossError(term: name, "logits: head, but the head returns no logits") }
            input = headLogits
        }
        let ignore: Int32 = 255
        var labels = batch.labels.values
        for i in labels.indices {
            if labels[i] == 254 { labels[i] = ignore }
            guard labels[i] == ignore || (labels[i] >= 0 && Int(labels[i]) < numClasses) else {
                throw LossError(term: name, "label \(labels[i]) is not a class of a \(numClasses)-class segmenter")
            }
        }
        return input.crossEntropy(target: IndexTensor(shape: batch.labels.shape, labels), ignoreIndex: Int(ignore))
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
    public var logits: CrossEntropyLoss.Logits
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
    }
}
