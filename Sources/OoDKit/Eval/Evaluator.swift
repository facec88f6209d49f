import Foundation
import ModelZoo
import NeuralNet
import OoDMetrics
import SceneData
import TensorCore

/// Options of one `pixelood eval` run.
public struct EvalOptions: Sendable {
    /// A checkpoint whose `segmenter.` keys replace the recipe's weights (a stage's `final.h5`).
    public var checkpoint: String?
    /// The feature-store folder (nil: no caching).
    public var storeDirectory: String?
    /// Progress lines on standard error.
    public var progress: ProgressStyle

    /// Options: no checkpoint, no store, progress `auto`.
    public init(checkpoint: String? = nil, storeDirectory: String? = nil, progress: ProgressStyle = .auto) {
        (self.checkpoint, self.storeDirectory, self.progress) = (checkpoint, storeDirectory, progress)
    }
}

/// Evaluates a segmenter's anomaly scores on the recipe's `eval.datasets`: per set and score,
/// pooled AUROC, AuPRC and FPR95 by both rules (per-image means beside them), and the
/// closed-set mIoU on `data.val`. Each image's backbone maps come from the feature store when
/// it holds them, so every score (and, later, every head) on one backbone costs one
/// backbone pass.
public struct Evaluator {
    /// The recipe.
    public let loaded: LoadedRecipe
    /// The registry.
    public let registry: Registry
    /// The run's options.
    public let options: EvalOptions

    /// The four logit scores, when the recipe names none.
    public static let defaultScores = ["max_softmax", "max_logit", "entropy", "energy"]
    /// How images are fed: what the feature-store key records.
    static let preprocessing = "imagenet mean/std, native resolution, batch 1"

    /// An evaluator for `loaded`.
    public init(_ loaded: LoadedRecipe, registry: Registry, options: EvalOptions = EvalOptions()) {
        (self.loaded, self.registry, self.options) = (loaded, registry, options)
    }

    /// Runs the evaluation.
    /// - Throws: ``RecipeError``, dataset, checkpoint and store errors; ``EvalError`` without
    ///   `eval.datasets`, or with a baseline and no `data.train`.
    public func run() throws -> EvalReport {
        let began = Date()
        let recipe = loaded.recipe
        guard let eval = recipe.eval, !eval.datasets.isEmpty else { throw EvalError.noDatasets }
        let context = BuildContext(registry: registry, rng: SeededGenerator(seed: recipe.seed))
        let segmenter = try registry.segmenters.build(recipe.segmenter, context)
        let weights = options.checkpoint ?? recipe.checkpoint
        if let weights { try segmenter.load(checkpoint: weights, prefix: "segmenter.") }
        segmenter.eval().freeze()
        let hash = segmenter.stateDict().contentHash
        segmenter.foldBatchNorms()
        let methods = try self.methods(eval, context: context)

        var rows: [EvalRow] = []
        var passes = 0, hits = 0
        for node in eval.datasets {
            let dataset = try registry.datasets.build(node, context)
            var evaluations = try methods.map { _ in try AnomalyEvaluation() }
            try forEachImage(of: dataset, root: node.rootText, segmenter: segmenter, modelHash: hash,
                             passes: &passes, hits: &hits) { seg, image, labels in
                for (index, method) in methods.enumerated() {
                    let map = GradMode.noGrad { method.score(seg, image) }
                    try map.withUnsafeBufferPointer { values in
                        try labels.values.withUnsafeBufferPointer { try evaluations[index].add(scores: values, labels: $0) }
                    }
                }
            }
            let pooled = try evaluations.map { try $0.report(.pooled) }
            var components: [ComponentEvaluation]?
            if let settings = eval.components {
                // A second pass at each score's best-F1 threshold (the backbone maps come from the store when enabled).
                var perScore = pooled.map {
                    ComponentEvaluation(threshold: $0.pooled.bestF1Threshold, minimumPredictedSize: settings.minimumPredictedSize,
                                        minimumInstanceSize: settings.minimumInstanceSize)
                }
                try forEachImage(of: dataset, root: node.rootText, segmenter: segmenter, modelHash: hash,
                                 passes: &passes, hits: &hits) { seg, image, labels in
                    for (index, method) in methods.enumerated() {
                        let map = GradMode.noGrad { method.score(seg, image) }
                        try perScore[index].add(scores: map.scalars, labels: labels.values, height: labels.height, width: labels.width)
                    }
                }
                components = perScore
            }
            for (index, method) in methods.enumerated() {
                rows.append(EvalRow(dataset: dataset.name, method: method.label, images: dataset.count,
                                    anomalyPixels: Int(pooled[index].pooled.positives), inlierPixels: Int(pooled[index].pooled.negatives),
                                    pooled: pooled[index], perImageMean: try? evaluations[index].report(.perImageMean),
                                    components: components?[index].report))
            }
        }
        let meanIoU = try recipe.data?.val.map { try closedSetIoU($0, segmenter: segmenter, context: context) }
        return EvalReport(recipe: loaded.files.first ?? "", checkpoint: weights ?? "", segmenterHash: hash,
                          toolkitVersion: NeuralNet.toolkitVersion,
                          evaluationProtocol: "Pooled pixel metrics over each whole set (all evaluated pixels in one ranking); "
                              + "FPR95 by the nearest-recall rule (the strict rule and per-image means in report.json); "
                              + "AuPRC with anomaly pixels positive; void (255) never evaluated. Logits upsampled "
                              + "bilinearly to the image size; \(Self.preprocessing). Baselines read the image only, "
                              + "fitted to data.train.",
                          rows: rows, meanIoU: meanIoU, backbonePasses: passes, storeHits: hits,
                          seconds: Date().timeIntervalSince(began))
    }

    /// The table's rows: the logit scores (the four by default), then the baselines, each
    /// fitted to `data.train`.
    private func methods(_ eval: EvalConfig, context: BuildContext) throws -> [EvalMethod] {
        let scoreNodes = eval.scores.isEmpty
            ? try Self.defaultScores.map { try RecipeNode(yaml: $0, file: "<default scores>") } : eval.scores
        var methods = try scoreNodes.map { EvalMethod(label: $0.label, kind: .logits(try registry.scores.build($0, context))) }
        guard !eval.baselines.isEmpty else { return methods }
        let built = try eval.baselines.map { (label: $0.label, baseline: try registry.baselines.build($0, context)) }
        guard let trainNode = loaded.recipe.data?.train else { throw EvalError.nothingToFit(baseline: built[0].label) }
        let train = try registry.datasets.build(trainNode, context)
        for var entry in built {
            var progress = ProgressReporter(stage: "fit " + entry.label, total: train.count, firstStep: 0, style: options.progress)
            try entry.baseline.fit(train) { progress.update(step: $0) }
            methods.append(EvalMethod(label: entry.label, kind: .image(entry.baseline)))
        }
        return methods
    }

    /// Feeds every image of `dataset` through the segmenter (backbone maps from the store
    /// when cached, written to it otherwise) and hands `body` the output and labels.
    private func forEachImage(of dataset: LabelledImages, root: String, segmenter: any Segmenter, modelHash: String,
                              passes: inout Int, hits: inout Int,
                              _ body: (SegmenterOutput, RGBImage, LabelMap) throws -> Void) throws {
        var samples = ContentHasher()
        for sample in dataset.samples { samples.combine(bytes: Array(sample.name.utf8)) }
        let key = FeatureStoreKey(modelHash: modelHash, dataset: dataset.name + " at " + root, samples: samples.hex,
                                  preprocessing: Self.preprocessing, features: segmenter.encodedFeatureNames)
        let store = options.storeDirectory.map(FeatureStore.init(directory:))
        var progress = ProgressReporter(stage: "eval " + dataset.name, total: dataset.count, firstStep: 0, style: options.progress)
        func decode(_ maps: [String: Tensor], _ image: RGBImage, _ labels: LabelMap, _ index: Int) throws {
            let seg = try GradMode.noGrad { try segmenter.decode(maps, outputSize: (image.height, image.width)) }
            try body(seg, image, labels)
            progress.update(step: index + 1)
        }
        if let store, let cached = try store.open(key, images: dataset.count) {
            for index in 0..<dataset.count {
                let (image, labels) = try dataset.load(index)
                try decode(try cached.maps(index), image, labels, index)
                hits += 1
            }
            return
        }
        func compute(_ writer: FeatureStoreWriter?) throws {
            for index in 0..<dataset.count {
                let (image, labels) = try dataset.load(index)
                let maps = GradMode.noGrad { segmenter.encode(Self.tensor(image)) }
                passes += 1
                try writer?.append(maps)
                try decode(maps, image, labels, index)
            }
        }
        if let store { try store.write(key, images: dataset.count) { try compute($0) } } else { try compute(nil) }
    }

    /// mIoU of the closed-set prediction (argmax of the logits) on an inlier set.
    private func closedSetIoU(_ node: RecipeNode, segmenter: any Segmenter, context: BuildContext) throws -> Double {
        let dataset = try registry.datasets.build(node, context)
        var confusion = ConfusionMatrix(classes: segmenter.numClasses)
        for index in 0..<dataset.count {
            let (image, labels) = try dataset.load(index)
            let prediction = GradMode.noGrad { segmenter(Self.tensor(image)).logits.argmax(axis: 1) }
            try confusion.add(predictions: prediction.values, labels: labels.values.map(Int32.init))
        }
        return confusion.meanIoU
    }

    /// An image as a normalised `[1, 3, H, W]` tensor.
    static func tensor(_ image: RGBImage) -> Tensor {
        let storage = TensorStorage(uninitializedCount: 3 * image.width * image.height)
        Augmentation(cropHeight: image.height, cropWidth: image.width).normalize(image, into: storage.pointer)
        return Tensor(shape: [1, 3, image.height, image.width], storage: storage)
    }
}

/// One row source of the table: a score on the segmenter's logits or a baseline on the image.
struct EvalMethod {
    enum Kind { case logits(any AnomalyScore), image(any ImageBaseline) }
    /// How the report names it.
    let label: String
    let kind: Kind

    /// The score map of one image, `[1, H, W]`.
    func score(_ seg: SegmenterOutput, _ image: RGBImage) -> Tensor {
        switch kind {
        case .logits(let score): return score.score(logits: seg.logits)
        case .image(let baseline): return baseline.score(image: image)
        }
    }
}

extension RecipeNode {
    /// How a report names the node: its type, then its options (`energy smoothing={kernel: 7, sigma: 1.0}`).
    var label: String {
        guard let entries = value.entries else { return value.shownInErrors }
        let type = entries.first { $0.key == "type" }.map { $0.value.shownInErrors } ?? "?"
        let options = entries.filter { $0.key != "type" }.map { "\($0.key)=\(RecipeWriter.flow($0.value))" }
        return ([type] + options).joined(separator: " ")
    }

    /// The `root:` of a dataset node, for the feature-store key.
    var rootText: String { value["root"].map(RecipeWriter.flow) ?? "" }
}
