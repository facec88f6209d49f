import Foundation
import Testing
import SceneData
import PixelOoDTestSupport

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
}

@Suite("Readers on committed samples of each release's layout")
struct LayoutFixtureTests {
    static let root = Fixture.directory.appendingPathComponent("layouts").path

    static func expected(_ name: String) throws -> [UInt8] {
        try fixtureIntegers("layouts/expected/\(name).txt").map { UInt8($0) }
    }

    @Test("each layout lists its sample and maps its label encoding",
          arguments: ["fishyscapes_static", "road_anomaly", "smiyc_anomaly", "smiyc_obstacle", "lost_and_found", "street_hazards",
                      "cityscapes"])
    func layout(_ name: String) throws {
        let dataset: LabelledImages
        switch name {
        case "fishyscapes_static": dataset = try BenchmarkLayouts.fishyscapes(root: Self.root + "/fishyscapes", split: "Static")
        case "road_anomaly": dataset = try BenchmarkLayouts.roadAnomaly(root: Self.root + "/road_anomaly")
        case "smiyc_anomaly": dataset = try BenchmarkLayouts.segmentMeIfYouCan(root: Self.root + "/smiyc", track: .anomaly)
        case "smiyc_obstacle": dataset = try BenchmarkLayouts.segmentMeIfYouCan(root: Self.root + "/smiyc", track: .obstacle)
        case "lost_and_found": dataset = try BenchmarkLayouts.lostAndFound(root: Self.root + "/lost_and_found")
        case "street_hazards": dataset = try BenchmarkLayouts.streetHazards(root: Self.root + "/street_hazards")
        default: dataset = try BenchmarkLayouts.cityscapes(root: Self.root + "/cityscapes", split: "val")
        }
        #expect(dataset.count == 1, "colour masks and other files are not samples")
        let (image, labels) = try dataset.load(0)
        #expect(image.width == 8 && image.height == 6)
        #expect(labels.values == (try Self.expected(name)))
    }
}
