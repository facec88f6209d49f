import ArgumentParser
import Foundation
import OoDKit
import TensorCore

/// `pixelood sweep SWEEP.yaml`: trains and evaluates every point of a sweep, resumably.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Train and evaluate a grid or list of recipe overrides; resumable; writes sweep.md and sweep.json.",
        discussion: """
            A sweep file names a recipe, overrides of every point (set:), a list of points (each \
            with a name, optionally its own recipe, set: and table:) and/or a grid of values crossed \
            into points (see docs/recipes.md, "Sweeps", and Examples/sweeps/). Each point trains \
            and evaluates into <work_dir>/<point>; a point that finished (point.json) is skipped, an \
            interrupted one continues from the furthest checkpoint in its folder, so running the \
            same command again resumes the sweep. Ctrl-C checkpoints the point in training and \
            exits with status 130. Points share one feature store (<work_dir>/feature-store).
            """)

    @Argument(help: "The sweep file.")
    var sweep: String

    @Option(name: .customLong("set"), help: "Override one value of every point's recipe: key.path=value (YAML), repeatable.")
    var overrides: [String] = []

    @Option(help: "Write the points here instead of the sweep's work_dir.")
    var workDir: String?

    @Option(help: "Run only this point (repeatable); the table shows every finished point.")
    var only: [String] = []

    @Flag(help: "Read every point's recipe with its overrides and list the points; train nothing.")
    var dryRun = false

    @Flag(help: "Do not read or write the shared feature store.")
    var noStore = false

    @OptionGroup var progressArgument: ProgressArgument

    func run() throws {
        let plan = try SweepPlan.load(sweep, workDir: workDir)
        if dryRun {
            let runner = SweepRunner(plan, registry: CommandContext.registry)
            for point in plan.points {
                _ = try runner.load(point)  // every point's recipe reads and validates, overrides applied
                let sets = point.overrides.map { "\($0.keyPath.joined(separator: "."))=\($0.shownValue)" }
                print("\(point.name): \(point.recipe)" + (sets.isEmpty ? "" : " " + sets.joined(separator: " ")) + " -> \(point.folder)")
            }
            return
        }
        try BLAS.load()
        let table = try Self.run(plan, options: SweepOptions(overrides: try overrides.map(RecipeOverride.init(parsing:)),
                                                              only: only.isEmpty ? nil : only, progress: progressArgument.style,
                                                              storeDirectory: noStore ? nil : plan.workDir + "/feature-store"))
        print(table.markdown)
        print("wrote \(plan.workDir)/sweep.md and \(plan.workDir)/sweep.json")
    }

    /// Runs `plan` with Ctrl-C caught (exit 130 after the checkpoint), writes and returns its table.
    static func run(_ plan: SweepPlan, options: SweepOptions, hint: String = "run the same command again to continue the sweep") throws -> SweepTable {
        try interruptible(hint: hint) { interrupt in
            var options = options
            options.interrupt = interrupt
            let runner = SweepRunner(plan, registry: CommandContext.registry, options: options, say: sayOnStandardError)
            let table = SweepTable(try runner.run())
            try table.write(to: plan.workDir, title: "Sweep \(plan.file)")
            return table
        }
    }
}
