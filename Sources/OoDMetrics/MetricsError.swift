/// Why a metric cannot be computed; each case names what is wrong with the input.
public enum MetricsError: Error, CustomStringConvertible, Equatable {
    /// A score is NaN (`image` is the index of the image in feeding order).
    case nanScore(image: Int, pixel: Int)
    /// Score and label maps of different sizes.
    case sizeMismatch(image: Int, scores: Int, labels: Int)
    /// No anomaly (label 1) pixel was fed: AUROC, AuPRC and FPR@TPR are undefined.
    case noPositives
    /// No inlier (label 0) pixel was fed: AUROC and FPR are undefined.
    case noNegatives
    /// A class index outside `0..<classes` (other than the ignore label).
    case classOutOfRange(value: Int, classes: Int)
    /// An option outside its valid range.
    case invalidArgument(String)
    /// A temporary file of spilled score runs could not be written or read back.
    case spill(path: String, reason: String)
    /// Bytes from another process that are not the partial result they should be.
    case malformedMessage(String)

    public var description: String {
        switch self {
        case .nanScore(let image, let pixel): return "image \(image): score at pixel \(pixel) is NaN"
        case .sizeMismatch(let image, let s, let l): return "image \(image): \(s) scores but \(l) labels"
        case .noPositives: return "no anomaly pixels (label 1) were evaluated: AUROC, AuPRC and FPR are undefined"
        case .noNegatives: return "no inlier pixels (label 0) were evaluated: AUROC and FPR are undefined"
        case .classOutOfRange(let value, let classes): return "label \(value) is outside 0..<\(classes) and not the ignore label"
        case .invalidArgument(let why): return why
        case .spill(let path, let reason): return "spilled scores: \(path) \(reason)"
        case .malformedMessage(let why): return "a partial result from another process is malformed: \(why)"
        }
    }
}
