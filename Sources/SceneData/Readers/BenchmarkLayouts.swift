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
    /// `images/validation_<digits>.webp` (Obstacle; any of WebP/JPEG/PNG accepted for both).
    public static func segmentMeIfYouCan(root: String, track: SMIYCTrack) throws -> LabelledImages {
        let folder = track.folder
        let base = URL(fileURLWithPath: root).appendingPathComponent(folder)
        let labelFiles = try LabelledImages.files(in: base.appendingPathComponent("labels_masks").path, extensions: ["png"],
                                                  layout: "SegmentMeIfYouCan (\(folder)/images, \(folder)/labels_masks)")
            .filter { !$0.contains("color") }
        var samples: [LabelledSample] = []
        for file in labelFiles {
            let digits = file.filter(\.isNumber)
            let stem = base.appendingPathComponent("images").appendingPathComponent(track.imagePrefix + digits).path
            guard let image = LabelledImages.existing(stem, extensions: ["webp", "jpg", "png", "jpeg"]) else {
                throw DatasetError.missingLabel(image: stem + ".{webp,jpg,png}", expected: file)
            }
            samples.append(LabelledSample(name: "validation" + digits, image: image,
                                          labels: base.appendingPathComponent("labels_masks").appendingPathComponent(file).path))
        }
        guard !samples.isEmpty else { throw DatasetError.empty(path: base.path) }
        return try LabelledImages(name: "SMIYC \(track.rawValue)", samples: samples, allowed: anomalyValues, mapping: anomalyMapping)
    }

    /// Cityscapes `ROOT/leftImg8bit/<split>/<city>/*_leftImg8bit.png` with
    /// `gtFine/<split>/<city>/*_gtFine_labelTrainIds.png` (trainIds 0-18, 255).
    public static func cityscapes(root: String, split: String) throws -> LabelledImages {
        let samples = try cityFolderPairs(root: root, images: "leftImg8bit/\(split)", labels: "gtFine/\(split)",
                                          imageSuffix: "_leftImg8bit.png", labelSuffix: "_gtFine_labelTrainIds.png",
                                          layout: "Cityscapes (leftImg8bit/<split>/<city>, gtFine/<split>/<city>)")
        return try LabelledImages(name: "Cityscapes \(split)", samples: samples, allowed: "trainIds 0-18 and 255") { $0 <= 18 || $0 == 255 ? $0 : nil }
    }

    /// Lost & Found `ROOT/leftImg8bit/<split>/<city>/*_leftImg8bit.png` with
    /// `gtCoarse/<split>/<city>/*_gtCoarse_labelTrainIds.png`, whose 0 (unlabelled) / 1
    /// (free space) / 2 (obstacle) become 255 / 0 / 1, as the RPL evaluation maps them.
    public static func lostAndFound(root: String, split: String = "test") throws -> LabelledImages {
        let samples = try cityFolderPairs(root: root, images: "leftImg8bit/\(split)", labels: "gtCoarse/\(split)",
                                          imageSuffix: "_leftImg8bit.png", labelSuffix: "_gtCoarse_labelTrainIds.png",
                                          layout: "Lost & Found (leftImg8bit/<split>/<city>, gtCoarse/<split>/<city>)")
        return try LabelledImages(name: "Lost & Found \(split)", samples: samples, allowed: "0, 1, 2 (and 255)") { value in
            switch value { case 0, 255: return 255; case 1: return 0; case 2: return 1; default: return nil }
        }
    }

    /// StreetHazards `ROOT/test/images/test/<town>/*.png` with
    /// `test/annotations/test/<town>/*.png` (the anomaly-seg release, classes 1-indexed:
    /// 14 is the anomaly, 1 unlabelled): mapped to 1 anomaly, 255 void, 0 everything else.
    public static func streetHazards(root: String) throws -> LabelledImages {
        let samples = try cityFolderPairs(root: root, images: "test/images/test", labels: "test/annotations/test",
                                          imageSuffix: ".png", labelSuffix: ".png",
                                          layout: "StreetHazards (test/images/test/<town>, test/annotations/test/<town>)")
        return try LabelledImages(name: "StreetHazards test", samples: samples, allowed: "classes 1-14") { value in
            switch value { case 14: return 1; case 1: return 255; case 2...13: return 0; default: return nil }
        }
    }

    /// Pairs `images/<folder>/<stem><imageSuffix>` with `labels/<folder>/<stem><labelSuffix>`
    /// over the sub-folders (cities, towns) of `images`.
    private static func cityFolderPairs(root: String, images: String, labels: String, imageSuffix: String, labelSuffix: String,
                                        layout: String) throws -> [LabelledSample] {
        let base = URL(fileURLWithPath: root)
        let imageRoot = base.appendingPathComponent(images)
        try LabelledImages.requireFolder(imageRoot.path, layout: layout)
        var samples: [LabelledSample] = []
        for folder in try FileManager.default.contentsOfDirectory(atPath: imageRoot.path).sorted() {
            let directory = imageRoot.appendingPathComponent(folder)
            for file in ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted() where file.hasSuffix(imageSuffix) {
                let stem = String(file.dropLast(imageSuffix.count))
                let label = base.appendingPathComponent("\(labels)/\(folder)/\(stem)\(labelSuffix)").path
                guard FileManager.default.fileExists(atPath: label) else {
                    throw DatasetError.missingLabel(image: directory.appendingPathComponent(file).path, expected: label)
                }
                samples.append(LabelledSample(name: folder + "/" + stem, image: directory.appendingPathComponent(file).path, labels: label))
            }
        }
        guard !samples.isEmpty else { throw DatasetError.empty(path: imageRoot.path) }
        return samples
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
