import Foundation

/// A 64-byte aligned Float32 buffer shared by tensors that view the same data, or a view of
/// a contiguous run of another storage's elements (``base``; `slice` along the first axis
/// returns one instead of a copy), which keeps that storage alive.
///
/// Tensors treat storage as immutable once an op has produced it; only explicit
/// in-place APIs (optimizer updates, buffer copies) write into an existing storage, and
/// never into a view (its base may be shared though the view is not).
public final class TensorStorage: @unchecked Sendable {
    /// Number of Float32 elements.
    public let count: Int
    /// Start of the buffer; valid for `count` elements while the storage lives. Package-only,
    /// so code outside PixelOoD cannot write into storage that tensors share.
    package let pointer: UnsafeMutablePointer<Float>
    /// The storage this one views (nil: it owns its buffer).
    package let base: TensorStorage?

    /// Where the buffer goes when the storage dies (nil: `free`); see ``StorageCache``.
    let cache: StorageCache?
    /// The buffer as the measuring ``OpProfile`` counts it (nil outside one, and for views).
    private let tracked: TrackedBytes?

    /// Allocates uninitialised memory for `count` elements (from the task's
    /// ``StorageCache`` when one is bound and the buffer is large).
    package init(uninitializedCount count: Int) {
        require(count >= 0, "TensorStorage: negative element count \(count)")
        self.count = count
        let bytes = Self.allocatedBytes(count)
        guard let (raw, cache) = StorageCache.allocate(bytes: bytes) else {
            fatalError("TensorStorage: out of memory allocating \(bytes) bytes")
        }
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        self.cache = cache
        base = nil
        tracked = OpProfile.track(bytes: bytes)
    }

    /// A view of `count` elements of `base` from element `offset` (a view of a view views
    /// the first base).
    package init(viewing base: TensorStorage, offset: Int, count: Int) {
        require(offset >= 0 && count >= 0 && offset + count <= base.count,
                "TensorStorage: view of \(count) elements at \(offset) past a storage of \(base.count)")
        self.count = count
        self.base = base.base ?? base
        pointer = base.pointer + offset
        cache = nil
        tracked = nil
    }

    /// Allocates `count` elements set to `value`.
    package convenience init(count: Int, repeating value: Float) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    /// The bytes an owning storage of `count` elements allocates (at least one element).
    private static func allocatedBytes(_ count: Int) -> Int { max(count, 1) * MemoryLayout<Float>.stride }

    deinit {
        guard base == nil else { return }
        tracked?.release()
        if let cache {
            cache.release(UnsafeMutableRawPointer(pointer), bytes: Self.allocatedBytes(count))
        } else {
            free(pointer)
        }
    }

    /// The elements as a buffer pointer.
    package var buffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }
}
