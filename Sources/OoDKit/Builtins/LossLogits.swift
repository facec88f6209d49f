import ModelZoo
import TensorCore

/// Whose logits a loss term reads (`logits:` in its recipe entry).
public enum LossLogits: String, Sendable, Decodable, CaseIterable, RecipeChoice {
    /// The segmenter's (a stage that retrains it: Meta-OoD, PEBAL).
    case segmenter
    /// The head's (``HeadOutput/logits``: RPL's `final(dec0 + residual)`).
    case head
    /// The head's when the head returns logits, otherwise the segmenter's.
    case auto

    /// The selected logits of one forward.
    /// - Throws: ``LossError`` naming `term` when `head` is asked for and the head returns none.
    public func select(_ seg: SegmenterOutput, _ head: HeadOutput, term: String) throws -> Tensor {
        switch self {
        case .segmenter: return seg.logits
        case .auto: return head.logits ?? seg.logits
        case .head:
            guard let logits = head.logits else { throw LossError(term: term, "logits: head, but the head returns no logits") }
            return logits
        }
    }
}
