import CHDF5

/// A value stored as an HDF5 attribute: text (recipes, versions) or a number.
public enum H5AttributeValue: Sendable, Equatable {
    /// A UTF-8 string (fixed- or variable-length in the file).
    case string(String)
    /// An integer (read from any integer width).
    case int(Int64)
    /// A float (read from any float width).
    case double(Double)
}

extension H5File {
    /// Sets attribute `name` on the object at `object` (`/` is the root group).
    public func setAttribute(_ name: String, _ value: H5AttributeValue, on object: String = "/") throws {
        try HDF5Library.locked {
            guard object == "/" || linkExists(object) else { throw HDF5Error.missing(path: path, name: object) }
            if H5Aexists_by_name(id, object, name, pxo_h5p_default()) > 0 {
                H5Adelete_by_name(id, object, name, pxo_h5p_default())
            }
            let space = H5Screate(H5S_SCALAR)
            defer { H5Sclose(space) }
            let type: hid_t
            switch value {
            case .string(let text):
                type = H5Tcopy(pxo_h5t_c_s1())
                H5Tset_size(type, max(1, text.utf8.count))
                H5Tset_cset(type, H5T_CSET_UTF8)
            case .int: type = H5Tcopy(pxo_h5t_native_int64())
            case .double: type = H5Tcopy(pxo_h5t_native_double())
            }
            defer { H5Tclose(type) }
            let attribute = H5Acreate_by_name(id, object, name, type, space, pxo_h5p_default(), pxo_h5p_default(), pxo_h5p_default())
            guard attribute >= 0 else { throw HDF5Error.writeFailed(path: path, name: "\(object)@\(name)") }
            defer { H5Aclose(attribute) }
            var status: herr_t
            switch value {
            case .string(let text):
                var bytes = Array(text.utf8)
                if bytes.isEmpty { bytes = [0] }
                status = H5Awrite(attribute, type, bytes)
            case .int(var v): status = H5Awrite(attribute, type, &v)
            case .double(var v): status = H5Awrite(attribute, type, &v)
            }
            guard status >= 0 else { throw HDF5Error.writeFailed(path: path, name: "\(object)@\(name)") }
        }
    }

    /// The attribute `name` of the object at `object`, or nil when it does not exist.
    ///
    /// - Throws: ``HDF5Error/missing(path:name:)`` when the object does not exist;
    ///   ``HDF5Error/wrongType(path:name:expected:)`` for non-scalar or non-string/number attributes.
    public func attribute(_ name: String, on object: String = "/") throws -> H5AttributeValue? {
        try HDF5Library.locked {
            guard object == "/" || linkExists(object) else { throw HDF5Error.missing(path: path, name: object) }
            guard H5Aexists_by_name(id, object, name, pxo_h5p_default()) > 0 else { return nil }
            let label = "\(object)@\(name)"
            let attribute = H5Aopen_by_name(id, object, name, pxo_h5p_default(), pxo_h5p_default())
            guard attribute >= 0 else { throw HDF5Error.readFailed(path: path, name: label) }
            defer { H5Aclose(attribute) }
            let space = H5Aget_space(attribute)
            defer { H5Sclose(space) }
            guard H5Sget_simple_extent_npoints(space) == 1 else {
                throw HDF5Error.wrongType(path: path, name: label, expected: "a single-value attribute")
            }
            let type = H5Aget_type(attribute)
            defer { H5Tclose(type) }
            switch H5Tget_class(type) {
            case H5T_STRING: return .string(try readString(attribute, type, label))
            case H5T_INTEGER:
                var v: Int64 = 0
                guard H5Aread(attribute, pxo_h5t_native_int64(), &v) >= 0 else { throw HDF5Error.readFailed(path: path, name: label) }
                return .int(v)
            case H5T_FLOAT:
                var v: Double = 0
                guard H5Aread(attribute, pxo_h5t_native_double(), &v) >= 0 else { throw HDF5Error.readFailed(path: path, name: label) }
                return .double(v)
            default:
                throw HDF5Error.wrongType(path: path, name: label, expected: "a string or number attribute")
            }
        }
    }

    /// The string attribute `name`, or nil when absent or not a string.
    public func stringAttribute(_ name: String, on object: String = "/") throws -> String? {
        if case .string(let text) = try attribute(name, on: object) { return text }
        return nil
    }

    private func readString(_ attribute: hid_t, _ type: hid_t, _ label: String) throws -> String {
        if H5Tis_variable_str(type) > 0 {
            var pointer: UnsafeMutablePointer<CChar>?
            guard H5Aread(attribute, type, &pointer) >= 0 else { throw HDF5Error.readFailed(path: path, name: label) }
            defer { H5free_memory(pointer) }
            return pointer.map { String(cString: $0) } ?? ""
        }
        let size = H5Tget_size(type)
        guard size <= 1 << 26 else { throw HDF5Error.corrupt(path: path, reason: "attribute '\(label)' claims \(size) bytes") }
        var bytes = [UInt8](repeating: 0, count: size + 1)
        guard H5Aread(attribute, type, &bytes) >= 0 else { throw HDF5Error.readFailed(path: path, name: label) }
        let end = bytes.firstIndex(of: 0) ?? size
        return String(decoding: bytes[..<end], as: UTF8.self)
    }
}
