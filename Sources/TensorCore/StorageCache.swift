import Foundation

/// Idle tensor buffers kept for reuse, so a loop's large outputs land in memory the process
/// has already touched instead of fresh pages: every fresh page is a kernel fault and a
/// zeroing (measured here: `torch.exp` of a 40 MB tensor took 10.6 ms into a fresh
/// output, 3.0 ms into a reused one; PyTorch CPU caches nothing).
///
/// A cache serves the tensors created inside ``using(_:_:)``'s body (a task-local
/// binding; `pixelood` binds one per command). Buffers of at least ``minimumBytes`` are
/// rounded up to a size class (eighths of a power of two, so at most 12.5% over the
/// request), go back to the class's free list when their storage dies, wherever that
/// happens, and serve the next request of the class, most recent first. Idle bytes stay
/// under ``limit``: past it the least recently released buffers are freed; an allocation
/// that fails frees every idle buffer and tries again; when the scope ends the idle
/// buffers are freed and buffers released later are freed at once. Smaller buffers, and
/// every buffer outside a scope or of a cache whose limit is 0, use `posix_memalign` and
/// `free` directly. Contents of a reused buffer are whatever its last tensor left (storage
/// is allocated uninitialised).
public final class StorageCache: @unchecked Sendable {
    /// The cache serving this task's allocations, if any.
    @TaskLocal static var current: StorageCache?

    /// Buffers below this many bytes are not cached (the C allocator reuses small blocks
    /// without faulting).
    public static let minimumBytes = 1 << 18

    /// The most idle bytes kept.
    public let limit: Int

    /// What a cache did: requests served from idle buffers, requests allocated afresh,
    /// and the bytes idle now.
    public struct Statistics: Sendable, Equatable {
        /// Requests served from an idle buffer.
        public var reused = 0
        /// Requests that allocated a new buffer.
        public var allocated = 0
        /// Bytes of idle buffers held now.
        public var idleBytes = 0
    }

    private let lock = NSLock()
    private var idle: [Int: [(buffer: UnsafeMutableRawPointer, stamp: Int)]] = [:]
    private var counts = Statistics()
    private var clock = 0
    private var closed = false

    /// A cache keeping at most `limit` idle bytes.
    public init(limit: Int) { self.limit = max(0, limit) }

    /// A quarter of the machine's physical memory: what `pixelood` keeps idle.
    public static var defaultLimit: Int { Int(ProcessInfo.processInfo.physicalMemory / 4) }

    /// The counters so far.
    public var statistics: Statistics { lock.withLock { counts } }

    /// Runs `body` with `cache` serving its tensors' large buffers, then closes the cache.
    /// - Returns: what `body` returns.
    public static func using<R>(_ cache: StorageCache, _ body: () throws -> R) rethrows -> R {
        defer { cache.close() }
        return try $current.withValue(cache, operation: body)
    }

    /// Frees every idle buffer; buffers released afterwards are freed at once.
    public func close() {
        lock.withLock {
            closed = true
            return removeIdle()
        }.forEach { free($0) }
    }

    /// Empties the free lists (under the lock), returning their buffers.
    private func removeIdle() -> [UnsafeMutableRawPointer] {
        counts.idleBytes = 0
        defer { idle = [:] }
        return idle.values.flatMap { $0.map(\.buffer) }
    }

    /// The size class of a request of `bytes` (≥ ``minimumBytes``): rounded up to an eighth
    /// of its power of two.
    static func sizeClass(_ bytes: Int) -> Int {
        let step = max(1, (1 << (Int.bitWidth - 1 - bytes.leadingZeroBitCount)) / 8)
        return (bytes + step - 1) / step * step
    }

    /// A 64-byte aligned buffer of at least `bytes`, and the cache it returns to (nil: `free`).
    static func allocate(bytes: Int) -> (buffer: UnsafeMutableRawPointer, cache: StorageCache?)? {
        guard bytes >= minimumBytes, let cache = current, cache.limit > 0 else { return alignedAllocation(bytes).map { ($0, nil) } }
        return cache.take(sizeClass(bytes)).map { ($0, cache) }
    }

    /// `posix_memalign(64, bytes)`, nil when it fails.
    static func alignedAllocation(_ bytes: Int) -> UnsafeMutableRawPointer? {
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, 64, bytes) == 0 else { return nil }
        return raw
    }

    private func take(_ size: Int) -> UnsafeMutableRawPointer? {
        let reused: UnsafeMutableRawPointer? = lock.withLock {
            guard let entry = idle[size]?.popLast() else { counts.allocated += 1; return nil }
            counts.reused += 1
            counts.idleBytes -= size
            return entry.buffer
        }
        if let reused { return reused }
        if let fresh = Self.alignedAllocation(size) { return fresh }
        // Out of memory: give back what is idle and try once more.
        lock.withLock { removeIdle() }.forEach { free($0) }
        return Self.alignedAllocation(size)
    }

    /// Takes back a buffer of `bytes` (the original request) when its storage dies.
    func release(_ buffer: UnsafeMutableRawPointer, bytes: Int) {
        let size = Self.sizeClass(bytes)
        let freed: [UnsafeMutableRawPointer] = lock.withLock {
            guard !closed, size <= limit else { return [buffer] }
            clock += 1
            idle[size, default: []].append((buffer, clock))
            counts.idleBytes += size
            var evicted: [UnsafeMutableRawPointer] = []
            while counts.idleBytes > limit, let oldest = idle.filter({ !$0.value.isEmpty }).min(by: { $0.value[0].stamp < $1.value[0].stamp }) {
                evicted.append(idle[oldest.key, default: []].removeFirst().buffer)
                counts.idleBytes -= oldest.key
            }
            return evicted
        }
        freed.forEach { free($0) }
    }
}
