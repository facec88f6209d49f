import ModelZoo
import NeuralNet
import TensorCore

/// The one place a run's model is put together (``CompiledRun/model(weights:)``), for
/// `train`, `eval`, `infer`, `check` and `inspect`: the recipe's segmenter, built from a context seeded with the recipe's seed,
/// its `segmenter.` weights loaded when given, and attached to the context so every head is
/// built for it. Heads come from ``head(_:weights:)`` *before* ``foldBatchNorms()``
/// folds the batch norms: a head may copy the segmenter's layers (RPL's ASPP), which
/// folding rewrites.
public struct RunModel {
    /// The context everything of the run is built with (its generator, the attached segmenter).
    public let context: BuildContext
    /// The segmenter.
    public let segmenter: any Segmenter

    /// Builds the recipe's segmenter and loads the `segmenter.` keys of `weights` (a
    /// checkpoint path) into it.
    /// - Throws: ``RecipeError`` for its node, checkpoint and `StateDictError`s.
    init(_ recipe: Recipe, registry: Registry, weights: String? = nil) throws {
        context = BuildContext(registry: registry, rng: SeededGenerator(seed: recipe.seed))
        segmenter = try registry.segmenters.build(recipe.segmenter, context)
        context.attachedSegmenter = segmenter
        if let weights { try segmenter.load(checkpoint: weights, prefix: "segmenter.") }
    }

    /// `node`'s head for the segmenter; with `weights`, the `head.` keys of that checkpoint
    /// loaded and the head in eval mode.
    /// - Throws: ``RecipeError`` for the node, checkpoint and `StateDictError`s.
    public func head(_ node: RecipeNode, weights: String? = nil) throws -> any OoDHead {
        let head = try context.registry.heads.build(node, context)
        if let weights {
            try head.load(checkpoint: weights, prefix: "head.")
            head.eval()
        }
        return head
    }

    /// Folds the frozen segmenter's batch norms into their convolutions, for inference
    /// (after every head was built; the caller put the segmenter in eval mode and froze it).
    public func foldBatchNorms() {
        segmenter.foldBatchNorms()
    }
}
