/// Failures reading or writing HDF5 files; each names the file and, where relevant, the object.
public enum HDF5Error: Error, CustomStringConvertible, Equatable {
    /// The file does not exist.
    case fileNotFound(path: String)
    /// The file exists but is not HDF5 (wrong signature: another format, empty or cut short).
    case notHDF5(path: String)
    /// HDF5 could not open the file (corrupt or truncated structure, permissions).
    case cannotOpen(path: String, reason: String)
    /// No dataset, group or attribute of that name.
    case missing(path: String, name: String)
    /// The object has another kind or element type than requested.
    case wrongType(path: String, name: String, expected: String)
    /// Reading the data failed (truncated or corrupt file).
    case readFailed(path: String, name: String)
    /// Writing failed (disk full, permissions, invalid name).
    case writeFailed(path: String, name: String)
    /// The file is damaged or was altered: its checksum fails, or a dataset's shape does not
    /// fit its storage.
    case corrupt(path: String, reason: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path): return "\(path): no such file"
        case .notHDF5(let path): return "\(path): not an HDF5 file (wrong signature: another format, empty or truncated)"
        case .cannotOpen(let path, let reason): return "\(path): cannot open HDF5 file: \(reason)"
        case .missing(let path, let name): return "\(path): no object named '\(name)'"
        case .wrongType(let path, let name, let expected): return "\(path): '\(name)' is not \(expected)"
        case .readFailed(let path, let name): return "\(path): reading '\(name)' failed (file truncated or corrupt?)"
        case .writeFailed(let path, let name): return "\(path): writing '\(name)' failed"
        case .corrupt(let path, let reason): return "\(path): damaged or altered file: \(reason)"
        }
    }
}
