import Foundation
import ModelZoo
import SceneData
import TensorCore

/// The backbone maps of every image of a dataset under a frozen segmenter, read from the
/// feature store when it holds them and written to it otherwise: what evaluation iterates
/// over, and what any fitting on a frozen backbone with fixed inputs (class statistics,
/// centroids, heads on a pre-generated outlier pool) can iterate over at the cost of one
/// backbone pass per image, ever. Counts the backbone passes and the store hits.
package struct FrozenFeatures {
    /// The frozen segmenter (eval mode, frozen; BN may be folded).
    package let segmenter: any Segmenter
    /// Its content hash (``TensorCore/StateDict/contentHash``), the store key's first part.
    package let modelHash: String
    /// The store, or nil to compute every pass.
    package let store: FeatureStore?
    /// Progress lines on standard error.
    package let progress: ProgressStyle
    /// Backbone passes run so far.
    package private(set) var backbonePasses = 0
    /// Images served from the store so far.
    package private(set) var storeHits = 0

    /// How images are fed: what the feature-store key records.
    package static let preprocessing = "imagenet mean/std, native resolution, batch 1"

    /// Features of `segmenter` (hashed as `modelHash`), cached in `store` when given.
    package init(segmenter: any Segmenter, modelHash: String, store: FeatureStore?, progress: ProgressStyle) {
        (self.segmenter, self.modelHash, self.store, self.progress) = (segmenter, modelHash, store, progress)
    }

    /// Hands `body` each image's backbone maps (``Segmenter/encodedFeatureNames``), the image
    /// and its labels, in dataset order. `root` (the dataset node's folder) joins the store key.
    /// - Throws: dataset and store errors, and `body`'s; an interrupted write leaves no store file.
    package mutating func forEach(_ dataset: LabelledImages, root: String, stage: String,
                                 _ body: ([String: Tensor], RGBImage, LabelMap) throws -> Void) throws {
        var samples = ContentHasher()
        for sample in dataset.samples { samples.combine(bytes: Array(sample.name.utf8)) }
        let key = FeatureStoreKey(modelHash: modelHash, dataset: dataset.name + " at " + root, samples: samples.hex,
                                  preprocessing: Self.preprocessing, features: segmenter.encodedFeatureNames)
        var reporter = ProgressReporter(stage: stage, total: dataset.count, style: progress)
        if let store, let cached = try store.open(key, images: dataset.count) {
            for index in 0..<dataset.count {
                let (image, labels) = try dataset.load(index)
                try body(try cached.maps(index), image, labels)
                storeHits += 1
                reporter.update(step: index + 1)
            }
            return
        }
        var passes = 0
        func compute(_ writer: FeatureStoreWriter?) throws {
            for index in 0..<dataset.count {
                let (image, labels) = try dataset.load(index)
                let maps = GradMode.noGrad { segmenter.encode(Self.tensor(image)) }
                passes += 1
                try writer?.append(maps)
                try body(maps, image, labels)
                reporter.update(step: index + 1)
            }
        }
        defer { backbonePasses += passes }
        if let store { try store.write(key, images: dataset.count) { try compute($0) } } else { try compute(nil) }
    }

    /// An image as a normalised `[1, 3, H, W]` tensor.
    package static func tensor(_ image: RGBImage) -> Tensor {
        let storage = TensorStorage(uninitializedCount: 3 * image.width * image.height)
        Augmentation(cropHeight: image.height, cropWidth: image.width).normalize(image, into: storage.pointer)
        return Tensor(shape: [1, 3, image.height, image.width], storage: storage)
    }
}
