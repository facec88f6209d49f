import Foundation
import ModelZoo
import NeuralNet
import TensorCore

/// A `trains: fit` stage: the stage's ``FittedHead`` sees every image of `data.train` (or
/// the first `fit_images`) under the frozen segmenter in eval mode — backbone maps through
/// the feature store, so a second fitted head on the same segmenter costs no backbone pass
/// — then fixes its statistics, and the stage writes `final.h5` (segmenter and head).
struct HeadFitting {
    /// The stage's name.
    let name: String
    /// Its head and image count.
    let fit: HeadFit
    /// Its index in the recipe.
    let index: Int

    /// Fits and checkpoints the stage.
    /// - Throws: ``TrainError/invalidRecipe(_:)`` for a head that is not fitted or a recipe
    ///   without `data.train`; ``FittingError``; dataset, store and write errors.
    func run(_ trainer: Trainer, segmenter: any Segmenter, context: BuildContext) throws -> StageResult {
        let began = Date()
        let registry = trainer.registry
        let node = fit.head
        guard let head = try registry.heads.build(node, context) as? any FittedHead else {
            throw TrainError.invalidRecipe("stage '\(name)': head '\(node.label)' is trained by gradient, not fitted; "
                                           + "give the stage losses and an optimizer instead of 'trains: fit'")
        }
        guard let trainNode = trainer.loaded.recipe.data?.train else {
            throw TrainError.invalidRecipe("stage '\(name)': 'trains: fit' fits on data.train, and the recipe has none")
        }
        let images = try registry.datasets.build(trainNode, context).prefix(fit.images ?? Int.max)
        segmenter.eval().freeze()
        head.eval()
        head.beginFitting()
        var features = FrozenFeatures(segmenter: segmenter, modelHash: segmenter.stateDict().contentHash,
                                      store: trainer.options.storeDirectory.map(FeatureStore.init(directory:)),
                                      progress: trainer.options.progress)
        try features.forEach(images, root: trainNode.rootText, stage: "fit " + name) { maps, image, labels in
            let seg = try GradMode.noGrad { try segmenter.decode(maps, outputSize: (image.height, image.width)) }
            try head.accumulate(seg, labels: labels)
        }
        try head.finishFitting()

        let layout = trainer.compiled.layout
        try FileManager.default.createDirectory(atPath: layout.stageFolder(name), withIntermediateDirectories: true)
        let path = layout.final(name)
        let model = StateDict.merging([("segmenter", segmenter.stateDict()), ("head", head.stateDict())])
        try Checkpoint(model: model, optimizer: StateDict(), trainer: Trainer.trainerState(stage: index, step: 0, finished: true),
                       metadata: CheckpointMetadata(recipe: trainer.loaded.text, seed: trainer.loaded.recipe.seed, step: 0, epoch: 0))
            .save(to: path)
        return StageResult(stage: name, stepsRun: 0, checkpoint: path, lastLoss: .nan,
                           seconds: Date().timeIntervalSince(began), fittedImages: images.count)
    }
}
