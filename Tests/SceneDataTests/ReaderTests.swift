import Foundation
import Testing
import SceneData

@Suite("Benchmark layout readers")
struct ReaderTests {
    @Test("a missing folder names the folder and the expected layout")
    func missingFolder() throws {
        let root = try scratchDirectory().path
        do {
            _ = try BenchmarkLayouts.fishyscapes(root: root, split: "Static")
            Issue.record("an empty root read as Fishyscapes")
        } catch let error as DatasetError {
            #expect(error.description.contains(root + "/Static/original") && error.description.contains("Fishyscapes"))
        }
        #expect(throws: DatasetError.self) { try BenchmarkLayouts.roadAnomaly(root: root) }
        #expect(throws: DatasetError.self) { try BenchmarkLayouts.cityscapes(root: root, split: "val") }
    }

    @Test("an unexpected label value and a missing label file are named errors")
    func badLabels() throws {
        let root = try scratchDirectory()
        let image = RGBImage(width: 4, height: 2, fill: (10, 20, 30))
        try ImageIO.writePNG(image, to: root.appendingPathComponent("original/a.png").path)
        try ImageIO.writePNG(LabelMap(width: 4, height: 2, values: [0, 1, 255, 7, 0, 0, 0, 0]),
                             to: root.appendingPathComponent("labels/a.png").path)
        let dataset = try BenchmarkLayouts.roadAnomaly(root: root.path)
        let labelPath = root.appendingPathComponent("labels/a.png").path
        #expect(throws: DatasetError.unexpectedLabel(path: labelPath, value: 7, allowed: "0 (inlier), 1 (anomaly), 255 (void)")) {
            try dataset.load(0)
        }
        try ImageIO.writePNG(image, to: root.appendingPathComponent("original/b.png").path)
        #expect(throws: DatasetError.missingLabel(image: root.appendingPathComponent("original/b.png").path,
                                                  expected: root.appendingPathComponent("labels/b.png").path)) {
            try BenchmarkLayouts.roadAnomaly(root: root.path)
        }
    }

    @Test("SMIYC obstacle images in WebP are refused with a conversion hint")
    func webp() throws {
        let root = try scratchDirectory()
        let base = root.appendingPathComponent("dataset_ObstacleTrack")
        try ImageIO.writePNG(LabelMap(width: 2, height: 2, fill: 0), to: base.appendingPathComponent("labels_masks/validation_7_labels_semantic.png").path)
        try FileManager.default.createDirectory(at: base.appendingPathComponent("images"), withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: base.appendingPathComponent("images/validation_7.webp").path, contents: Data([0]))
        do {
            _ = try BenchmarkLayouts.segmentMeIfYouCan(root: root.path, track: "obstacle")
            Issue.record("WebP accepted")
        } catch let error as DatasetError {
            #expect(error.description.contains("WebP"))
        }
    }
}
