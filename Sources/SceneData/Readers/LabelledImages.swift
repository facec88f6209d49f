import Foundation

/// One image and its label file.
public struct LabelledSample: Sendable, Equatable {
    /// A stable name (the file stem), for reports and heat maps.
    public var name: String
    /// The image file (PNG or JPEG).
    public var image: String
    /// The label file (PNG).
    public var labels: String
}

/// A list of image/label pairs plus the rule that turns stored label values into the
/// values PixelOoD uses (anomaly sets: 0 inlier, 1 anomaly, 255 void; Cityscapes:
/// trainIds 0-18, 255 void), checked on load.
public struct LabelledImages: Sendable {
    /// What the dataset is ("Fishyscapes Static", "Cityscapes train", …).
    public private(set) var name: String
    /// The samples, sorted by name (deterministic order).
    public private(set) var samples: [LabelledSample]
    /// Stored value → PixelOoD value (nil: the value is an error).
    let mapping: @Sendable (UInt8) -> UInt8?
    /// The values `mapping` accepts, for error messages.
    let allowed: String

    init(name: String, samples: [LabelledSample], allowed: String, mapping: @escaping @Sendable (UInt8) -> UInt8?) throws {
        self.name = name
        self.samples = samples.sorted { $0.name < $1.name }
        (self.allowed, self.mapping) = (allowed, mapping)
    }

    /// Number of samples.
    public var count: Int { samples.count }

    /// The same samples under another name (reports name the set by it).
    public func named(_ name: String) -> LabelledImages {
        var copy = self
        copy.name = name
        return copy
    }

    /// Every `step`-th sample from `start` (`start`, `start + step`, …), under the same name:
    /// one process's share of a set split over `step` processes.
    public func strided(from start: Int, by step: Int) -> LabelledImages {
        var copy = self
        copy.samples = step > 0 && start >= 0 ? Array(stride(from: start, to: samples.count, by: step).map { samples[$0] }) : []
        return copy
    }

    /// The first `count` samples (all when there are fewer), under the same name.
    public func prefix(_ count: Int) -> LabelledImages {
        var copy = self
        copy.samples = Array(samples.prefix(max(0, count)))
        return copy
    }

    /// Decodes sample `index`: the image and its mapped labels.
    /// - Throws: ``ImageIOError`` for unreadable files, ``DatasetError/unexpectedLabel(path:value:allowed:)``.
    public func load(_ index: Int) throws -> (image: RGBImage, labels: LabelMap) {
        let sample = samples[index]
        let image = try ImageIO.readRGB(sample.image)
        var labels = try ImageIO.readLabels(sample.labels)
        guard labels.width == image.width, labels.height == image.height else {
            throw ImageIOError.unexpectedFormat(path: sample.labels, reason: "labels \(labels.width)x\(labels.height) for an image of \(image.width)x\(image.height)")
        }
        for i in labels.values.indices {
            guard let mapped = mapping(labels.values[i]) else {
                throw DatasetError.unexpectedLabel(path: sample.labels, value: labels.values[i], allowed: allowed)
            }
            labels.values[i] = mapped
        }
        return (image, labels)
    }

    /// Throws ``DatasetError/missingFolder(path:layout:)`` unless `folder` is a directory.
    static func requireFolder(_ folder: String, layout: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError.missingFolder(path: folder, layout: layout)
        }
    }

    /// Files directly in `folder` with one of `extensions`, by name.
    static func files(in folder: String, extensions: [String], layout: String) throws -> [String] {
        try requireFolder(folder, layout: layout)
        return try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { name in extensions.contains { name.lowercased().hasSuffix("." + $0) } }.sorted()
    }

    /// The first existing file among `stem` + each extension, or nil.
    static func existing(_ stem: String, extensions: [String]) -> String? {
        extensions.map { stem + "." + $0 }.first { FileManager.default.fileExists(atPath: $0) }
    }
}
