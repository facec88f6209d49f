import ArgumentParser
import Foundation
import OoDKit
import TensorCore

/// `pixelood train RECIPE`: runs the recipe's stages.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the stages of a recipe (checkpoints, JSON-lines log, resumable).",
        discussion: """
            Writes <work_dir>/<stage>/log.jsonl (every loss term per step), step_NNNNNN.h5 every \
            checkpoint_every steps and final.h5. Ctrl-C finishes the current step, writes a \
            checkpoint and exits with status 130; --resume continues from any checkpoint exactly \
            as the uninterrupted run would have; without --resume, a work folder that holds checkpoints \
            of this run is continued from the furthest (--fresh removes them and starts over), and only while \
            the recipe's checkpoint: file holds the weights the folder started from (start.json). A 'trains: fit' stage (SML, Mahalanobis) makes one \
            pass over data.train instead, reading backbone maps through the feature store.
            """)

    @OptionGroup var recipeArguments: RecipeArguments

    @Option(help: "Write here instead of the recipe's work_dir.")
    var workDir: String?

    @Option(help: "Resume from this checkpoint of the same recipe (one written under another recipe is refused, the differing keys listed; eval and work_dir may differ).")
    var resume: String?

    @Flag(help: "With --resume: continue a checkpoint written under another recipe (fine-tuning-style continuation of its weights and optimizer state).")
    var allowRecipeChange = false

    @Flag(help: "Start over: remove this run's checkpoints from the work folder first (without it, train continues from the furthest one, as sweep does).")
    var fresh = false

    @Option(help: "Stop after this many steps (with a checkpoint).")
    var maxSteps: Int?

    @OptionGroup var storeArguments: StoreArguments

    @OptionGroup var progressArgument: ProgressArgument

    func validate() throws {
        if let maxSteps, maxSteps <= 0 { throw ValidationError("--max-steps must be positive") }
        if allowRecipeChange && resume == nil { throw ValidationError("--allow-recipe-change needs --resume") }
        if fresh && resume != nil { throw ValidationError("--fresh and --resume contradict each other") }
    }

    func run() throws {
        try BLAS.load()
        let loaded = try recipeArguments.load()
        let compiled = try loaded.compiled(CommandContext.registry, workDir: workDir)
        let group = CommandContext.group  // several ranks under pixelood-mpi: each trains its share of every batch, rank 0 writes
        let lead = group.rank == 0
        var resume = self.resume
        let folder = compiled.layout.workDir
        if fresh {
            if lead {
                for stale in RunCheckpoints.all(in: folder, stages: loaded.recipe.stages) {
                    try FileManager.default.removeItem(atPath: stale)
                    sayOnStandardError("removed \(stale) (--fresh)")
                }
            }
            try group.barrier()  // no rank looks at the folder before rank 0 has cleared it
        } else if resume == nil, let furthest = RunCheckpoints.furthest(in: folder, stages: loaded.recipe.stages) {
            if lead {
                try Trainer.checkStart(of: compiled, continuing: true)
                sayOnStandardError("continuing from \(furthest.path), the furthest checkpoint in \(folder) (--fresh starts over)")
            }
            resume = furthest.path
        }
        if lead && resume == nil { try Trainer.checkStart(of: compiled, continuing: false) }  // records the starting weights
        try interruptible { interrupt in
            let trainer = Trainer(compiled,
                                  options: TrainOptions(resume: resume, maxSteps: maxSteps, allowRecipeChange: allowRecipeChange,
                                                        progress: progressArgument.style, interrupt: interrupt,
                                                        storeDirectory: storeArguments.directory(workDir: folder),
                                                        warn: sayOnStandardError))
            let results = try trainer.runInGroup(group)
            guard lead else { return }
            if results.isEmpty { print("nothing to train: every stage of \(recipeArguments.recipe) is finished in \(resume ?? folder)") }
            for result in results {
                if let images = result.fittedImages {
                    print(String(format: "%@: fitted on %d images in %.1f s, checkpoint %@", result.stage, images, result.seconds, result.checkpoint))
                    continue
                }
                print(String(format: "%@: %d steps in %.1f s, last loss %.4f, checkpoint %@", result.stage, result.stepsRun,
                             result.seconds, result.lastLoss, result.checkpoint))
            }
        }
    }
}
