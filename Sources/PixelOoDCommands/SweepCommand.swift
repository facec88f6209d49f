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

    @Option(name: .customLong("set"), help: "Override one value of every point's recipe, after the points' own set: key.path=value (YAML), repeatable.")
    var overrides: [String] = []

    @Option(name: .customLong("base-set"), help: "Override one value of every point's recipe before the points' own set: (as the sweep's set:), so a point's own value wins: key.path=value, repeatable.")
    var baseOverrides: [String] = []

    @Option(help: "Write the points here instead of the sweep's work_dir.")
    var workDir: String?

    @Option(help: ArgumentHelp("Run every point that trains once per seed, in <point>/seed=<seed>; the table shows mean ± std (replaces the sweep's seeds:).",
                               valueName: "666,1,2"))
    var seeds: String?

    @Option(help: "Run only this point (repeatable); the table shows every finished point.")
    var only: [String] = []

    @Flag(help: "Read every point's recipe with its overrides and list the points; train nothing.")
    var dryRun = false

    @OptionGroup var storeArguments: StoreArguments

    @OptionGroup var metricsMemoryArgument: MetricsMemoryArgument

    @OptionGroup var progressArgument: ProgressArgument

    func run() throws {
        let plan = try SweepPlan.load(sweep, workDir: workDir, seeds: try seeds.map(Self.seedList),
                                      baseOverrides: try baseOverrides.map(RecipeOverride.init(parsing:)))
        let setOverrides = try overrides.map(RecipeOverride.init(parsing:))
        if dryRun {
            let runner = SweepRunner(plan, registry: CommandContext.registry, options: SweepOptions(overrides: setOverrides))
            for run in try runner.runs() {
                _ = try runner.compile(run)  // every run's recipe compiles, overrides applied
                let sets = run.overrides.map { "\($0.keyPath.joined(separator: "."))=\($0.shownValue)" } + (run.seed.map { ["seed=\($0)"] } ?? [])
                print("\(run.label): \(run.point.recipe)" + (sets.isEmpty ? "" : " " + sets.joined(separator: " ")) + " -> \(run.folder)")
            }
            return
        }
        try BLAS.load()
        let group = CommandContext.group  // several ranks under pixelood-mpi: the runs are dealt over them
        let options = SweepOptions(overrides: setOverrides, only: only.isEmpty ? nil : only,
                                   progress: group.rank == 0 ? progressArgument.style : .none,
                                   storeDirectory: storeArguments.directory(workDir: plan.workDir),
                                   metricsMemoryBytes: metricsMemoryArgument.bytes)
        guard group.size == 1 else { return try Self.runAcross(group, plan, options: options) }
        let table = try Self.run(plan, options: options)
        print(table.markdown)
        print("wrote \(plan.workDir)/sweep.md and \(plan.workDir)/sweep.json")
    }

    /// `--seeds 666,1,2` as distinct seeds.
    static func seedList(_ text: String) throws -> [UInt64] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let seeds = parts.compactMap { UInt64($0) }
        guard seeds.count == parts.count, !seeds.isEmpty, Set(seeds).count == seeds.count else {
            throw ValidationError("--seeds expects distinct non-negative integers separated by commas (666,1,2), got '\(text)'")
        }
        return seeds
    }

    /// Runs `plan` as one rank of `group` (``SweepRunner/runInGroup(_:)``); rank 0 writes and
    /// prints the table of the finished runs and then fails naming every failed run.
    static func runAcross(_ group: any ProcessGroup, _ plan: SweepPlan, options: SweepOptions) throws {
        try interruptible(hint: "run the same command again to continue the sweep") { interrupt in
            var options = options
            options.interrupt = interrupt
            let runner = SweepRunner(plan, registry: CommandContext.registry, options: options, say: sayOnStandardError)
            guard let outcome = try runner.runInGroup(group) else { return }
            let table = SweepTable(outcome.results)
            try table.write(to: plan.workDir, title: "Sweep \(plan.file)")
            print(table.markdown)
            print("wrote \(plan.workDir)/sweep.md and \(plan.workDir)/sweep.json")
            if !outcome.failures.isEmpty { throw SweepError.failedRuns(outcome.failures) }
        }
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
