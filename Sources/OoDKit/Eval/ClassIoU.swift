import OoDMetrics
import SceneData

/// One class's IoU of the closed-set prediction on `data.val`, as mmseg's per-class table.
public struct ClassIoU: Sendable, Codable, Equatable {
    /// The class name (Cityscapes' for a 19-class segmenter, else `class <k>`).
    public var name: String
    /// `TP / (TP + FP + FN)`; nil when the class appears in neither labels nor predictions.
    public var iou: Double?
    /// Labelled pixels of the class in the split.
    public var pixels: Int

    /// One class's entry.
    public init(name: String, iou: Double?, pixels: Int) { (self.name, self.iou, self.pixels) = (name, iou, pixels) }

    /// Every class of `confusion`, named.
    public static func table(_ confusion: ConfusionMatrix) -> [ClassIoU] {
        let names = confusion.classes == TrainId.allCases.count ? TrainId.allCases.map(\.name) : (0..<confusion.classes).map { "class \($0)" }
        return zip(zip(confusion.perClassIoU, confusion.labelledPixels), names).map { measured, name in
            ClassIoU(name: name, iou: measured.0.isNaN ? nil : measured.0, pixels: Int(measured.1))
        }
    }

    /// Markdown lines: one column per class, IoU in percent (— where undefined).
    static func markdown(_ classes: [ClassIoU]) -> [String] {
        ["| " + classes.map(\.name).joined(separator: " | ") + " |",
         "|" + String(repeating: "---:|", count: classes.count),
         "| " + classes.map { $0.iou.map { String(format: "%.1f", 100 * $0) } ?? "—" }.joined(separator: " | ") + " |"]
    }
}
