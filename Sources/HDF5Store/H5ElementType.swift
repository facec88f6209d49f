import CHDF5

/// Element types PixelOoD stores: float32 weights and activations, int64 counters and
/// labels, uint8 masks and images.
public enum H5ElementType: String, Sendable {
    /// 32-bit IEEE float (`numpy.float32`). Float datasets of other widths read through
    /// HDF5's conversion.
    case float32
    /// 64-bit signed integer (`numpy.int64`, `torch.long`).
    case int64
    /// 8-bit unsigned integer (`numpy.uint8`).
    case uint8

    /// The native HDF5 memory type.
    var nativeType: hid_t {
        switch self {
        case .float32: return pxo_h5t_native_float()
        case .int64: return pxo_h5t_native_int64()
        case .uint8: return pxo_h5t_native_uint8()
        }
    }
}

/// What a dataset holds, without reading its elements.
public struct H5DatasetInfo: Sendable, Equatable {
    /// Extent of each axis (`[]` for a scalar dataset).
    public var shape: [Int]
    /// `float` or `integer` class in the file; `isFloat` tells which.
    public var isFloat: Bool
    /// Bytes per element in the file.
    public var elementSize: Int

    /// Describes a dataset.
    public init(shape: [Int], isFloat: Bool, elementSize: Int) {
        self.shape = shape
        self.isFloat = isFloat
        self.elementSize = elementSize
    }
}
