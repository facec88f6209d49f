import Foundation
import Testing
import SceneData
import PixelOoDTestSupport
import TensorCore

@Suite("Augmentation and the prefetching loader")
struct LoaderTests {
    static func world() throws -> (LabelledImages, [OutlierObject]) {
        let world = SyntheticWorld(width: 96, height: 64, seed: 5)
        let dir = try scratchDirectory()
        try world.write(to: dir.path, counts: .init(train: 6, val: 0, outliers: 3, perAnomalySet: 0))
        return (try BenchmarkLayouts.cityscapes(root: dir.appendingPathComponent("cityscapes").path, split: "train"),
                (0..<3).map { world.outlier($0) })
    }

    @Test("labels stay aligned with the image through scale, crop and flip")
    func alignment() {
        // Each column's label encodes its x, each pixel's red channel too: after any
        // augmentation they must still agree (up to bilinear blur at the edges of flat runs).
        let width = 40, height = 20
        var pixels: [UInt8] = [], values: [UInt8] = []
        for _ in 0..<height { for x in 0..<width { pixels += [UInt8(x * 6), 0, 0]; values.append(UInt8(x)) } }
        let image = RGBImage(width: width, height: height, pixels: pixels), labels = LabelMap(width: width, height: height, values: values)
        let augmentation = Augmentation(cropHeight: 16, cropWidth: 24, scaleRange: 1.0...1.5, outlierProbability: 0)
        var rng = SeededGenerator(seed: 1)
        for _ in 0..<20 {
            let crop = augmentation.apply(image, labels, outliers: [], using: &rng)
            for i in crop.labels.values.indices where crop.labels.values[i] != 255 {
                #expect(abs(Int(crop.image.pixels[3 * i]) - Int(crop.labels.values[i]) * 6) <= 6)
            }
        }
    }

    @Test("batches are deterministic in (seed, epoch, index) whatever the worker count")
    func determinism() throws {
        let (dataset, outliers) = try Self.world()
        let loader = try DataLoader(dataset: dataset, batchSize: 2,
                                augmentation: Augmentation(cropHeight: 48, cropWidth: 64, outlierProbability: 0.7), outliers: outliers, seed: 666)
        let direct = try (0..<loader.batchesPerEpoch).map { try loader.batch($0, epoch: 1) }
        for workers in [1, 3] {
            let iterator = loader.makeIterator(epoch: 1, workers: workers, prefetch: 2)
            var count = 0
            while let batch = try iterator.next() {
                #expect(batch.images.scalars == direct[count].images.scalars && batch.labels == direct[count].labels)
                count += 1
            }
            #expect(count == 3)
        }
        #expect(try loader.batch(0, epoch: 2).indices != direct[0].indices || loader.order(epoch: 2) != loader.order(epoch: 1))
        let batch = direct[0]
        #expect(batch.images.shape == [2, 3, 48, 64] && batch.contextImages?.shape == [2, 3, 48, 64])
        #expect(Set(batch.contextLabels!.values).isSubset(of: [0, 254, 255]))
        for (n, pasted) in batch.pasted.enumerated() {
            let crop = batch.labels.values[(n * 48 * 64)..<((n + 1) * 48 * 64)]
            #expect(crop.contains(254) == pasted)
        }
    }

    @Test("each crop's context image is the object pasted into it (the official pairing), padded at the mean colour and labelled 255")
    func contextPairing() throws {
        let (dataset, outliers) = try Self.world()
        let augmentation = Augmentation(cropHeight: 48, cropWidth: 80, outlierProbability: 1)
        let loader = try DataLoader(dataset: dataset, batchSize: 3, augmentation: augmentation, outliers: outliers, seed: 9)
        let batch = try loader.batch(1, epoch: 0)
        let plane = 48 * 80
        for (slot, datasetIndex) in batch.indices.enumerated() {
            // The loader's per-sample generator, replayed: which object did this crop receive?
            var rng = SeededGenerator(seed: 9).derived(UInt64(0) << 32 | UInt64(datasetIndex))
            let (image, labels) = try dataset.load(datasetIndex)
            let pasted = try #require(augmentation.apply(image, labels, outliers: outliers, using: &rng).pasted)
            let expected = augmentation.context(outliers[pasted])
            #expect(batch.contextLabels!.values[(slot * plane)..<((slot + 1) * plane)].map(UInt8.init) == expected.labels.values)
            // Objects are 64 px square here: the 80-px-wide context pads 8 columns each side, at ≈ 0 once normalised.
            #expect(expected.labels.values[0] == 255 && expected.labels.values[8] != 255)
            let padded = batch.contextImages!.scalars[slot * 3 * plane]
            #expect(abs(padded) < 0.03, "padding normalises to \(padded)")
        }
    }

    @Test("an unreadable image surfaces as an error from the iterator")
    func errors() throws {
        let (dataset, _) = try Self.world()
        try Data("broken".utf8).write(to: URL(fileURLWithPath: dataset.samples[0].image))
        let loader = try DataLoader(dataset: dataset, batchSize: 6, augmentation: Augmentation(cropHeight: 32, cropWidth: 32), seed: 1)
        #expect(throws: ImageIOError.self) { try loader.makeIterator(epoch: 0).next() }
    }

    @Test("a batch size the dataset cannot fill is an error naming the dataset, not a crash")
    func batchTooLarge() throws {
        let (dataset, _) = try Self.world()
        for size in [0, dataset.count + 1] {
            do {
                _ = try DataLoader(dataset: dataset, batchSize: size, augmentation: Augmentation(cropHeight: 32, cropWidth: 32), seed: 1)
                Issue.record("batch size \(size) accepted for \(dataset.count) images")
            } catch let error as DatasetError {
                #expect(error.description.hasPrefix(dataset.name + ": batch size \(size)"))
            }
        }
    }
}
