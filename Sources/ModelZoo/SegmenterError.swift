/// A segmenter or backbone that cannot serve what was asked of it.
public enum SegmenterError: Error, CustomStringConvertible, Equatable {
    /// `consumer` (a head, a decoder, a feature-store entry) needs maps the model does not have.
    case missingFeatures(consumer: String, missing: [String], available: [String])

    public var description: String {
        switch self {
        case .missingFeatures(let consumer, let missing, let available):
            return "\(consumer) needs feature\(missing.count == 1 ? "" : "s") \(missing.map { "'\($0)'" }.joined(separator: ", ")), "
                + "which the segmenter does not provide (it has: \(available.joined(separator: ", ")))"
        }
    }
}
