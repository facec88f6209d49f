import CHDF5
import Foundation

/// An open HDF5 file: datasets addressed by slash-separated paths (`/state_dict/conv.weight`),
/// attributes on any object.
///
/// Open existing files read-only with ``open(_:)``. New files are only ever written through
/// ``write(to:_:)``, which writes a temporary file beside the target and renames it into
/// place once complete, so a crash never leaves a half-written file under the final name.
/// All HDF5 calls are serialised (Debian's libhdf5 is not thread-safe).
///
/// h5py: `h5py.File(path, "r")`, and `"w"` through a temporary file.
public final class H5File {
    /// The path given when opening (used in every error message).
    public let path: String
    let id: hid_t
    /// Whether the file carries PixelOoD's whole-file checksum (verified when it was opened).
    public let isSealed: Bool

    private init(path: String, id: hid_t, sealed: Bool) {
        self.path = path
        self.id = id
        self.isSealed = sealed
    }

    deinit { HDF5Library.locked { _ = H5Fclose(id) } }

    /// Opens an existing file read-only.
    ///
    /// - Throws: ``HDF5Error/fileNotFound(path:)``, ``HDF5Error/notHDF5(path:)`` for a file
    ///   without the HDF5 signature (empty, another format), ``HDF5Error/cannotOpen(path:reason:)``
    ///   for a damaged one (e.g. truncated after the signature).
    public static func open(_ path: String) throws -> H5File {
        guard FileManager.default.fileExists(atPath: path) else { throw HDF5Error.fileNotFound(path: path) }
        let sealed = try FileChecksum.verify(path)
        return try HDF5Library.locked {
            let signature = H5Fis_hdf5(path)
            guard signature > 0 else { throw HDF5Error.notHDF5(path: path) }
            let id = H5Fopen(path, pxo_h5f_acc_rdonly(), pxo_h5p_default())
            guard id >= 0 else {
                throw HDF5Error.cannotOpen(path: path, reason: "the file structure is damaged or truncated")
            }
            return H5File(path: path, id: id, sealed: sealed)
        }
    }

    /// Creates `path` atomically: `body` fills a new file written beside it under a temporary
    /// name, which replaces `path` only after `body` returned and the file was closed.
    /// On any error the temporary file is removed and an existing `path` is left untouched.
    ///
    /// - Throws: ``HDF5Error/writeFailed(path:name:)``, or whatever `body` throws.
    public static func write(to path: String, _ body: (H5File) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        try HDF5Library.locked {
            let fcpl = H5Pcreate(pxo_h5p_file_create())
            defer { H5Pclose(fcpl) }
            H5Pset_link_creation_order(fcpl, UInt32(H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED))
            H5Pset_userblock(fcpl, hsize_t(FileChecksum.blockSize))
            let id = H5Fcreate(temporary, pxo_h5f_acc_excl(), fcpl, pxo_h5p_default())
            guard id >= 0 else { throw HDF5Error.writeFailed(path: path, name: "/") }
            var file: H5File? = H5File(path: path, id: id, sealed: true)
            try body(file!)
            guard H5Fflush(id, H5F_SCOPE_GLOBAL) >= 0 else { throw HDF5Error.writeFailed(path: path, name: "/") }
            file = nil  // deinit closes the file before the rename
        }
        do { try FileChecksum.seal(temporary) } catch { throw HDF5Error.writeFailed(path: path, name: "checksum: \(error)") }
        guard rename(temporary, path) == 0 else {
            throw HDF5Error.writeFailed(path: path, name: "rename: \(String(cString: strerror(errno)))")
        }
    }

    /// Whether an object (group or dataset) exists at `name`, e.g. `/state_dict/conv.weight`.
    public func contains(_ name: String) -> Bool {
        HDF5Library.locked { linkExists(name) }
    }

    /// Checks each path component, as `H5Lexists` requires its parents to exist.
    func linkExists(_ name: String) -> Bool {
        let parts = name.split(separator: "/")
        var prefix = ""
        for part in parts {
            prefix += "/" + part
            guard H5Lexists(id, prefix, pxo_h5p_default()) > 0 else { return false }
        }
        return true
    }

    /// Names of the direct children of `group` (datasets and groups), in creation order where
    /// the file tracks it, by name otherwise (as h5py lists them).
    ///
    /// - Throws: ``HDF5Error/missing(path:name:)`` when the group does not exist.
    public func children(of group: String = "/") throws -> [String] {
        try HDF5Library.locked {
            guard group == "/" || linkExists(group) else { throw HDF5Error.missing(path: path, name: group) }
            let gid = H5Gopen2(id, group, pxo_h5p_default())
            guard gid >= 0 else { throw HDF5Error.wrongType(path: path, name: group, expected: "a group") }
            defer { H5Gclose(gid) }
            var info = H5G_info_t()
            guard H5Gget_info(gid, &info) >= 0 else { throw HDF5Error.readFailed(path: path, name: group) }
            // Creation order where the group tracks it (PixelOoD's files, h5py's track_order),
            // otherwise name order — decided once, so every link is listed in one order.
            let tracksOrder = info.nlinks > 0
                && H5Lget_name_by_idx(gid, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, 0, nil, 0, pxo_h5p_default()) >= 0
            let index = tracksOrder ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME
            var names: [String] = []
            for i in 0..<info.nlinks {
                let n = H5Lget_name_by_idx(gid, ".", index, H5_ITER_INC, i, nil, 0, pxo_h5p_default())
                guard n >= 0 else { throw HDF5Error.readFailed(path: path, name: group) }
                var buffer = [CChar](repeating: 0, count: Int(n) + 1)
                guard H5Lget_name_by_idx(gid, ".", index, H5_ITER_INC, i, &buffer, Int(n) + 1, pxo_h5p_default()) >= 0 else {
                    throw HDF5Error.readFailed(path: path, name: group)
                }
                names.append(String(decoding: buffer.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            return names
        }
    }

    /// Creates the groups along `name`'s parent path that do not exist yet, tracking link
    /// creation order so listings come back in write order.
    func ensureParents(of name: String) throws {
        let parts = name.split(separator: "/").dropLast()
        var prefix = ""
        for part in parts {
            prefix += "/" + part
            if H5Lexists(id, prefix, pxo_h5p_default()) > 0 { continue }
            let gcpl = H5Pcreate(pxo_h5p_group_create())
            defer { H5Pclose(gcpl) }
            H5Pset_link_creation_order(gcpl, UInt32(H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED))
            let gid = H5Gcreate2(id, prefix, pxo_h5p_default(), gcpl, pxo_h5p_default())
            guard gid >= 0 else { throw HDF5Error.writeFailed(path: path, name: prefix) }
            H5Gclose(gid)
        }
    }
}
