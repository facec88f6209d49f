import Dispatch
import Foundation
import TensorCore

/// A training batch: normalised crops, their labels (trainIds, 254 pasted outliers, 255
/// void) and, for CoroCL, the paired outlier-context images.
public struct TrainingBatch: @unchecked Sendable {
    /// `[N, 3, H, W]`, ImageNet-normalised.
    public var images: Tensor
    /// `[N, H, W]`.
    public var labels: IndexTensor
    /// Per image, whether an outlier object was pasted into it.
    public var pasted: [Bool]
    /// `[N, 3, H, W]` outlier-context images (nil when the loader has no outliers).
    public var contextImages: Tensor?
    /// `[N, H, W]`: 254 on the context image's object, 0 elsewhere.
    public var contextLabels: IndexTensor?
    /// The dataset indices of the batch's images.
    public var indices: [Int]
    /// Seeds the random choices loss terms make on this batch (CoroCL's pixel sampling): a
    /// pure function of the loader's seed, the epoch and the batch's index, so a resumed run
    /// draws what the uninterrupted one drew.
    public var seed: UInt64
    /// In a data-parallel step, this batch's place in the global batch (nil: the whole batch).
    public var shard: BatchShard?

    /// A batch as the loader assembles it (or a test builds it).
    public init(images: Tensor, labels: IndexTensor, pasted: [Bool], contextImages: Tensor? = nil,
                contextLabels: IndexTensor? = nil, indices: [Int] = [], seed: UInt64 = 0) {
        (self.images, self.labels, self.pasted) = (images, labels, pasted)
        (self.contextImages, self.contextLabels, self.indices, self.seed) = (contextImages, contextLabels, indices, seed)
    }
}

/// Assembles augmented batches from a ``LabelledImages`` dataset, deterministically: batch
/// `b` of epoch `e` is a pure function of (seed, e, b) — the shuffle comes from a generator
/// derived from (seed, epoch) and each sample's augmentation from one derived from
/// (seed, epoch, index) — so the worker count never changes the numbers. Background workers
/// build batches ahead of the consumer (``makeIterator()``).
public struct DataLoader: Sendable {
    /// The images.
    public let dataset: LabelledImages
    /// Images per batch.
    public let batchSize: Int
    /// The augmentation of each crop.
    public let augmentation: Augmentation
    /// Outlier-exposure objects (empty: no pasting, no context images).
    public let outliers: [OutlierObject]
    /// The recipe's seed.
    public let seed: UInt64

    /// Creates a loader.
    /// - Throws: ``DatasetError/invalidLoader(dataset:reason:)`` when `batchSize` is not
    ///   positive or exceeds the dataset (the last partial batch is dropped, so no batch
    ///   could be made).
    public init(dataset: LabelledImages, batchSize: Int, augmentation: Augmentation, outliers: [OutlierObject] = [], seed: UInt64) throws {
        guard batchSize > 0 && batchSize <= dataset.count else {
            throw DatasetError.invalidLoader(dataset: dataset.name,
                                             reason: "batch size \(batchSize) does not fit \(dataset.count) images (need 1...\(dataset.count))")
        }
        (self.dataset, self.batchSize, self.augmentation, self.outliers, self.seed) = (dataset, batchSize, augmentation, outliers, seed)
    }

    /// Full batches per epoch (the last partial batch is dropped, as `drop_last=True`).
    public var batchesPerEpoch: Int { dataset.count / batchSize }

    /// The dataset order of `epoch`.
    public func order(epoch: Int) -> [Int] {
        var rng = SeededGenerator(seed: seed).derived(UInt64(epoch) &* 0x1000_0000_01B3)
        var indices = Array(0..<dataset.count)
        for i in stride(from: indices.count - 1, to: 0, by: -1) { indices.swapAt(i, rng.int(0...i)) }
        return indices
    }

    /// Builds batch `index` of `epoch` on the calling thread (images decoded and augmented
    /// in parallel over the cores).
    /// - Throws: the first ``ImageIOError`` or ``DatasetError`` of the batch's files.
    public func batch(_ index: Int, epoch: Int) throws -> TrainingBatch {
        let members = Array(order(epoch: epoch)[(index * batchSize)..<((index + 1) * batchSize)])
        let (h, w) = (augmentation.cropHeight, augmentation.cropWidth)
        let plane = h * w
        let images = TensorStorage(uninitializedCount: batchSize * 3 * plane)
        let context = outliers.isEmpty ? nil : TensorStorage(uninitializedCount: batchSize * 3 * plane)
        let results = BatchSlots(count: batchSize)
        DispatchQueue.concurrentPerform(iterations: batchSize) { slot in
            do {
                let datasetIndex = members[slot]
                var rng = SeededGenerator(seed: seed).derived(UInt64(epoch) << 32 | UInt64(datasetIndex))
                let (image, labels) = try dataset.load(datasetIndex)
                let crop = augmentation.apply(image, labels, outliers: outliers, using: &rng)
                augmentation.normalize(crop.image, into: images.pointer + slot * 3 * plane)
                var contextLabels: [UInt8]?
                if let context {
                    // The official pairing: the image whose object was pasted into this crop.
                    let (contextImage, labels) = augmentation.context(outliers[crop.pasted ?? rng.int(0...(outliers.count - 1))])
                    augmentation.normalize(contextImage, into: context.pointer + slot * 3 * plane)
                    contextLabels = labels.values
                }
                results.store(slot, .success((crop.labels.values, crop.pasted != nil, contextLabels)))
            } catch {
                results.store(slot, .failure(error))
            }
        }
        var labels: [Int32] = [], contextLabels: [Int32] = [], pasted: [Bool] = []
        for slot in 0..<batchSize {
            let (crop, didPaste, context) = try results.value(slot).get()
            labels += crop.map(Int32.init)
            contextLabels += (context ?? []).map(Int32.init)
            pasted.append(didPaste)
        }
        return TrainingBatch(images: Tensor(shape: [batchSize, 3, h, w], storage: images),
                             labels: IndexTensor(shape: [batchSize, h, w], labels), pasted: pasted,
                             contextImages: context.map { Tensor(shape: [batchSize, 3, h, w], storage: $0) },
                             contextLabels: context == nil ? nil : IndexTensor(shape: [batchSize, h, w], contextLabels),
                             indices: members,
                             seed: lossSeed(epoch: epoch, index: index))
    }

    /// The seed of the loss terms' random choices on batch `index` of `epoch`.
    func lossSeed(epoch: Int, index: Int) -> UInt64 {
        var rng = SeededGenerator(seed: seed).derived(UInt64(epoch) << 32 | UInt64(index) ^ 0x4C4F_5353_0000_0000)
        return rng.next()
    }

    /// The batches of `epoch` in order from batch `start` (a resumed run's position), built
    /// `prefetch` ahead by `workers` background threads.
    public func makeIterator(epoch: Int, from start: Int = 0, workers: Int = 2, prefetch: Int = 2) -> PrefetchingIterator {
        PrefetchingIterator(loader: self, epoch: epoch, start: max(0, start), workers: max(1, workers), prefetch: max(1, prefetch))
    }
}

/// Per-slot results of one batch, written by parallel workers.
private final class BatchSlots: @unchecked Sendable {
    typealias Value = Result<([UInt8], Bool, [UInt8]?), any Error>
    private let lock = NSLock()
    private var slots: [Value?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func store(_ slot: Int, _ value: Value) { lock.lock(); slots[slot] = value; lock.unlock() }
    func value(_ slot: Int) -> Value { lock.lock(); defer { lock.unlock() }; return slots[slot]! }
}

/// Yields an epoch's batches in order while background workers build the next ones.
public final class PrefetchingIterator: @unchecked Sendable {
    private let loader: DataLoader
    private let epoch: Int
    private let condition = NSCondition()
    private var ready: [Int: Result<TrainingBatch, any Error>] = [:]
    private var nextToYield = 0
    private var nextToBuild = 0
    private let prefetch: Int
    private var stopped = false

    init(loader: DataLoader, epoch: Int, start: Int, workers: Int, prefetch: Int) {
        (self.loader, self.epoch, self.prefetch) = (loader, epoch, prefetch)
        (nextToYield, nextToBuild) = (start, start)
        for _ in 0..<workers {
            // Workers hold the iterator only while they step, so dropping it ends them.
            let thread = Thread { [weak self] in
                while let iterator = self, iterator.step() {}
            }
            thread.start()
        }
    }

    deinit {
        condition.lock(); stopped = true; condition.broadcast(); condition.unlock()
    }

    /// Builds one batch if one may be built now; false when there is nothing left to do.
    private func step() -> Bool {
        condition.lock()
        if stopped || nextToBuild >= loader.batchesPerEpoch { condition.unlock(); return false }
        if nextToBuild >= nextToYield + prefetch {
            _ = condition.wait(until: Date(timeIntervalSinceNow: 0.05))
            condition.unlock()
            return true
        }
        let index = nextToBuild
        nextToBuild += 1
        condition.unlock()
        let result = Result { try loader.batch(index, epoch: epoch) }
        condition.lock()
        ready[index] = result
        condition.broadcast()
        condition.unlock()
        return true
    }

    /// The next batch, nil after the last.
    /// - Throws: the error that building it raised (file unreadable, bad label).
    public func next() throws -> TrainingBatch? {
        condition.lock()
        defer { condition.unlock() }
        guard nextToYield < loader.batchesPerEpoch else { return nil }
        while ready[nextToYield] == nil { condition.wait() }
        let result = ready.removeValue(forKey: nextToYield)!
        nextToYield += 1
        condition.broadcast()
        return try result.get()
    }
}
