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
            var values = [T](repeating: zero, count: info.shape.reduce(1, *))
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

    private func datasetInfo(_ dataset: hid_t, _ name: String) throws -> H5DatasetInfo {
        let space = H5Dget_space(dataset)
        guard space >= 0 else { throw HDF5Error.readFailed(path: path, name: name) }
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        guard rank >= 0 else { throw HDF5Error.readFailed(path: path, name: name) }
        var dims = [hsize_t](repeating: 0, count: max(rank, 1))
        H5Sget_simple_extent_dims(space, &dims, nil)
        let type = H5Dget_type(dataset)
        guard type >= 0 else { throw HDF5Error.readFailed(path: path, name: name) }
        defer { H5Tclose(type) }
        let typeClass = H5Tget_class(type)
        guard typeClass == H5T_FLOAT || typeClass == H5T_INTEGER else {
            throw HDF5Error.wrongType(path: path, name: name, expected: "a numeric dataset")
        }
        return H5DatasetInfo(shape: dims.prefix(rank).map { Int($0) }, isFloat: typeClass == H5T_FLOAT,
                             elementSize: H5Tget_size(type))
    }
}
