import ArgumentParser
import Foundation
import SceneData

/// `pixelood bench data`: synthesis and loader throughput (images/second).
struct BenchData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Benchmark synthetic-world generation and the loader (decode + augment + batch).",
        discussion: "Writes --images scenes to a temporary folder, then reads one epoch through the prefetching loader.")

    @Option(help: "Scenes to synthesise and load.") var images = 32
    @Option(help: "Image size as HEIGHTxWIDTH (also the crop).") var size = "512x1024"
    @Option(help: "Loader worker threads.") var workers = 2
    @Option(help: "Batch size.") var batch = 4

    func run() throws {
        let (height, width) = try parseSize(size)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pixelood-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let world = SyntheticWorld(width: width, height: height, seed: 0)
        var start = Date()
        try world.write(to: folder.path, counts: .init(train: images, val: 0, outliers: 8, perAnomalySet: 0))
        let synthesis = Double(images + 8) / Date().timeIntervalSince(start)
        let dataset = try BenchmarkLayouts.cityscapes(root: folder.appendingPathComponent("cityscapes").path, split: "train")
        let loader = try DataLoader(dataset: dataset, batchSize: batch, augmentation: Augmentation(cropHeight: height, cropWidth: width),
                                outliers: (0..<8).map { world.outlier($0) }, seed: 0)
        start = Date()
        let iterator = loader.makeIterator(epoch: 0, workers: workers)
        var loaded = 0
        while let next = try iterator.next() { loaded += next.indices.count }
        let loading = Double(loaded) / Date().timeIntervalSince(start)
        print(String(format: "synthesis (render + PNG write): %.1f images/s at %dx%d", synthesis, height, width))
        print(String(format: "loader (PNG decode + scale/crop/flip + outlier paste + context + normalise): %.1f images/s, %d workers, batch %d",
                     loading, workers, batch))
    }
}
