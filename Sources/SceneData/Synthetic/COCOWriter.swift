import Foundation

/// Writes outlier objects as a COCO instances file (image `i` is `NNNNNNNNNNNN.png` with
/// id `i + 1`; one annotation each, uncompressed RLE in COCO's column-major order, the
/// object family as its category).
enum COCOWriter {
    static func instances(_ objects: [OutlierObject]) throws -> Data {
        let families = ObjectFamily.outlierExposure
        var images: [[String: Any]] = [], annotations: [[String: Any]] = []
        for (i, object) in objects.enumerated() {
            let (w, h) = (object.image.width, object.image.height)
            images.append(["id": i + 1, "file_name": String(format: "%012d.png", i + 1), "width": w, "height": h])
            var counts: [Int] = [], current = false, run = 0
            var xs: [Int] = [], ys: [Int] = []
            for x in 0..<w {
                for y in 0..<h {
                    let value = object.mask[y * w + x]
                    if value { xs.append(x); ys.append(y) }
                    if value != current { counts.append(run); current = value; run = 0 }
                    run += 1
                }
            }
            counts.append(run)
            let bbox = xs.isEmpty ? [0, 0, 0, 0] : [xs.min()!, ys.min()!, xs.max()! - xs.min()! + 1, ys.max()! - ys.min()! + 1]
            annotations.append(["id": i + 1, "image_id": i + 1, "category_id": 1001 + (object.family.flatMap { families.firstIndex(of: $0) } ?? 0),
                                "segmentation": ["counts": counts, "size": [h, w]], "area": xs.count, "bbox": bbox, "iscrowd": 0])
        }
        let categories = families.enumerated().map { ["id": 1001 + $0.offset, "name": $0.element.rawValue] as [String: Any] }
        return try JSONSerialization.data(withJSONObject: ["images": images, "annotations": annotations, "categories": categories],
                                          options: [.sortedKeys])
    }
}
