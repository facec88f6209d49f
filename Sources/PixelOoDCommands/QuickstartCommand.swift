import ArgumentParser
import Foundation
import OoDKit
import SceneData
import TensorCore

/// `pixelood quickstart`: the README's first command. Writes the synthetic world, takes the
/// bundled segmenter (or trains it), then runs `Examples/quickstart/quickstart.yaml`: every
/// bundled method trained and evaluated on the three anomaly sets, one paper-style table.
struct QuickstartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quickstart",
        abstract: "Synthetic world, segmenter, every bundled method trained and evaluated: one paper-style table.",
        discussion: """
            Run from the repository root. Three steps, each skipped when its result is already \
            there: (1) the synthetic world at 128x256 into data/quickstart (1000 training and 50 \
            validation scenes, 100 outlier objects, 50 images per anomaly set); (2) the segmenter: \
            the bundled Examples/quickstart/segmenter.h5, which Examples/quickstart/segmenter.yaml \
            trained, or with --train-segmenter that recipe trained again (about 25 minutes on 2 \
            cores); (3) the sweep Examples/quickstart/quickstart.yaml: colour rarity, the four \
            logit scores, SML, Mahalanobis, PEBAL and RPL on its segmenter, RPL and \
            RPL+CoroCL, each into its own folder under \
            runs/quickstart, then the table (sweep.md, sweep.json). --seeds 666,1,2 trains each \
            method under three seeds and shows mean ± std. Ctrl-C \
            checkpoints and exits with status 130; the same command again continues.
            """)

    /// The sweep, the segmenter recipe and the bundled checkpoint.
    static let folder = "Examples/quickstart"
    /// The world: where, its size, its counts (the defaults of `data synth` but 1000 training scenes, the
    /// segmenter's data lever of issue #22, and 50 test images).
    static let worldFolder = "data/quickstart"
    static let world = SyntheticWorld(width: 256, height: 128, seed: 0)
    static let counts = SyntheticWorld.Counts(train: 1000, val: 50, outliers: 100, perAnomalySet: 50)

    @Flag(help: "Train the segmenter with Examples/quickstart/segmenter.yaml instead of loading the bundled segmenter.h5 (the sweep then goes to runs/quickstart/own-segmenter).")
    var trainSegmenter = false

    @Option(help: ArgumentHelp("Train every method once per seed and show mean ± std (the sweep then goes to runs/quickstart/seeds; about 3x the time).",
                               valueName: "666,1,2"))
    var seeds: String?

    @Option(help: "Run only this point of the sweep (repeatable): logit-scores, SML, Mahalanobis, PEBAL, RPL-on-PEBAL, RPL, RPL+CoroCL.")
    var only: [String] = []

    @OptionGroup var progressArgument: ProgressArgument

    func run() throws {
        let sweepFile = Self.folder + "/quickstart.yaml"
        guard FileManager.default.fileExists(atPath: sweepFile) else {
            throw QuickstartError.notInCheckout(missing: sweepFile)
        }
        let began = Date()
        try BLAS.load()
        let style = progressArgument.style

        sayOnStandardError("[1/3] world: \(Self.worldFolder)")
        try writeWorldIfNeeded(style: style)

        let seedList = try seeds.map(SweepCommand.seedList)
        let workDir = try SweepPlan.load(sweepFile).workDir + (seedList == nil ? "" : "/seeds")
        let plan: SweepPlan
        if trainSegmenter {
            sayOnStandardError("[2/3] segmenter: training \(Self.folder)/segmenter.yaml")
            let checkpoint = try trainTheSegmenter(style: style)
            plan = try SweepPlan.load(sweepFile, workDir: workDir + "/own-segmenter", seeds: seedList,
                                      baseOverrides: [try RecipeOverride(parsing: "checkpoint=\(checkpoint)")])
        } else {
            let bundled = Self.folder + "/segmenter.h5"
            guard FileManager.default.fileExists(atPath: bundled) else {
                throw QuickstartError.missingSegmenter(path: bundled)
            }
            sayOnStandardError("[2/3] segmenter: \(bundled) (trained by \(Self.folder)/segmenter.yaml; --train-segmenter trains it again)")
            plan = try SweepPlan.load(sweepFile, workDir: workDir, seeds: seedList)
        }

        sayOnStandardError("[3/3] methods: \(plan.points.map(\.name).joined(separator: ", ")) -> \(plan.workDir)")
        let table = try SweepCommand.run(plan, options: SweepOptions(only: only.isEmpty ? nil : only, progress: style,
                                                                     storeDirectory: RunLayout(plan.workDir).featureStore),
                                         hint: "run pixelood quickstart" + (trainSegmenter ? " --train-segmenter" : "") + (seeds.map { " --seeds \($0)" } ?? "") + " again to continue")
        print("")
        print(table.markdown)
        print(String(format: "quickstart done in %.1f min; the table is %@/sweep.md, each method's report %@/<method>/eval/report.md",
                     Date().timeIntervalSince(began) / 60, plan.workDir, plan.workDir))
    }

    /// Writes the world unless `data/quickstart` holds it complete; refuses to overwrite another world.
    private func writeWorldIfNeeded(style: ProgressStyle) throws {
        let wanted = WorldManifest(Self.world, counts: Self.counts)
        switch WorldManifest.read(from: Self.worldFolder) {
        case wanted?:
            sayOnStandardError("      complete (\(Self.worldFolder)/\(WorldManifest.fileName)), not written again")
        case let other? where wanted.isOlderWriting(of: other):
            sayOnStandardError("      written by an older toolkit (generator version \(other.version), now \(SyntheticWorld.version)): writing it again")
            try DataCommand.Synth.write(Self.world, counts: Self.counts, to: Self.worldFolder, progress: style)
        case let other? where wanted.isSmallerWriting(of: other):
            sayOnStandardError("      holds part of the world (\(other.train) training scenes, now \(wanted.train)): writing it again")
            try DataCommand.Synth.write(Self.world, counts: Self.counts, to: Self.worldFolder, progress: style)
        case let other?:
            throw QuickstartError.otherWorld(folder: Self.worldFolder, found: other)
        case nil:
            try DataCommand.Synth.write(Self.world, counts: Self.counts, to: Self.worldFolder, progress: style)
        }
    }

    /// Trains (or continues) `segmenter.yaml`; returns its final checkpoint.
    private func trainTheSegmenter(style: ProgressStyle) throws -> String {
        let recipe = Self.folder + "/segmenter.yaml"
        let compiled = try RecipeLoader.load(recipe).compiled(CommandContext.registry)
        let furthest = RunCheckpoints.furthest(in: compiled.layout.workDir, stages: compiled.recipe.stages)
        if let furthest, furthest.finished {
            sayOnStandardError("      trained earlier: \(furthest.path)")
            return furthest.path
        }
        let results = try interruptible(hint: "run pixelood quickstart --train-segmenter again to continue") { interrupt in
            try Trainer(compiled,
                        options: TrainOptions(resume: furthest?.path, progress: style, interrupt: interrupt)).run()
        }
        guard let final = results.last?.checkpoint else { throw QuickstartError.nothingTrained(recipe: recipe) }
        return final
    }

}

/// Why the quickstart cannot run here (exit status 1).
enum QuickstartError: Error, CustomStringConvertible {
    /// The sweep file is not under the current directory.
    case notInCheckout(missing: String)
    /// The bundled segmenter was deleted.
    case missingSegmenter(path: String)
    /// The world folder holds a world of another size, seed or count.
    case otherWorld(folder: String, found: WorldManifest)
    /// The segmenter recipe trained nothing.
    case nothingTrained(recipe: String)

    var description: String {
        switch self {
        case .notInCheckout(let missing):
            return "no \(missing) here: run pixelood quickstart from the root of the PixelOoD checkout"
        case .missingSegmenter(let path):
            return "the bundled segmenter \(path) is missing: restore it (git checkout \(path)) or pass --train-segmenter"
        case .otherWorld(let folder, let other):
            return "\(folder) holds another synthetic world (\(other.height)x\(other.width), seed \(other.seed), "
                + "\(other.perAnomalySet) images per set); move it away so the quickstart can write its own"
        case .nothingTrained(let recipe):
            return "\(recipe) has no stage to train"
        }
    }
}
