import Testing
@testable import TensorCore

@Suite("StorageCache: reused tensor buffers")
struct StorageCacheTests {
    /// Elements of a buffer just above the cached minimum.
    let large = StorageCache.minimumBytes / 4 + 1000

    @Test("size classes round up by at most an eighth of the power of two below")
    func sizeClasses() {
        for bytes in [StorageCache.minimumBytes, 300_000, 1 << 20, (1 << 20) + 1, 40_000_000, 123_456_789] {
            let size = StorageCache.sizeClass(bytes)
            #expect(size >= bytes && Double(size) <= 1.125 * Double(bytes), "\(bytes) → \(size)")
            #expect(StorageCache.sizeClass(size) == size, "a class is its own class")
        }
    }

    @Test("inside a scope a large buffer is reused by the next request of its class; small ones and those outside a scope are not cached")
    func reuse() {
        let cache = StorageCache(limit: 1 << 30)
        StorageCache.using(cache) {
            var first: TensorStorage? = TensorStorage(uninitializedCount: large)
            let address = first?.pointer
            first = nil
            #expect(cache.statistics.idleBytes == StorageCache.sizeClass(large * 4))
            let second = TensorStorage(uninitializedCount: large - 500)  // the same class
            #expect(second.pointer == address)
            #expect(cache.statistics == StorageCache.Statistics(reused: 1, allocated: 1, idleBytes: 0, mappedBytes: StorageCache.sizeClass(large * 4)))
            _ = TensorStorage(uninitializedCount: 16)
            #expect(cache.statistics.allocated == 1, "small buffers bypass the cache")
        }
        #expect(cache.statistics.idleBytes == 0, "closing frees the idle buffers")
        _ = TensorStorage(uninitializedCount: large)
        #expect(cache.statistics.allocated == 1, "outside the scope nothing is cached")
        let off = StorageCache(limit: 0)
        StorageCache.using(off) { _ = TensorStorage(uninitializedCount: large) }
        #expect(off.statistics == StorageCache.Statistics(), "a cache of limit 0 (PIXELOOD_STORAGE_CACHE=0) is bypassed")
    }

    @Test("a request no idle buffer of its class serves maps afresh while all held stays within the allowance above the most in use (here an eighth of it: nothing stays in use), else resizes an idle buffer (the nearest larger, else the largest smaller) and unmaps the oldest idle ones past the allowance")
    func resizesIdleBuffers() {
        let size = { (elements: Int) in StorageCache.sizeClass(elements * 4) }
        let cache = StorageCache(limit: 1 << 30)
        StorageCache.using(cache) {
            var buffers = [TensorStorage(uninitializedCount: large), TensorStorage(uninitializedCount: 64 * large)]
            buffers.removeAll()  // the most in use: 65 units, all idle now
            var shrunk: TensorStorage? = TensorStorage(uninitializedCount: 16 * large)  // 16 + 65 held > 65 · 9/8: the 64 shrinks
            shrunk?.pointer.update(repeating: 1, count: 16 * large)  // the resized mapping is writable throughout
            let mapped = size(large) + size(64 * large)  // shrinking maps nothing
            #expect(cache.statistics == StorageCache.Statistics(reused: 0, allocated: 2, resized: 1, idleBytes: size(large), mappedBytes: mapped))
            let fresh = TensorStorage(uninitializedCount: 2 * large)  // 18 + 1 held: within the allowance, mapped afresh
            fresh.pointer.update(repeating: 2, count: 2 * large)
            #expect(cache.statistics == StorageCache.Statistics(reused: 0, allocated: 3, resized: 1, idleBytes: size(large), mappedBytes: mapped + size(2 * large)))
            shrunk = nil
            #expect(cache.statistics.idleBytes == size(large) + size(16 * large), "a resized buffer returns to its new class")
        }
        let growing = StorageCache(limit: 1 << 30)
        StorageCache.using(growing) {
            var buffers = (0..<10).map { _ in TensorStorage(uninitializedCount: 8 * large) }
            buffers.removeAll()  // 80 units idle
            // No larger class idle: an 8 grows to 40, and 40 in use + 72 idle past 80 · 9/8 = 90
            // unmaps the three least recently released 8s (40 + 48 ≤ 90).
            let grown = TensorStorage(uninitializedCount: 40 * large)
            grown.pointer.update(repeating: 3, count: 40 * large)
            #expect(growing.statistics == StorageCache.Statistics(reused: 0, allocated: 10, resized: 1, idleBytes: 6 * size(8 * large),
                                                                  mappedBytes: 9 * size(8 * large) + size(40 * large)))
        }
        #expect(cache.statistics.idleBytes == 0 && growing.statistics.idleBytes == 0)
    }

    @Test("buffers that stay in use do not widen the allowance: it is an eighth of the bytes that come and go")
    func allowanceExcludesLongLivedBuffers() {
        let cache = StorageCache(limit: 1 << 30)
        StorageCache.using(cache) {
            let weights = TensorStorage(uninitializedCount: 64 * large)  // stays in use
            withExtendedLifetime(weights) {
                _ = TensorStorage(uninitializedCount: 8 * large)  // the most in use: 72 units; the least since: 64
                // 64 + 8 idle + 4 = 76 units > 72 + (72 - 64) / 8: the idle 8 shrinks (an eighth of
                // all 72 in use would have allowed 81 and mapped it afresh)
                let next = TensorStorage(uninitializedCount: 4 * large)
                next.pointer.update(repeating: 1, count: 4 * large)
                let mapped = StorageCache.sizeClass(64 * large * 4) + StorageCache.sizeClass(8 * large * 4)
                #expect(cache.statistics == StorageCache.Statistics(reused: 0, allocated: 2, resized: 1, idleBytes: 0, mappedBytes: mapped))
            }
        }
    }

    @Test("idle bytes stay under the limit (oldest freed first); a buffer released after the scope closed is freed")
    func limitAndClose() {
        let size = StorageCache.sizeClass(large * 4)
        let cache = StorageCache(limit: 2 * size)
        var survivor: TensorStorage?
        StorageCache.using(cache) {
            var buffers = (0..<3).map { _ in TensorStorage(uninitializedCount: large) }
            let newest = buffers[2].pointer
            buffers.removeAll()
            #expect(cache.statistics.idleBytes == 2 * size)
            #expect(TensorStorage(uninitializedCount: large).pointer == newest, "most recent first")
            survivor = TensorStorage(uninitializedCount: large)
        }
        survivor = nil
        #expect(survivor == nil && cache.statistics.idleBytes == 0)
    }

    @Test("a reused buffer's old contents never reach a result: ops inside a cache of NaN-poisoned buffers equal ops outside")
    func poisonedBuffersDoNotLeak() {
        func work() -> [[Float]] {
            var rng = SeededGenerator(seed: 3)
            let x = Tensor.normal([2, 8, 40, 48], using: &rng).requiringGrad()
            let w = (Tensor.normal([8, 8, 3, 3], using: &rng) * 0.1).requiringGrad()
            let y = x.conv2d(weight: w, padding: (1, 1)).relu().resizeBilinear(to: (80, 96), alignCorners: true)
            let parts = y.split(sizes: [4, 4], axis: 1)
            let z = Tensor.concat([parts[1].softmax(axis: 1), parts[0].logSoftmax(axis: 1)], axis: 1).slice(axis: 0, start: 1, end: 2)
            z.sum().backward()
            return [z.scalars, x.grad?.scalars ?? [], w.grad?.scalars ?? []]
        }
        let reference = work()
        let cache = StorageCache(limit: 1 << 30)
        let poisoned = StorageCache.using(cache) { () -> [[Float]] in
            for elements in [large, 2 * large, 4 * large, 40 * 48 * 8 * 2, 80 * 96 * 8 * 2, 80 * 96 * 4, 80 * 96 * 8] {
                let buffer = TensorStorage(uninitializedCount: elements)
                buffer.pointer.update(repeating: .nan, count: elements)
            }
            return work()
        }
        #expect(cache.statistics.reused > 0, "the poisoned buffers were handed out again")
        #expect(poisoned == reference)
    }
}
