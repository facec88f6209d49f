import Foundation
import TensorCore

/// The whole-file checksum PixelOoD writes into HDF5's user block (the first 512 bytes,
/// which libhdf5 skips): `PXOSUM1 <32 hex digits> <byte count>\n`, zero-padded. It covers
/// every byte after the block and is verified before libhdf5 parses anything, so a damaged
/// or altered file is an error instead of a crash inside libhdf5 or a silent load of
/// changed data. Files written elsewhere (h5py) start with the HDF5 signature and have no
/// block; they are read with shape and size validation only.
enum FileChecksum {
    /// The user-block size: HDF5's smallest (a power of two ≥ 512).
    static let blockSize = 512
    static let magic = "PXOSUM1 "
    static let hdf5Signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The hash and length of the bytes of `handle` from `offset` to the end.
    static func hash(_ handle: FileHandle, from offset: Int) throws -> (hex: String, count: Int) {
        try handle.seek(toOffset: UInt64(offset))
        var hasher = ContentHasher()
        var count = 0
        var carry: [UInt8] = []
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            count += chunk.count
            var bytes = carry + chunk
            let whole = bytes.count / 8 * 8
            bytes.withUnsafeBytes { raw in
                for i in stride(from: 0, to: whole, by: 8) { hasher.combine(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) }
            }
            carry = Array(bytes[whole...])
            bytes.removeAll()
        }
        var tail: UInt64 = 0
        for (i, byte) in carry.enumerated() { tail |= UInt64(byte) << (8 * UInt64(i)) }
        hasher.combine(tail)
        hasher.combine(count)
        return (hasher.hex, count)
    }

    /// The block for a file whose bytes after the block hash to `hex`.
    static func block(hex: String, count: Int) -> Data {
        var bytes = Array((magic + hex + " \(count)\n").utf8)
        bytes += [UInt8](repeating: 0, count: blockSize - bytes.count)
        return Data(bytes)
    }

    /// Writes the block into the (closed) file at `path`, whose first 512 bytes were reserved.
    static func seal(_ path: String) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let (hex, count) = try hash(handle, from: blockSize)
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: block(hex: hex, count: count))
        try handle.synchronize()
    }

    /// Whether the file at `path` is a PixelOoD file whose checksum holds (true), or a file
    /// with the plain HDF5 signature at offset 0 (false: written elsewhere).
    /// - Throws: ``HDF5Error/corrupt(path:reason:)`` for a block that is damaged or does
    ///   not match the bytes; ``HDF5Error/notHDF5(path:)`` for neither kind of file.
    static func verify(_ path: String) throws -> Bool {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let head = [UInt8](try handle.read(upToCount: blockSize) ?? Data())
        if head.starts(with: hdf5Signature) { return false }
        guard head.starts(with: Array(magic.utf8)) else { throw HDF5Error.notHDF5(path: path) }
        guard head.count == blockSize, let newline = head.firstIndex(of: 0x0A),
              let text = String(bytes: head[..<newline], encoding: .utf8) else {
            throw HDF5Error.corrupt(path: path, reason: "its checksum block is damaged")
        }
        let fields = text.dropFirst(magic.count).split(separator: " ")
        guard fields.count == 2, fields[0].count == 32, let expected = Int(fields[1]),
              head == [UInt8](block(hex: String(fields[0]), count: expected)) else {
            throw HDF5Error.corrupt(path: path, reason: "its checksum block is damaged")
        }
        let (hex, count) = try hash(handle, from: blockSize)
        guard count == expected else {
            throw HDF5Error.corrupt(path: path, reason: "it has \(count + blockSize) bytes, \(expected + blockSize) were written (truncated or extended)")
        }
        guard hex == fields[0] else {
            throw HDF5Error.corrupt(path: path, reason: "its contents changed after it was written (checksum mismatch)")
        }
        return true
    }
}
