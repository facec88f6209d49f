import ModelZoo
import NeuralNet
import TensorCore

/// The one place a run's model is put together, for `train`, `eval`, `infer`, `check` and
/// `inspect`: the recipe's segmenter, built from a context seeded with the recipe's seed,
/// its `segmenter.` weights loaded when given, and attached to the context so every head is
/// built for it. Heads come from ``head(_:weights:)`` *before* ``freezeForInference()``
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
    public init(_ recipe: Recipe, registry: Registry, weights: String? = nil) throws {
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

    /// The segmenter for inference: eval mode, frozen, batch norms folded into their
    /// convolutions (after every head was built).
    public func freezeForInference() {
        segmenter.eval().freeze()
        segmenter.foldBatchNorms()
    }
}
