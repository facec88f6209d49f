import Testing
import OoDKit
import OoDMetrics

@Suite("Per-class IoU in the report")
struct ClassIoUTests {
    @Test("a 19-class matrix gets Cityscapes' names, each class its IoU and labelled pixels; a class never seen has none")
    func cityscapesNames() throws {
        var confusion = ConfusionMatrix(classes: 19)
        // road: 3 right, 1 called sidewalk; sidewalk: 1 right; pole: 1 called road.
        try confusion.add(predictions: [0, 0, 0, 1, 1, 0, 3], labels: [0, 0, 0, 0, 1, 5, 255])
        let table = ClassIoU.table(confusion)
        #expect(table.count == 19)
        #expect(table[0] == ClassIoU(name: "road", iou: 3.0 / 5.0, pixels: 4))
        #expect(table[1] == ClassIoU(name: "sidewalk", iou: 1.0 / 2.0, pixels: 1))
        #expect(table[5] == ClassIoU(name: "pole", iou: 0, pixels: 1))
        #expect(table[6] == ClassIoU(name: "traffic light", iou: nil, pixels: 0))
        let defined = table.compactMap(\.iou)
        #expect(abs(defined.reduce(0, +) / Double(defined.count) - confusion.meanIoU) < 1e-15)
    }

    @Test("another class count is numbered")
    func numbered() throws {
        var confusion = ConfusionMatrix(classes: 3)
        try confusion.add(predictions: [2, 2], labels: [2, 1])
        #expect(ClassIoU.table(confusion).map(\.name) == ["class 0", "class 1", "class 2"])
        #expect(ClassIoU.table(confusion).map(\.iou) == [nil, 0, 0.5])
    }
}
