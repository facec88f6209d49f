import CMemoryMap
import Foundation

/// Idle tensor buffers kept for reuse, so a loop's large outputs land in memory the process
/// has already touched instead of fresh pages: every fresh page is a kernel fault and a
/// zeroing (measured here: `torch.exp` of a 40 MB tensor took 10.6 ms into a fresh
/// output, 3.0 ms into a reused one; PyTorch CPU caches nothing).
///
/// A cache serves the tensors created inside ``using(_:_:)``'s body (a task-local
/// binding; `pixelood` binds one per command). Buffers of at least ``minimumBytes`` are
/// anonymous mappings of their own (`CMemoryMap`) rounded up to a size class (eighths of a
/// power of two, so at most 12.5% over the request); they go back to the class's free list
/// when their storage dies, wherever that happens, and serve the next request of the class,
/// most recent first. A request no idle buffer of its class serves is mapped afresh while all
/// the cache holds (in use and idle) stays within an allowance above the most it ever had in
/// use at once; past that it takes an idle buffer of another class and resizes it (`mremap`:
/// the nearest larger class, shrunk, else the largest smaller one, grown, and then the least
/// recently released idle buffers unmapped until what is held is back within the allowance), so
/// idle buffers of sizes a later phase no longer asks for become that phase's buffers instead
/// of sitting beside them (the RPL + CoroCL step's peak resident memory 1230 → 1046 MB,
/// docs/benchmarks.md). The allowance is an eighth of the bytes that come and go: the most in
/// use less the least in use since then, so buffers that stay in use (a model's weights) do
/// not widen it (WiderResNet38's frozen forward, 548 MB of weights, two forwards after a
/// warm-up: peak 1607 → 1414 MB; docs/benchmarks.md, "Ninth change").
/// Idle bytes stay under ``limit``: past it the least recently
/// released buffers are unmapped; an allocation that fails unmaps every idle buffer and tries
/// again; when the scope ends the idle buffers are unmapped and buffers released later are
/// unmapped at once. Smaller buffers, and every buffer outside a scope or of a cache whose
/// limit is 0, use `posix_memalign` and `free` directly. Contents of a reused buffer are
/// whatever its last tensor left (storage is allocated uninitialised).
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
        /// Requests served by resizing an idle buffer of another size class.
        public var resized = 0
        /// Bytes of idle buffers held now.
        public var idleBytes = 0
        /// Bytes of fresh pages mapped: whole new buffers and the grown parts of resized ones
        /// (each page a fault and a zeroing when first touched).
        public var mappedBytes = 0
    }

    private let lock = NSLock()
    private var idle: [Int: [(buffer: UnsafeMutableRawPointer, stamp: Int)]] = [:]
    private var counts = Statistics()
    private var clock = 0
    /// Bytes of this cache's buffers in use now, the most ever in use at once, and the least
    /// in use since that most.
    private var inUse = 0, peakInUse = 0, leastSincePeak = 0
    private var closed = false

    /// A cache keeping at most `limit` idle bytes.
    public init(limit: Int) { self.limit = max(0, limit) }

    /// A quarter of the machine's physical memory: what `pixelood` keeps idle.
    public static var defaultLimit: Int { Int(ProcessInfo.processInfo.physicalMemory / 4) }

    /// The counters so far.
    public var statistics: Statistics { lock.withLock { counts } }

    /// The counters of the cache serving this task's allocations, nil outside a scope.
    public static var currentStatistics: Statistics? { current?.statistics }

    /// Runs `body` with `cache` serving its tensors' large buffers, then closes the cache.
    /// - Returns: what `body` returns.
    public static func using<R>(_ cache: StorageCache, _ body: () throws -> R) rethrows -> R {
        defer { cache.close() }
        return try $current.withValue(cache, operation: body)
    }

    /// Unmaps every idle buffer; buffers released afterwards are unmapped at once.
    public func close() {
        lock.withLock {
            closed = true
            return removeIdle()
        }.forEach { pxo_unmap($0.buffer, $0.size) }
    }

    /// Empties the free lists (under the lock), returning their buffers and sizes.
    private func removeIdle() -> [(buffer: UnsafeMutableRawPointer, size: Int)] {
        counts.idleBytes = 0
        defer { idle = [:] }
        return idle.flatMap { size, entries in entries.map { ($0.buffer, size) } }
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
        enum Source { case idle(UnsafeMutableRawPointer), resize(UnsafeMutableRawPointer, from: Int), fresh }
        let (source, evicted): (Source, [(buffer: UnsafeMutableRawPointer, size: Int)]) = lock.withLock {
            inUse += size
            if inUse > peakInUse { (peakInUse, leastSincePeak) = (inUse, inUse) }
            if let entry = idle[size]?.popLast() {
                counts.reused += 1
                counts.idleBytes -= size
                return (.idle(entry.buffer), [])
            }
            // Map more only while everything held stays within an eighth of the bytes that come
            // and go above the most ever in use.
            let allowed = peakInUse + (peakInUse - leastSincePeak) / 8
            let classes = idle.filter { !$0.value.isEmpty }.keys
            guard inUse + counts.idleBytes > allowed,
                  let other = classes.filter({ $0 > size }).min() ?? classes.max(), let entry = idle[other]?.popLast() else {
                counts.allocated += 1
                counts.mappedBytes += size
                return (.fresh, [])
            }
            counts.resized += 1
            counts.mappedBytes += max(0, size - other)
            counts.idleBytes -= other
            // A grown buffer must not raise what is held past the allowance: the least recently
            // released idle buffers go instead.
            return (.resize(entry.buffer, from: other), evictOldest { inUse + $0 > allowed })
        }
        evicted.forEach { pxo_unmap($0.buffer, $0.size) }
        switch source {
        case .idle(let buffer): return buffer
        case .resize(let buffer, let other):
            if let resized = pxo_remap(buffer, other, size) { return resized }
            pxo_unmap(buffer, other)
        case .fresh: break
        }
        if let fresh = pxo_map(size) { return fresh }
        // Out of memory: give back what is idle and try once more.
        lock.withLock { removeIdle() }.forEach { pxo_unmap($0.buffer, $0.size) }
        return pxo_map(size)
    }

    /// Takes back a buffer of `bytes` (the original request) when its storage dies.
    func release(_ buffer: UnsafeMutableRawPointer, bytes: Int) {
        let size = Self.sizeClass(bytes)
        let unmapped: [(buffer: UnsafeMutableRawPointer, size: Int)] = lock.withLock {
            inUse -= size
            leastSincePeak = min(leastSincePeak, inUse)
            guard !closed, size <= limit else { return [(buffer, size)] }
            clock += 1
            idle[size, default: []].append((buffer, clock))
            counts.idleBytes += size
            return evictOldest { $0 > limit }
        }
        unmapped.forEach { pxo_unmap($0.buffer, $0.size) }
    }

    /// Takes the least recently released idle buffers off the free lists (under the lock) while
    /// `tooMany(idle bytes)` holds, returning them to unmap.
    private func evictOldest(while tooMany: (Int) -> Bool) -> [(buffer: UnsafeMutableRawPointer, size: Int)] {
        var evicted: [(buffer: UnsafeMutableRawPointer, size: Int)] = []
        while tooMany(counts.idleBytes), let oldest = idle.filter({ !$0.value.isEmpty }).min(by: { $0.value[0].stamp < $1.value[0].stamp }) {
            evicted.append((idle[oldest.key, default: []].removeFirst().buffer, oldest.key))
            counts.idleBytes -= oldest.key
        }
        return evicted
    }
}
