import Foundation
import Testing
import SceneData
import PixelOoDTestSupport

@Suite("COCO instances as outlier-exposure objects")
struct COCOTests {
    static let root = Fixture.directory.appendingPathComponent("coco").path

    @Test("crowd annotations and Cityscapes-overlapping classes are skipped")
    func filtering() throws {
        let coco = try COCOInstances(root: Self.root, split: "val2017", minimumArea: 1)
        #expect(coco.objects.map(\.category) == ["chair", "sports ball", "handbag"])
    }

    @Test("polygon, uncompressed-RLE and compressed-RLE masks equal pycocotools'", arguments: [1, 2, 3])
    func masks(_ annotation: Int) throws {
        let coco = try COCOInstances(root: Self.root, split: "val2017", minimumArea: 1)
        let object = try coco.load(annotation - 1)
        let expected = try ImageIO.readLabels(Fixture.directory.appendingPathComponent("coco/expected/\(annotation).png").path)
        // The object is cut to its bounding box: compare inside it.
        let ys = expected.values.indices.filter { expected.values[$0] == 255 }.map { $0 / expected.width }
        let xs = expected.values.indices.filter { expected.values[$0] == 255 }.map { $0 % expected.width }
        let (x0, y0) = (xs.min()!, ys.min()!)
        #expect(object.image.width == xs.max()! - x0 + 1 && object.image.height == ys.max()! - y0 + 1)
        var mismatches = 0
        for y in 0..<object.image.height {
            for x in 0..<object.image.width where object.mask[y * object.image.width + x] != (expected[y0 + y, x0 + x] == 255) {
                mismatches += 1
            }
        }
        // Polygon edges may differ by a pixel from pycocotools' rasteriser; RLE is exact.
        #expect(annotation == 1 ? mismatches <= object.image.height * 2 : mismatches == 0, "\(mismatches) pixels differ")
    }

    @Test("a missing annotation file names the path and the layout")
    func missing() throws {
        #expect(throws: DatasetError.self) { try COCOInstances(root: Self.root, split: "train2017") }
    }
}
