import Foundation

/// One sorted list of runs that a ``ScoreHistogram`` past its memory budget wrote to a
/// temporary file: 20-byte records (key, inlier count, anomaly count; little-endian),
/// highest key first, so a merge reads every file forward. The file is removed when the
/// last histogram holding it is gone; it is never read by another process.
final class ScoreSpillFile: Sendable {
    /// Bytes per record.
    static let recordBytes = 20
    /// The file.
    let path: String
    /// Records (distinct keys) in it.
    let count: Int

    private init(path: String, count: Int) { (self.path, self.count) = (path, count) }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// `runs` written to a new file in `directory`.
    /// - Throws: ``MetricsError/spill(path:reason:)`` when the file cannot be written.
    static func writing(_ runs: ScoreRuns, in directory: String) throws -> ScoreSpillFile {
        try write(in: directory) { emit in runs.forEachDescending(emit) }
    }

    /// The runs of `files` merged (counts of equal keys add) into one new file in `directory`.
    /// - Throws: ``MetricsError/spill(path:reason:)`` when a file cannot be read or written.
    static func merging(_ files: [ScoreSpillFile], in directory: String) throws -> ScoreSpillFile {
        try write(in: directory) { emit in try DescendingRunMerge.forEach(files: files, memory: nil, emit) }
    }

    private static func write(in directory: String, _ produce: ((UInt32, UInt64, UInt64) -> Void) throws -> Void) throws -> ScoreSpillFile {
        let path = URL(fileURLWithPath: directory).appendingPathComponent("pixelood-scores-\(UUID().uuidString).bin").path
        guard let handle = fopen(path, "wb") else {
            throw MetricsError.spill(path: path, reason: "cannot be created (\(String(cString: strerror(errno))))")
        }
        let capacity = 4096
        var buffer = [UInt8](repeating: 0, count: capacity * recordBytes)
        var (buffered, written, failed) = (0, 0, false)
        func flush() {
            guard buffered > 0, !failed else { return }
            failed = buffer.withUnsafeBytes { fwrite($0.baseAddress, recordBytes, buffered, handle) } != buffered
            (written, buffered) = (written + buffered, 0)
        }
        do {
            try produce { key, inliers, anomalies in
                buffer.withUnsafeMutableBytes { bytes in
                    let offset = buffered * recordBytes
                    bytes.storeBytes(of: key.littleEndian, toByteOffset: offset, as: UInt32.self)
                    bytes.storeBytes(of: inliers.littleEndian, toByteOffset: offset + 4, as: UInt64.self)
                    bytes.storeBytes(of: anomalies.littleEndian, toByteOffset: offset + 12, as: UInt64.self)
                }
                buffered += 1
                if buffered == capacity { flush() }
            }
        } catch {
            fclose(handle)
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        flush()
        guard fclose(handle) == 0, !failed else {
            try? FileManager.default.removeItem(atPath: path)
            throw MetricsError.spill(path: path, reason: "could not be written (is the disk full?)")
        }
        return ScoreSpillFile(path: path, count: written)
    }
}

/// Reads a ``ScoreSpillFile``'s records forward, a buffer at a time.
final class ScoreSpillReader {
    private let file: ScoreSpillFile
    private let handle: UnsafeMutablePointer<FILE>
    private var buffer: [UInt8]
    private var (position, filled, read) = (0, 0, 0)

    /// Opens `file`.
    /// - Throws: ``MetricsError/spill(path:reason:)`` when it cannot be opened.
    init(_ file: ScoreSpillFile) throws {
        guard let handle = fopen(file.path, "rb") else {
            throw MetricsError.spill(path: file.path, reason: "cannot be opened (\(String(cString: strerror(errno))))")
        }
        (self.file, self.handle, buffer) = (file, handle, [UInt8](repeating: 0, count: 4096 * ScoreSpillFile.recordBytes))
    }

    deinit { fclose(handle) }

    /// The next record, or nil after the last.
    /// - Throws: ``MetricsError/spill(path:reason:)`` when the file ends early.
    func next() throws -> (key: UInt32, inliers: UInt64, anomalies: UInt64)? {
        if position == filled {
            guard read < file.count else { return nil }
            let records = buffer.withUnsafeMutableBytes { fread($0.baseAddress, ScoreSpillFile.recordBytes, 4096, handle) }
            guard records > 0 else {
                throw MetricsError.spill(path: file.path, reason: "ends after \(read) of its \(file.count) records")
            }
            (position, filled, read) = (0, records, read + records)
        }
        let offset = position * ScoreSpillFile.recordBytes
        position += 1
        return buffer.withUnsafeBytes { bytes in
            (UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)),
             UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt64.self)),
             UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt64.self)))
        }
    }
}
