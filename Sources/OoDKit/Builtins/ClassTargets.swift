import TensorCore

/// Cross-entropy targets from a batch's labels: pasted outliers (254) become void (255),
/// which the loss ignores, and every other label must be one of the `classes`.
public enum ClassTargets {
    /// The ignored target value.
    public static let ignore: Int32 = 255

    /// `labels` with 254 mapped to ``ignore``.
    /// - Throws: ``LossError`` naming `term` for a label that is neither a class, 254 nor 255.
    public static func make(_ labels: IndexTensor, classes: Int, term: String) throws -> IndexTensor {
        var values = labels.values
        for i in values.indices {
            if values[i] == 254 { values[i] = ignore }
            guard values[i] == ignore || (values[i] >= 0 && Int(values[i]) < classes) else {
                throw LossError(term: term, "label \(values[i]) is not a class of a \(classes)-class segmenter")
            }
        }
        return IndexTensor(shape: labels.shape, values)
    }
}
