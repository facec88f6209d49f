import TensorCore
import CHDF5

extension H5File {
    /// Shape and element class of the dataset at `name`.
    ///
    /// - Throws: ``HDF5Error/missing(path:name:)`` or ``HDF5Error/wrongType(path:name:expected:)``.
    public func info(_ name: String) throws -> H5DatasetInfo {
        try withDataset(name) { dataset in try datasetInfo(dataset, name) }
    }

    /// Reads a float dataset (any float width; converted to Float32) with its shape.
    public func readFloat32(_ name: String) throws -> (shape: [Int], values: [Float]) {
        try read(name, as: .float32, zero: Float(0))
    }

    /// Reads an integer dataset (any integer width; converted to Int64) with its shape.
    public func readInt64(_ name: String) throws -> (shape: [Int], values: [Int64]) {
        try read(name, as: .int64, zero: Int64(0))
    }

    /// Reads an integer dataset as UInt8 (values must fit) with its shape.
    public func readUInt8(_ name: String) throws -> (shape: [Int], values: [UInt8]) {
        try read(name, as: .uint8, zero: UInt8(0))
    }

    /// Writes a float32 dataset at `name` (parent groups are created).
    public func write(_ name: String, shape: [Int], float32 values: [Float]) throws {
        try write(name, shape: shape, values, as: .float32)
    }

    /// Writes an int64 dataset at `name`.
    public func write(_ name: String, shape: [Int], int64 values: [Int64]) throws {
        try write(name, shape: shape, values, as: .int64)
    }

    /// Writes a uint8 dataset at `name`.
    public func write(_ name: String, shape: [Int], uint8 values: [UInt8]) throws {
        try write(name, shape: shape, values, as: .uint8)
    }

    private func read<T>(_ name: String, as type: H5ElementType, zero: T) throws -> (shape: [Int], values: [T]) {
        try withDataset(name) { dataset in
            let info = try datasetInfo(dataset, name)
            guard info.isFloat == (type == .float32) else {
                throw HDF5Error.wrongType(path: path, name: name, expected: type == .float32 ? "a float dataset" : "an integer dataset")
            }
            let count = try validatedCount(dataset, info, name, memoryElementSize: MemoryLayout<T>.stride)
            var values = [T](repeating: zero, count: count)
            let status = values.withUnsafeMutableBytes { raw in
                H5Dread(dataset, type.nativeType, pxo_h5s_all(), pxo_h5s_all(), pxo_h5p_default(), raw.baseAddress)
            }
            guard status >= 0 else { throw HDF5Error.readFailed(path: path, name: name) }
            return (info.shape, values)
        }
    }

    private func write<T>(_ name: String, shape: [Int], _ values: [T], as type: H5ElementType) throws {
        require(shape.reduce(1, *) == values.count, "H5File.write: shape \(shape) needs \(shape.reduce(1, *)) values, got \(values.count)")
        try values.withUnsafeBytes { try write(name, shape: shape, bytes: $0, as: type) }
    }

    /// Writes `bytes` (elements of `type`, row-major) as a dataset of `shape`, without copying.
    func write(_ name: String, shape: [Int], bytes: UnsafeRawBufferPointer, as type: H5ElementType) throws {
        try HDF5Library.locked {
            try ensureParents(of: name)
            var dims = shape.map { hsize_t($0) }
            let space = shape.isEmpty ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(shape.count), &dims, nil)
            guard space >= 0 else { throw HDF5Error.writeFailed(path: path, name: name) }
            defer { H5Sclose(space) }
            let dataset = H5Dcreate2(id, name, type.nativeType, space, pxo_h5p_default(), pxo_h5p_default(), pxo_h5p_default())
            guard dataset >= 0 else { throw HDF5Error.writeFailed(path: path, name: name) }
            defer { H5Dclose(dataset) }
            let status = H5Dwrite(dataset, type.nativeType, pxo_h5s_all(), pxo_h5s_all(), pxo_h5p_default(), bytes.baseAddress)
            guard status >= 0 else { throw HDF5Error.writeFailed(path: path, name: name) }
        }
    }

    /// Opens the dataset at `name` for the duration of `body`, holding the library lock.
    func withDataset<R>(_ name: String, _ body: (hid_t) throws -> R) throws -> R {
        try HDF5Library.locked {
            guard linkExists(name) else { throw HDF5Error.missing(path: path, name: name) }
            let object = H5Oopen(id, name, pxo_h5p_default())
            guard object >= 0 else { throw HDF5Error.readFailed(path: path, name: name) }
            defer { H5Oclose(object) }
            guard H5Iget_type(object) == H5I_DATASET else {
                throw HDF5Error.wrongType(path: path, name: name, expected: "a dataset")
            }
            return try body(object)
        }
    }

    /// The largest dataset read (16 GiB in memory): anything larger is a damaged header.
    static let maximumReadBytes = 1 << 34

    /// The element count of `info`, checked before anything is allocated: no overflow, at
    /// most ``maximumReadBytes`` in memory, and — for contiguous or compact datasets (all of
    /// PixelOoD's, h5py's default) — exactly the bytes the file stores for it.
    /// - Throws: ``HDF5Error/corrupt(path:reason:)`` naming the dataset.
    private func validatedCount(_ dataset: hid_t, _ info: H5DatasetInfo, _ name: String, memoryElementSize: Int) throws -> Int {
        var count = 1
        for extent in info.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard extent >= 0, !overflow else { throw HDF5Error.corrupt(path: path, reason: "'\(name)' has an impossible shape \(info.shape)") }
            count = product
        }
        let (memory, overflow) = count.multipliedReportingOverflow(by: max(memoryElementSize, info.elementSize))
        guard !overflow, memory <= Self.maximumReadBytes else {
            throw HDF5Error.corrupt(path: path, reason: "'\(name)' claims shape \(info.shape), over \(Self.maximumReadBytes >> 30) GiB")
        }
        let plist = H5Dget_create_plist(dataset)
        guard plist >= 0 else { throw HDF5Error.readFailed(path: path, name: name) }
        defer { H5Pclose(plist) }
        let layout = H5Pget_layout(plist)
        if layout == H5D_CONTIGUOUS || layout == H5D_COMPACT {
            let stored = Int(H5Dget_storage_size(dataset))
            guard stored == count * info.elementSize || (count == 0 && stored == 0) else {
                throw HDF5Error.corrupt(path: path, reason: "'\(name)' has shape \(info.shape) (\(count * info.elementSize) bytes) "
                                        + "but the file stores \(stored) bytes for it")
            }
        } else if layout != H5D_CHUNKED {
            throw HDF5Error.corrupt(path: path, reason: "'\(name)' has an unknown storage layout")
        }
        return count
    }

    private func datasetInfo(_ dataset: hid_t, _ name: String) throws -> H5DatasetInfo {
        let space = H5Dget_space(dataset)
        guard space >= 0 else { throw HDF5Error.readFailed(path: path, name: name) }
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        guard rank >= 0 else { throw HDF5Error.readFailed(path: path, name: name) }
        guard rank <= 32 else { throw HDF5Error.corrupt(path: path, reason: "'\(name)' claims \(rank) dimensions") }
        var dims = [hsize_t](repeating: 0, count: max(rank, 1))
        H5Sget_simple_extent_dims(space, &dims, nil)
        let type = H5Dget_type(dataset)
        guard type >= 0 else { throw HDF5Error.readFailed(path: path, name: name) }
        defer { H5Tclose(type) }
        let typeClass = H5Tget_class(type)
        guard typeClass == H5T_FLOAT || typeClass == H5T_INTEGER else {
            throw HDF5Error.wrongType(path: path, name: name, expected: "a numeric dataset")
        }
        guard dims.prefix(rank).allSatisfy({ $0 <= hsize_t(Int.max) }) else {
            throw HDF5Error.corrupt(path: path, reason: "'\(name)' has an impossible shape")
        }
        let elementSize = H5Tget_size(type)
        guard (1...16).contains(elementSize) else { throw HDF5Error.corrupt(path: path, reason: "'\(name)' has \(elementSize)-byte elements") }
        return H5DatasetInfo(shape: dims.prefix(rank).map { Int($0) }, isFloat: typeClass == H5T_FLOAT, elementSize: elementSize)
    }
}
