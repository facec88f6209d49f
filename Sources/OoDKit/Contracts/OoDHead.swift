import ModelZoo
import NeuralNet
import TensorCore

/// What an OoD head computes from one segmenter forward.
public struct HeadOutput {
    /// The head's class logits (`final(dec0 + residual)` for RPL), `[N, K, H, W]`, if any.
    public var logits: Tensor?
    /// Per-pixel embeddings for contrastive losses (CoroCL's projector output), if any.
    public var embeddings: Tensor?
    /// Anything else a loss term of the same plugin reads, by name.
    public var extra: [String: Tensor]

    /// Bundles a head's results.
    public init(logits: Tensor? = nil, embeddings: Tensor? = nil, extra: [String: Tensor] = [:]) {
        (self.logits, self.embeddings, self.extra) = (logits, embeddings, extra)
    }

    /// The ``extra`` tensor `key`, for a score or loss of `head` that cannot do without it.
    /// - Throws: ``HeadOutputError/missing(head:key:present:)``: never a stand-in value.
    public func extra(_ key: String, of head: String) throws -> Tensor {
        guard let tensor = extra[key] else { throw HeadOutputError.missing(head: head, key: key, present: extra.keys.sorted()) }
        return tensor
    }
}

/// A head's output lacks what its score or loss reads.
public enum HeadOutputError: Error, CustomStringConvertible, Equatable {
    /// `extra[key]` is absent (`present`: the keys it has).
    case missing(head: String, key: String, present: [String])

    public var description: String {
        switch self {
        case .missing(let head, let key, let present):
            return "head '\(head)': its output has no '\(key)' (it has: \(present.isEmpty ? "nothing" : present.joined(separator: ", ")))"
        }
    }
}

/// An OoD method's trainable (or fitted) part, attached to a frozen segmenter.
///
/// A head is a ``Module``: its parameters and buffers (fitted statistics) save under the
/// `head.` root of a checkpoint. It names the segmenter features it reads, so a head that
/// does not fit a segmenter fails when it is built (``BuildContext/segmenter(for:)``), not
/// halfway through training.
public protocol OoDHead: Module {
    /// The ``Segmenter/featureInfo`` names the head reads (`["out"]` for RPL).
    var requiredFeatures: [String] { get }
    /// Runs the head on one segmenter forward. `segmenter` is the frozen model, for heads
    /// that re-run part of it (RPL's `classify`).
    func callAsFunction(_ seg: SegmenterOutput, segmenter: any Segmenter) -> HeadOutput
    /// The per-pixel anomaly score, higher = more anomalous. Shape: `[N, H, W]` at the
    /// logits' size.
    /// - Throws: when `out` or `seg` lacks what the score reads (``HeadOutputError``,
    ///   ``SegmenterError``): a report never shows a stand-in score.
    func anomalyScore(_ out: HeadOutput, _ seg: SegmenterOutput) throws -> Tensor
    /// Whether the head's logits are the frozen classifier's on modified decoder features
    /// (RPL's `final(dec0 + residual)`), so the classifier's ``ClassifierMargin`` bounds how
    /// low it can push every logit; the trainer warns when that margin is not positive or small.
    var reclassifiesDecoderFeatures: Bool { get }
}

extension OoDHead {
    /// Most heads have their own output layer.
    public var reclassifiesDecoderFeatures: Bool { false }
}
