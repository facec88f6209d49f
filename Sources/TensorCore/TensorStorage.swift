import Foundation

/// A 64-byte aligned Float32 buffer shared by tensors that view the same data.
///
/// Tensors treat storage as immutable once an op has produced it; only explicit
/// in-place APIs (optimizer updates, buffer copies) write into an existing storage.
public final class TensorStorage: @unchecked Sendable {
    /// Number of Float32 elements.
    public let count: Int
    /// Start of the buffer; valid for `count` elements while the storage lives. Package-only,
    /// so code outside PixelOoD cannot write into storage that tensors share.
    package let pointer: UnsafeMutablePointer<Float>

    /// Allocates uninitialised memory for `count` elements.
    package init(uninitializedCount count: Int) {
        require(count >= 0, "TensorStorage: negative element count \(count)")
        self.count = count
        var raw: UnsafeMutableRawPointer?
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        guard posix_memalign(&raw, 64, bytes) == 0, let raw else {
            fatalError("TensorStorage: out of memory allocating \(bytes) bytes")
        }
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// Allocates `count` elements set to `value`.
    package convenience init(count: Int, repeating value: Float) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    deinit { free(pointer) }

    /// The elements as a buffer pointer.
    package var buffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }
}
