/// Why a dataset folder cannot be read; names the folder or file.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    /// A folder the layout requires does not exist.
    case missingFolder(path: String, layout: String)
    /// The folder exists but holds no sample.
    case empty(path: String)
    /// An image's label file is missing.
    case missingLabel(image: String, expected: String)
    /// A label map holds a value the dataset does not define.
    case unexpectedLabel(path: String, value: UInt8, allowed: String)
    /// A format PixelOoD cannot decode (e.g. WebP).
    case unsupportedFormat(path: String, hint: String)
    /// A loader setting that does not fit the dataset (batch larger than the dataset).
    case invalidLoader(dataset: String, reason: String)

    public var description: String {
        switch self {
        case .missingFolder(let path, let layout): return "\(path): no such folder (expected the \(layout) layout)"
        case .empty(let path): return "\(path): no samples found"
        case .missingLabel(let image, let expected): return "\(image): its label file \(expected) is missing"
        case .unexpectedLabel(let path, let value, let allowed): return "\(path): label value \(value) is not one of \(allowed)"
        case .unsupportedFormat(let path, let hint): return "\(path): \(hint)"
        case .invalidLoader(let dataset, let reason): return "\(dataset): \(reason)"
        }
    }
}
