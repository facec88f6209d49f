import ArgumentParser
import ModelZoo
import OoDKit
import TensorCore

/// `pixelood check`: reads a recipe as `train` would (bases, overrides, strict keys), builds
/// every model, head, score, loss, optimizer and schedule it names, and prints the
/// resolved recipe. Dataset folders are opened too unless `--skip-data`.
struct CheckRecipe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a recipe and build everything it names, without training.",
        discussion: "Errors are printed compiler-style: file:line:column: error: key.path: message.")

    @OptionGroup var recipeArguments: RecipeArguments

    @Flag(help: "Do not open the dataset folders.")
    var skipData = false

    @Flag(help: "Do not print the resolved recipe.")
    var quiet = false

    func run() throws {
        let compiled = try recipeArguments.load().compiled(CommandContext.registry)
        let built = try RecipeCheck.build(compiled, openData: !skipData)
        if !quiet { print(compiled.loaded.text) }
        print("ok: \(recipeArguments.recipe): \(built)")
    }
}

/// Builds every node of a compiled recipe (what `check` proves beyond compiling it).
enum RecipeCheck {
    /// Builds everything; returns a one-line summary of what was built.
    static func build(_ compiled: CompiledRun, openData: Bool) throws -> String {
        let (recipe, registry) = (compiled.recipe, compiled.registry)
        let model = try compiled.model()
        let (context, segmenter) = (model.context, model.segmenter)
        var heads = 0, losses = 0
        for stage in recipe.stages {
            if let head = stage.head {
                let built = try model.head(head)
                if stage.isFit, !(built is any FittedHead) {
                    throw TrainError.invalidRecipe("stage '\(stage.name)': head '\(head.label)' is trained by gradient, not fitted; "
                                                   + "'trains: fit' takes sml or mahalanobis")
                }
                heads += 1
            }
            guard let training = stage.gradient else { continue }
            for loss in training.losses { _ = try registry.losses.build(loss, context, alsoRead: ["weight"]); losses += 1 }
            _ = try registry.optimizers.build(training.optimizer, context)
            if let schedule = training.schedule { _ = try registry.schedules.build(schedule, context) }
        }
        for head in recipe.eval?.heads ?? [] { _ = try model.head(head); heads += 1 }
        let scores = try recipe.eval?.scores.map { try registry.scores.build($0, context) }.count ?? 0
        let baselines = try recipe.eval?.baselines.map { try registry.baselines.build($0, context) }.count ?? 0
        var sets = 0
        if openData {
            for node in [recipe.data?.train, recipe.data?.val].compactMap({ $0 }) + (recipe.eval?.datasets ?? []) {
                _ = try registry.datasets.build(node, context)
                sets += 1
            }
        }
        return "segmenter \(segmenter.typeName) (\(segmenter.parameterCount) parameters), \(recipe.stages.count) stages, "
            + "\(heads) heads, \(losses) loss terms, \(scores) scores, \(baselines) baselines, \(sets) datasets opened"
    }
}
