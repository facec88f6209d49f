import Foundation

/// COCO instance annotations (`annotations/instances_<split>.json` beside `<split>/`): the
/// objects of classes that do not overlap Cityscapes, as outlier-exposure sources.
/// Masks come from polygons (even-odd rasterisation) or RLE (uncompressed `counts` lists
/// and COCO's compressed strings). Crowd annotations are skipped.
public struct COCOInstances: Sendable {
    /// COCO class names that are Cityscapes classes (or parts of street scenes), excluded as
    /// the outlier-exposure literature does.
    public static let cityscapesOverlap: Set<String> = [
        "person", "bicycle", "car", "motorcycle", "bus", "train", "truck", "traffic light", "fire hydrant",
        "stop sign", "parking meter", "bench"]

    /// One kept object.
    public struct Object: Sendable {
        /// The image file.
        public var image: String
        /// The category name.
        public var category: String
        fileprivate var annotation: Annotation
    }

    /// The kept objects, in annotation-id order.
    public let objects: [Object]

    /// Reads `root/annotations/instances_<split>.json`; objects smaller than `minimumArea`
    /// pixels and classes in `excluded` are dropped.
    /// - Throws: ``DatasetError`` for a missing file or folder, `DecodingError` (with the
    ///   file named in the wrapper) for malformed JSON.
    public init(root: String, split: String = "train2017", minimumArea: Double = 1000,
                excluded: Set<String> = COCOInstances.cityscapesOverlap) throws {
        let base = URL(fileURLWithPath: root)
        let annotationPath = base.appendingPathComponent("annotations/instances_\(split).json").path
        guard FileManager.default.fileExists(atPath: annotationPath) else {
            throw DatasetError.missingFolder(path: annotationPath, layout: "COCO (annotations/instances_<split>.json, <split>/)")
        }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: Data(contentsOf: URL(fileURLWithPath: annotationPath)))
        } catch {
            throw DatasetError.unsupportedFormat(path: annotationPath, hint: "not a COCO instances file: \(error)")
        }
        let names = Dictionary(file.categories.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let images = Dictionary(file.images.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        objects = file.annotations.sorted { $0.id < $1.id }.compactMap { annotation in
            guard annotation.iscrowd != 1, annotation.area >= minimumArea, let name = names[annotation.category_id],
                  !excluded.contains(name), let image = images[annotation.image_id] else { return nil }
            return Object(image: base.appendingPathComponent("\(split)/\(image.file_name)").path, category: name, annotation: annotation)
        }
    }

    /// Object `index` as an outlier-exposure object: its bounding box cut from the image,
    /// with the instance mask.
    public func load(_ index: Int) throws -> OutlierObject {
        let object = objects[index]
        let image = try ImageIO.readRGB(object.image)
        let mask = try object.annotation.segmentation.mask(width: image.width, height: image.height, source: object.image)
        let box = object.annotation.bbox.map { Int($0.rounded()) }
        let x0 = max(0, box[0]), y0 = max(0, box[1])
        let w = max(1, min(image.width - x0, box[2])), h = max(1, min(image.height - y0, box[3]))
        let labels = LabelMap(width: image.width, height: image.height, values: mask.map { $0 ? 1 : 0 })
        let (cropImage, cropLabels) = Geometry.crop(image, labels, x0: x0, y0: y0, width: w, height: h, fillLabel: 0)
        return OutlierObject(image: cropImage, mask: cropLabels.values.map { $0 == 1 }, family: nil)
    }

    // The JSON schema (COCO's field names).
    private struct File: Decodable {
        var images: [ImageEntry]
        var annotations: [Annotation]
        var categories: [Category]
    }
    private struct ImageEntry: Decodable { var id: Int; var file_name: String; var width: Int; var height: Int }
    private struct Category: Decodable { var id: Int; var name: String }
    fileprivate struct Annotation: Decodable, Sendable {
        var id: Int, image_id: Int, category_id: Int
        var segmentation: Segmentation
        var area: Double
        var bbox: [Double]
        var iscrowd: Int?
    }
}

/// A COCO segmentation: polygons, or RLE with `counts` as a list or a compressed string.
enum Segmentation: Decodable, Sendable {
    case polygons([[Double]])
    case rle(counts: [Int], height: Int, width: Int)

    private struct RLE: Decodable {
        var counts: Counts
        var size: [Int]
        enum Counts: Decodable {
            case list([Int]), string(String)
            init(from decoder: any Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let list = try? c.decode([Int].self) { self = .list(list) } else { self = .string(try c.decode(String.self)) }
            }
        }
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let polygons = try? c.decode([[Double]].self) { self = .polygons(polygons); return }
        let rle = try c.decode(RLE.self)
        guard rle.size.count == 2 else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "RLE size must be [height, width]")
        }
        switch rle.counts {
        case .list(let counts): self = .rle(counts: counts, height: rle.size[0], width: rle.size[1])
        case .string(let text): self = .rle(counts: Self.decompress(text), height: rle.size[0], width: rle.size[1])
        }
    }

    /// COCO's compressed RLE string: 5-bit groups in characters from 48, a continuation
    /// bit, sign extension, and counts after the second stored as differences.
    static func decompress(_ text: String) -> [Int] {
        var counts: [Int] = []
        let bytes = Array(text.utf8)
        var p = 0
        while p < bytes.count {
            var x = 0, k = 0, more = true
            while more && p < bytes.count {
                let c = Int(bytes[p]) - 48
                x |= (c & 0x1F) << (5 * k)
                more = c & 0x20 != 0
                p += 1
                k += 1
                if !more && c & 0x10 != 0 { x |= -1 << (5 * k) }
            }
            if counts.count > 2 { x += counts[counts.count - 2] }
            counts.append(x)
        }
        return counts
    }

    /// The row-major mask of a `width`×`height` image.
    func mask(width: Int, height: Int, source: String) throws -> [Bool] {
        switch self {
        case .rle(let counts, let h, let w):
            guard h == height, w == width, counts.reduce(0, +) == h * w else {
                throw ImageIOError.unexpectedFormat(path: source, reason: "RLE of \(h)x\(w) (\(counts.reduce(0, +)) pixels) for a \(height)x\(width) image")
            }
            // RLE runs are column-major (Fortran order), starting with background.
            var columnMajor = [Bool](repeating: false, count: h * w)
            var position = 0
            for (i, run) in counts.enumerated() {
                if i % 2 == 1 { for j in position..<(position + run) { columnMajor[j] = true } }
                position += run
            }
            var mask = [Bool](repeating: false, count: h * w)
            for x in 0..<w { for y in 0..<h { mask[y * w + x] = columnMajor[x * h + y] } }
            return mask
        case .polygons(let polygons):
            var canvas = Canvas(width: width, height: height, light: Color(repeating: 1), noise: ValueNoise(seed: 0), fillLabel: 0)
            for polygon in polygons where polygon.count >= 6 {
                let points = stride(from: 0, to: polygon.count - 1, by: 2).map { SIMD2(Float(polygon[$0]), Float(polygon[$0 + 1])) }
                canvas.polygon(points, Color(repeating: 1), label: 1, texture: 0)
            }
            return canvas.labels.values.map { $0 == 1 }
        }
    }
}
