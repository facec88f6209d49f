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
    /// Images per set whose score maps the report keeps for its figures (`report.html`).
    public var examplesPerSet: Int
    /// Bytes the exact pixel metrics of one set keep in memory, shared by its methods; past
    /// it their sorted score runs spill to temporary files (`SpillPolicy`: same numbers).
    public var metricsMemoryBytes: Int
    /// The processes the images are split over (``Evaluator/runInGroup()``).
    public var group: any ProcessGroup

    /// The default metrics memory: 1 GiB.
    public static let defaultMetricsMemoryBytes = 1 << 30

    /// Options: no checkpoint, no store, progress `auto`, 3 example images per set, 1 GiB
    /// of metrics memory, one process.
    public init(checkpoint: String? = nil, storeDirectory: String? = nil, progress: ProgressStyle = .auto, examplesPerSet: Int = 3,
                metricsMemoryBytes: Int = defaultMetricsMemoryBytes, group: any ProcessGroup = SingleProcess()) {
        (self.checkpoint, self.storeDirectory, self.progress, self.examplesPerSet) = (checkpoint, storeDirectory, progress, examplesPerSet)
        (self.metricsMemoryBytes, self.group) = (metricsMemoryBytes, group)
    }
}

/// Evaluates a segmenter's anomaly scores on the recipe's `eval.datasets`: per set and score,
/// pooled AUROC, AuPRC and FPR95 by both rules (per-image means beside them), and the
/// closed-set mIoU on `data.val`. Each image's backbone maps come from the feature store when
/// it holds them, so every score (and, later, every head) on one backbone costs one
/// backbone pass.
public struct Evaluator {
    /// The compiled recipe; the trained stages are read from its work folder.
    public let compiled: CompiledRun
    /// The run's options.
    public let options: EvalOptions

    /// The four logit scores, when the recipe names none.
    public static let defaultScores = ["max_softmax", "max_logit", "entropy", "energy"]

    /// An evaluator for `compiled`.
    public init(_ compiled: CompiledRun, options: EvalOptions = EvalOptions()) {
        (self.compiled, self.options) = (compiled, options)
    }

    /// The recipe as loaded.
    private var loaded: LoadedRecipe { compiled.loaded }
    /// The registry.
    private var registry: Registry { compiled.registry }

    /// Runs the evaluation in one process.
    /// - Throws: ``RecipeError``, dataset, checkpoint and store errors; ``EvalError`` without
    ///   `eval.datasets`, or with a baseline and no `data.train`, or when `options.group`
    ///   has several processes (every rank calls ``runInGroup()`` instead).
    public func run() throws -> EvalReport {
        guard options.group.size == 1, let report = try runInGroup() else {
            throw EvalError.notSharded(feature: "Evaluator.run()", ranks: options.group.size)
        }
        return report
    }

    /// Runs this rank's part of the evaluation: image `i` of every set (and of `data.val`)
    /// when `i % size == rank`; rank 0 gathers every rank's accumulators, examples, confusion
    /// counts and pass counts and merges them; component metrics take a second pass at the
    /// thresholds rank 0 sends every rank, and rank 0 merges their lists. Every rank calls it.
    /// - Throws: as ``run()`` (but for the group's size); the group's errors.
    /// - Returns: on rank 0 the report, equal to a one-process run's but for its seconds;
    ///   nil on the other ranks.
    public func runInGroup() throws -> EvalReport? {
        let began = Date()
        let recipe = loaded.recipe
        let group = options.group
        guard let eval = recipe.eval, !eval.datasets.isEmpty else { throw EvalError.noDatasets }
        let weights = options.checkpoint ?? trainedSegmenter() ?? recipe.checkpoint
        let model = try compiled.model(weights: weights)
        let (context, segmenter) = (model.context, model.segmenter)
        segmenter.eval().freeze()
        let hash = segmenter.stateDict().contentHash
        let heads = try trainedHeads(model) + checkpointHeads(eval.heads, weights: weights, model: model)
        model.foldBatchNorms()
        let methods = try self.methods(eval, heads: heads, context: context)

        var rows: [EvalRow] = []
        var examples: [ReportExample] = []
        var features = FrozenFeatures(segmenter: segmenter, modelHash: hash, store: options.storeDirectory.map(FeatureStore.init(directory:)),
                                      progress: options.progress)
        // Each image's segmenter output (decoded from the cached or computed maps), image and labels.
        func forEachImage(_ dataset: LabelledImages, _ node: RecipeNode, _ body: (SegmenterOutput, RGBImage, LabelMap) throws -> Void) throws {
            try features.forEach(dataset, root: node.rootText, stage: "eval " + dataset.name) { maps, image, labels in
                try body(try GradMode.noGrad { try segmenter.decode(maps, outputSize: (image.height, image.width)) }, image, labels)
            }
        }
        for node in eval.datasets {
            let dataset = try registry.datasets.build(node, context)
            let spill = SpillPolicy(budgetBytes: options.metricsMemoryBytes / max(1, methods.labels.count))
            var share = SetPartial(evaluations: try methods.labels.map { _ in try AnomalyEvaluation(spill: spill) }, examples: [])
            var seen = 0
            // This rank's share of the images: every size-th from its rank (all of them alone).
            try forEachImage(dataset.strided(from: group.rank, by: group.size), node) { seg, image, labels in
                let maps = try GradMode.noGrad { try methods.scores(seg, image, segmenter: segmenter) }
                for (index, map) in maps.enumerated() {
                    try map.withUnsafeBufferPointer { values in
                        try labels.values.withUnsafeBufferPointer { try share.evaluations[index].add(scores: values, labels: $0) }
                    }
                }
                let index = group.rank + seen * group.size  // in the whole set
                if index < options.examplesPerSet {
                    share.examples.append(ReportExample(dataset: dataset.name, index: index, image: image, labels: labels, maps: maps.map(\.scalars)))
                }
                seen += 1
            }
            let whole = try share.gathered(in: group, spill: spill)
            let pooled = try whole?.evaluations.map { try $0.report(.pooled) }
            var components: [ComponentEvaluation]?
            if let settings = eval.components {
                // A second pass at each score's best-F1 threshold, chosen on rank 0 and summed to every rank (the
                // others add 0), over the same share of images (the backbone maps come from the store when enabled).
                var thresholds = pooled?.map(\.pooled.bestF1Threshold) ?? [Float](repeating: 0, count: methods.labels.count)
                if group.size > 1 { thresholds = try group.allReduceSum(thresholds) }
                var perScore = thresholds.map {
                    ComponentEvaluation(threshold: $0, minimumPredictedSize: settings.minimumPredictedSize,
                                        minimumInstanceSize: settings.minimumInstanceSize)
                }
                try forEachImage(dataset.strided(from: group.rank, by: group.size), node) { seg, image, labels in
                    for (index, map) in try GradMode.noGrad({ try methods.scores(seg, image, segmenter: segmenter) }).enumerated() {
                        try perScore[index].add(scores: map.scalars, labels: labels.values, height: labels.height, width: labels.width)
                    }
                }
                components = try Self.gathered(perScore, in: group)
            }
            guard let whole, let pooled else { continue }
            let evaluations = whole.evaluations
            examples += whole.examples
            for (index, label) in methods.labels.enumerated() {
                rows.append(EvalRow(dataset: dataset.name, method: label, images: dataset.count,
                                    anomalyPixels: Int(pooled[index].pooled.positives), inlierPixels: Int(pooled[index].pooled.negatives),
                                    pooled: pooled[index], perImageMean: try? evaluations[index].report(.perImageMean),
                                    components: components?[index].report, distribution: try evaluations[index].distribution()))
            }
        }
        let confusion = try recipe.data?.val.flatMap { try closedSetConfusion($0, segmenter: segmenter, context: context) }
        let passes = try Self.summed([features.backbonePasses, features.storeHits], in: group)
        guard let passes, group.rank == 0 else { return nil }
        return EvalReport(recipe: loaded.files.first ?? "", checkpoint: weights ?? "", segmenterHash: hash,
                          toolkitVersion: NeuralNet.toolkitVersion,
                          evaluationProtocol: "Pooled pixel metrics over each whole set (all evaluated pixels in one ranking); "
                              + "FPR95 by the nearest-recall rule (the strict and interpolated (SML) rules and per-image means in report.json); "
                              + "AuPRC with anomaly pixels positive; void (255) never evaluated. Logits upsampled "
                              + "bilinearly to the image size; \(FrozenFeatures.preprocessing). Baselines read the image only, "
                              + "fitted to data.train.",
                          rows: rows, meanIoU: confusion?.meanIoU, classIoU: confusion.map(ClassIoU.table), backbonePasses: passes[0], storeHits: passes[1],
                          seconds: Date().timeIntervalSince(began),
                          trainingCurves: TrainingCurve.read(compiled.layout, stages: recipe.stages.filter { !$0.isFit }.map(\.name)),
                          examples: examples)
    }

    /// The last stage's `final.h5` when the recipe has stages and it exists: what the
    /// recipe trained, so `pixelood eval` after `pixelood train` needs no `--checkpoint`.
    /// It wins over the recipe's `checkpoint:` (the starting weights): a stage that retrains
    /// the segmenter (Meta-OoD) is evaluated as retrained, and a frozen one is unchanged.
    private func trainedSegmenter() -> String? {
        guard let last = loaded.recipe.stages.last else { return nil }
        let path = compiled.layout.final(last.name)
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// Every stage's head, with the weights of that stage's `final.h5`, in eval mode.
    /// - Throws: ``EvalError/untrainedHead(stage:checkpoint:)`` when a stage has not finished.
    private func trainedHeads(_ model: RunModel) throws -> [(label: String, head: any OoDHead)] {
        try loaded.recipe.stages.compactMap { stage in
            guard let node = stage.head else { return nil }
            let path = compiled.layout.final(stage.name)
            guard FileManager.default.fileExists(atPath: path) else { throw EvalError.untrainedHead(stage: stage.name, checkpoint: path) }
            return (Self.headRow(of: stage) ?? node.label, try model.head(node, weights: path))
        }
    }

    /// The report method of `stage`'s head row (`rpl: rpl`: stage, then the head as written),
    /// nil for a stage without a head.
    public static func headRow(of stage: StageConfig) -> String? {
        stage.head.map { stage.name + ": " + $0.label }
    }

    /// `eval.heads`, each loaded from the evaluated checkpoint's `head.` keys, in eval mode.
    /// - Throws: ``EvalError/noHeadWeights(head:)`` without a checkpoint; a `StateDictError`
    ///   when its `head.` keys do not fit.
    private func checkpointHeads(_ nodes: [RecipeNode], weights: String?, model: RunModel) throws -> [(label: String, head: any OoDHead)] {
        try nodes.map { node in
            guard let weights else { throw EvalError.noHeadWeights(head: node.label) }
            return ("checkpoint: " + node.label, try model.head(node, weights: weights))
        }
    }

    /// The table's rows: the logit scores (the four by default), the baselines, each fitted
    /// to `data.train`, then the trained heads.
    private func methods(_ eval: EvalConfig, heads: [(label: String, head: any OoDHead)], context: BuildContext) throws -> EvalMethods {
        let scoreNodes = eval.scores.isEmpty
            ? try Self.defaultScores.map { try RecipeNode(yaml: $0, file: "<default scores>") } : eval.scores
        let scores = try scoreNodes.map { try registry.scores.build($0, context) }
        var baselines = try eval.baselines.map { try registry.baselines.build($0, context) }
        let labels = scoreNodes.map(\.label) + eval.baselines.map(\.label) + heads.map(\.label)
        if !baselines.isEmpty {
            guard let trainNode = loaded.recipe.data?.train else { throw EvalError.nothingToFit(baseline: eval.baselines[0].label) }
            let train = try registry.datasets.build(trainNode, context)
            for index in baselines.indices {
                var progress = ProgressReporter(stage: "fit " + labels[scores.count + index], total: train.count, style: options.progress)
                try baselines[index].fit(train) { progress.update(step: $0) }
            }
        }
        return EvalMethods(labels: labels, logitScores: LogitScoring(scores), baselines: baselines, heads: heads.map(\.head))
    }

    /// On rank 0 every rank's component evaluations merged (per method, in rank order; the
    /// reports sort before they sum, so the order never shows); nil elsewhere. Alone, `own`.
    /// - Throws: the group's errors; ``OoDMetrics/MetricsError/malformedMessage(_:)``.
    static func gathered(_ own: [ComponentEvaluation], in group: any ProcessGroup) throws -> [ComponentEvaluation]? {
        guard group.size > 1 else { return own }
        var message = MessageWriter()
        message.write(Int64(own.count))
        for evaluation in own { message.write(evaluation.serialized()) }
        guard let parts = try group.gather(message.bytes) else { return nil }
        var merged = own
        for (rank, bytes) in parts.enumerated() where rank > 0 {
            var reader = MessageReader(bytes)
            guard try reader.read(Int64.self) == Int64(own.count) else {
                throw MetricsError.malformedMessage("rank \(rank) sent another number of component evaluations than rank 0's \(own.count)")
            }
            for index in merged.indices { merged[index].merge(try ComponentEvaluation(serialized: try reader.readBytes())) }
        }
        return merged
    }

    /// On rank 0 the element-wise sums of every rank's `counts`; nil elsewhere.
    static func summed(_ counts: [Int], in group: any ProcessGroup) throws -> [Int]? {
        var message = MessageWriter()
        for count in counts { message.write(Int64(count)) }
        guard let parts = try group.gather(message.bytes) else { return nil }
        var sums = [Int](repeating: 0, count: counts.count)
        for bytes in parts {
            var reader = MessageReader(bytes)
            for index in sums.indices { sums[index] += Int(try reader.read(Int64.self)) }
        }
        return sums
    }

    /// The confusion matrix of the closed-set prediction (argmax of the logits) on an inlier
    /// set: on rank 0 the whole set's (every rank's share summed), nil elsewhere.
    private func closedSetConfusion(_ node: RecipeNode, segmenter: any Segmenter, context: BuildContext) throws -> ConfusionMatrix? {
        let dataset = try registry.datasets.build(node, context).strided(from: options.group.rank, by: options.group.size)
        var confusion = ConfusionMatrix(classes: segmenter.numClasses)
        for index in 0..<dataset.count {
            let (image, labels) = try dataset.load(index)
            let prediction = GradMode.noGrad { segmenter(FrozenFeatures.tensor(image)).logits.argmax(axis: 1) }
            try confusion.add(predictions: prediction.values, labels: labels.values.map(Int32.init))
        }
        guard options.group.size > 1 else { return confusion }
        guard let sums = try Self.summed(confusion.counts.map { Int(clamping: $0) }, in: options.group) else { return nil }
        return try ConfusionMatrix(classes: confusion.classes, counts: sums.map { UInt64($0) })
    }
}

/// The table's row sources: logit scores (sharing one fused statistics pass, ``LogitScoring``),
/// image baselines and trained heads, in the order the report lists them. Every one reads
/// the same segmenter output, so N of them cost one backbone pass.
struct EvalMethods {
    /// How the report names each, logit scores first.
    let labels: [String]
    let logitScores: LogitScoring
    let baselines: [any ImageBaseline]
    let heads: [any OoDHead]

    /// Every method's `[1, H, W]` map of one image, in ``labels`` order.
    /// - Throws: a head's score error (``HeadOutputError``, ``SegmenterError``).
    func scores(_ seg: SegmenterOutput, _ image: RGBImage, segmenter: any Segmenter) throws -> [Tensor] {
        try logitScores(logits: seg.logits) + baselines.map { $0.score(image: image) }
            + heads.map { try $0.anomalyScore($0(seg, segmenter: segmenter), seg) }
    }
}

extension RecipeNode {
    /// How a report names the node: its type, then its options (`energy smoothing={kernel: 7, sigma: 1.0}`).
    public var label: String {
        guard let entries = value.entries else { return value.shownInErrors }
        let type = entries.first { $0.key == "type" }.map { $0.value.shownInErrors } ?? "?"
        let options = entries.filter { $0.key != "type" }.map { "\($0.key)=\(RecipeWriter.flow($0.value))" }
        return ([type] + options).joined(separator: " ")
    }

    /// The `root:` of a dataset node, for the feature-store key.
    var rootText: String { value["root"].map(RecipeWriter.flow) ?? "" }
}
