import ArgumentParser
import Foundation
import OoDKit
import TensorCore

/// `pixelood bench step`: the training step of one recipe stage as `pixelood train` runs it
/// (batches from the recipe's loader, its head, loss terms and optimizer), time per step and
/// peak memory. For RPL + CoroCL that is 4 crops and 4 outlier-context images forwarded
/// together, the three loss terms, backward into the residual block and an Adam step.
struct BenchStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "step",
        abstract: "Benchmark one recipe stage's training step (as pixelood train runs it): time and peak memory.",
        discussion: """
            Builds the recipe's segmenter (with its checkpoint:, if any), the stage's head, loss \
            terms and optimizer, and runs --warmup untimed then --steps timed steps on the \
            recipe's batches; nothing is written. Batches are built before each timed step. \
            Compare with scripts/bench/torch_train_step.py (Examples/recipes/rpl-corocl.yaml's \
            step in PyTorch).
            """)

    @OptionGroup var recipe: RecipeArguments

    @Option(help: "The stage to time (0-based).")
    var stage = 0

    @Option(help: "Timed steps (the median is reported).")
    var steps = 5

    @Option(help: "Untimed steps first.")
    var warmup = 1

    @Flag(help: "Then profile --steps more steps: wall time per op (forward and backward) and per phase, and the peak of live tensor memory by the op that made it (scripts/bench/torch_train_step.py --profile for PyTorch's).")
    var profile = false

    func validate() throws {
        guard steps > 0, warmup >= 0, stage >= 0 else { throw ValidationError("--steps must be positive, --warmup and --stage not negative") }
    }

    func run() throws {
        try BLAS.load()
        let loaded = try recipe.load()
        let cache = CacheActivity()
        let times = try Trainer(try loaded.compiled(CommandContext.registry), options: TrainOptions(progress: .none))
            .timeSteps(stage: stage, steps: steps, warmup: warmup)
        let sorted = times.sorted()
        let name = loaded.recipe.stages[stage].name
        print(String(format: "%@ stage '%@' training step: %.3f s (median of %d; min %.3f, max %.3f), peak memory %.0f MB, core %@",
                     recipe.recipe, name, sorted[sorted.count / 2], times.count, sorted[0], sorted[sorted.count - 1],
                     PeakMemory.megabytes, BLAS.coreName))
        print(cache.line(over: "the segmenter's build, \(warmup) warm-up and \(steps) timed steps"))
        guard profile else { return }
        let trainer = Trainer(try loaded.compiled(CommandContext.registry), options: TrainOptions(progress: .none))
        let profiled = OpProfile()
        _ = try profiled.measure { try trainer.timeSteps(stage: stage, steps: steps, warmup: 0) }
        print("\nwhere the time goes, per step (\(steps) profiled steps; a forward op is charged the time since the previous op):")
        print(profiled.report(per: steps))
        print("\n" + profiled.memoryReport())
    }
}
