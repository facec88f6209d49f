import Foundation

/// Readers of the anomaly benchmarks' folder layouts, as the public RPL/PEBAL evaluation
/// code lays them out, and of Cityscapes. Each returns a ``LabelledImages`` whose labels
/// are mapped to 0 inlier / 1 anomaly / 255 void (Cityscapes: trainIds).
public enum BenchmarkLayouts {
    static let anomalyValues = "0 (inlier), 1 (anomaly), 255 (void)"
    static let anomalyMapping: @Sendable (UInt8) -> UInt8? = { $0 <= 1 || $0 == 255 ? $0 : nil }

    /// Fishyscapes `ROOT/{Static,LostAndFound}/original/*.png` with `labels/*.png` (0/1/255).
    public static func fishyscapes(root: String, split: String) throws -> LabelledImages {
        let base = URL(fileURLWithPath: root).appendingPathComponent(split)
        let images = try LabelledImages.files(in: base.appendingPathComponent("original").path, extensions: ["png"],
                                              layout: "Fishyscapes (\(split)/original, \(split)/labels)")
        return try paired(name: "Fishyscapes \(split)", images: images, imageFolder: base.appendingPathComponent("original"),
                          labelFolder: base.appendingPathComponent("labels"))
    }

    /// RoadAnomaly `ROOT/original/*.jpg` (or .png) with `ROOT/labels/*.png` (0/1).
    public static func roadAnomaly(root: String) throws -> LabelledImages {
        let base = URL(fileURLWithPath: root)
        let images = try LabelledImages.files(in: base.appendingPathComponent("original").path, extensions: ["jpg", "png"],
                                              layout: "RoadAnomaly (original, labels)")
        return try paired(name: "RoadAnomaly", images: images, imageFolder: base.appendingPathComponent("original"),
                          labelFolder: base.appendingPathComponent("labels"))
    }

    /// SegmentMeIfYouCan `ROOT/dataset_{AnomalyTrack,ObstacleTrack}/labels_masks/*.png`
    /// (colour masks skipped) with `images/validation<digits>.jpg` (Anomaly) or
    /// `images/validation_<digits>.webp` (Obstacle; PNG or JPEG of the same stem also accepted).
    public static func segmentMeIfYouCan(root: String, track: String) throws -> LabelledImages {
        let folder = track == "obstacle" ? "dataset_ObstacleTrack" : "dataset_AnomalyTrack"
        let base = URL(fileURLWithPath: root).appendingPathComponent(folder)
        let labelFiles = try LabelledImages.files(in: base.appendingPathComponent("labels_masks").path, extensions: ["png"],
                                                  layout: "SegmentMeIfYouCan (\(folder)/images, \(folder)/labels_masks)")
            .filter { !$0.contains("color") }
        var samples: [LabelledSample] = []
        for file in labelFiles {
            let digits = file.filter(\.isNumber)
            let stem = base.appendingPathComponent("images").appendingPathComponent((track == "obstacle" ? "validation_" : "validation") + digits).path
            guard let image = LabelledImages.existing(stem, extensions: ["jpg", "png", "jpeg"]) else {
                if FileManager.default.fileExists(atPath: stem + ".webp") {
                    throw DatasetError.unsupportedFormat(path: stem + ".webp", hint: "WebP is not supported; convert the images to PNG (same stem)")
                }
                throw DatasetError.missingLabel(image: stem + ".*", expected: file)
            }
            samples.append(LabelledSample(name: "validation" + digits, image: image,
                                          labels: base.appendingPathComponent("labels_masks").appendingPathComponent(file).path))
        }
        guard !samples.isEmpty else { throw DatasetError.empty(path: base.path) }
        return try LabelledImages(name: "SMIYC \(track)", samples: samples, allowed: anomalyValues, mapping: anomalyMapping)
    }

    /// Cityscapes `ROOT/leftImg8bit/<split>/<city>/*_leftImg8bit.png` with
    /// `gtFine/<split>/<city>/*_gtFine_labelTrainIds.png` (trainIds 0-18, 255).
    public static func cityscapes(root: String, split: String) throws -> LabelledImages {
        let base = URL(fileURLWithPath: root)
        let imageRoot = base.appendingPathComponent("leftImg8bit/\(split)")
        try LabelledImages.requireFolder(imageRoot.path, layout: "Cityscapes (leftImg8bit/<split>/<city>, gtFine/<split>/<city>)")
        let cityFolders = try FileManager.default.contentsOfDirectory(atPath: imageRoot.path).sorted()
        var samples: [LabelledSample] = []
        for city in cityFolders {
            let folder = imageRoot.appendingPathComponent(city)
            for file in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where file.hasSuffix("_leftImg8bit.png") {
                let stem = String(file.dropLast("_leftImg8bit.png".count))
                let label = base.appendingPathComponent("gtFine/\(split)/\(city)/\(stem)_gtFine_labelTrainIds.png").path
                guard FileManager.default.fileExists(atPath: label) else {
                    throw DatasetError.missingLabel(image: folder.appendingPathComponent(file).path, expected: label)
                }
                samples.append(LabelledSample(name: stem, image: folder.appendingPathComponent(file).path, labels: label))
            }
        }
        guard !samples.isEmpty else { throw DatasetError.empty(path: imageRoot.path) }
        return try LabelledImages(name: "Cityscapes \(split)", samples: samples, allowed: "trainIds 0-18 and 255") { $0 <= 18 || $0 == 255 ? $0 : nil }
    }

    private static func paired(name: String, images: [String], imageFolder: URL, labelFolder: URL) throws -> LabelledImages {
        var samples: [LabelledSample] = []
        for file in images {
            let stem = (file as NSString).deletingPathExtension
            let label = labelFolder.appendingPathComponent(stem + ".png").path
            guard FileManager.default.fileExists(atPath: label) else {
                throw DatasetError.missingLabel(image: imageFolder.appendingPathComponent(file).path, expected: label)
            }
            samples.append(LabelledSample(name: stem, image: imageFolder.appendingPathComponent(file).path, labels: label))
        }
        guard !samples.isEmpty else { throw DatasetError.empty(path: imageFolder.path) }
        return try LabelledImages(name: name, samples: samples, allowed: anomalyValues, mapping: anomalyMapping)
    }
}
