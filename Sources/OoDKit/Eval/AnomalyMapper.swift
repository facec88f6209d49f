import Foundation
import ModelZoo
import NeuralNet
import SceneData
import TensorCore

/// What one image gives: its anomaly map and its closed-set prediction, at the image's size.
public struct AnomalyMap: Sendable {
    /// The per-pixel anomaly score, higher = more anomalous, row-major `height·width`.
    public var scores: [Float]
    /// The segmenter's argmax (trainIds).
    public var prediction: LabelMap
}

/// A trained checkpoint applied to any image: the recipe the checkpoint carries rebuilds its
/// segmenter and, when the checkpoint holds one, the head of the stage that wrote it; the
/// anomaly map is that head's score, else a logit score (`pixelood infer`).
public struct AnomalyMapper {
    /// How the method is named (`rpl: rpl`, `max_logit`), as a report row would be.
    public let method: String
    private let segmenter: any Segmenter
    /// The map of one forward (the head's score, or the logit score).
    private let score: (SegmenterOutput, any Segmenter) throws -> Tensor

    /// Rebuilds the checkpoint's model. `score` (a recipe node: `energy`, `{type: entropy,
    /// normalized: true}`) replaces the head's score; without a head it defaults to the
    /// recipe's first `eval.scores`, else `max_logit`.
    /// - Throws: ``EvalError/noRecipeInCheckpoint(path:)`` for a checkpoint not written by a
    ///   recipe (convert one with a recipe: `pixelood train` or `eval --checkpoint`);
    ///   ``RecipeError`` (located in the checkpoint's recipe or in `score`); checkpoint errors.
    public init(checkpoint: String, registry: Registry, score: String? = nil) throws {
        let stored = try Checkpoint.load(from: checkpoint)
        let metadata = stored.metadata
        guard !metadata.recipe.isEmpty else { throw EvalError.noRecipeInCheckpoint(path: checkpoint) }
        let compiled = try RecipeLoader.recorded(metadata.recipe, file: checkpoint + " (its recipe)").compiled(registry)
        let recipe = compiled.recipe
        let model = try compiled.model(weights: checkpoint)
        let (context, segmenter) = (model.context, model.segmenter)
        segmenter.eval().freeze()

        let stage = Self.stage(writing: stored, in: recipe.stages)
        if score == nil, let stage, let node = stage.head, stored.model.roots.contains("head") {
            let head = try model.head(node, weights: checkpoint)
            self.score = { seg, segmenter in try head.anomalyScore(head(seg, segmenter: segmenter), seg) }
            method = Evaluator.headRow(of: stage) ?? node.label
        } else {
            let node = try score.map { try RecipeNode(yaml: $0, file: "--score") }
                ?? recipe.eval?.scores.first ?? RecipeNode(yaml: "max_logit", file: "<default score>")
            let scoring = LogitScoring([try registry.scores.build(node, context)])
            self.score = { seg, _ in scoring(logits: seg.logits)[0] }
            method = node.label
        }
        model.foldBatchNorms()
        self.segmenter = segmenter
    }

    /// The stage that wrote `checkpoint` (its `/trainer/stage_index`, whatever its folder is
    /// called), else, for a checkpoint without trainer state, the last stage with a head.
    static func stage(writing checkpoint: Checkpoint, in stages: [StageConfig]) -> StageConfig? {
        if let index = checkpoint.trainer["stage_index"], index.count == 1 {
            return stages.indices.contains(Int(index.item)) ? stages[Int(index.item)] : nil
        }
        return stages.last { $0.head != nil }
    }

    /// The anomaly map and prediction of `image`.
    /// - Throws: the head's score error (``HeadOutputError``, ``SegmenterError``).
    public func callAsFunction(_ image: RGBImage) throws -> AnomalyMap {
        try GradMode.noGrad {
            let seg = segmenter(FrozenFeatures.tensor(image))
            let prediction = seg.logits.argmax(axis: 1).values.map { UInt8(clamping: $0) }
            return AnomalyMap(scores: try score(seg, segmenter).scalars, prediction: LabelMap(width: image.width, height: image.height, values: prediction))
        }
    }
}
