import Foundation
import Testing
import NeuralNet
import OoDKit
import PixelOoDTestSupport

extension TrainingFixture {
    /// Writes `sweep.yaml` beside the fixture's `recipe.yaml` and reads it.
    func sweep(_ text: String, workDir: String? = nil) throws -> SweepPlan {
        let path = folder.path + "/sweep.yaml"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return try SweepPlan.load(path, workDir: workDir)
    }
}

/// Collects a runner's status lines.
private final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    var all: [String] { lock.lock(); defer { lock.unlock() }; return stored }
    func add(_ line: String) { lock.lock(); stored.append(line); lock.unlock() }
}

@Suite("Sweeps: plans, resumable runs, the table", .serialized)
struct SweepTests {
    @Test("across two ranks (threads) the runs are dealt over the ranks, a chained run waits for its upstream's level, a failing run is reported while the others finish, and results equal one process's")
    func acrossRanks() throws {
        let fixture = try TrainingFixture()
        _ = try fixture.evalRecipe()
        let points = """
            recipe: recipe.yaml
            set: {stages.0.iterations: 2, stages.0.checkpoint_every: 0}
            table: {max_logit: max logit}
            points:
              - {name: a}
              - {name: b, set: {stages.0.optimizer.lr: 0.002}}
              - {name: c, set: {checkpoint: '{point:a}/seg/final.h5'}}
            """
        let quiet = SweepOptions(progress: .none)
        let one = try SweepRunner(try fixture.sweep(points, workDir: fixture.folder.path + "/one"), registry: fixture.registry, options: quiet).run()
        let plan = try fixture.sweep(points + """

              - {name: broken, set: {eval.datasets.0.root: \(fixture.folder.path)/missing}}
              - {name: after, set: {checkpoint: '{point:broken}/seg/final.h5'}}
            """, workDir: fixture.folder.path + "/two")
        let lines = Lines()
        let registry = fixture.registry
        let outcomes = try ThreadGroup.run(ranks: 2) { group in
            try SweepRunner(plan, registry: registry, options: quiet, say: lines.add).runInGroup(group)
        }
        #expect(outcomes[1] == nil)
        let outcome = try #require(outcomes[0])
        #expect(outcome.results.map(\.name) == ["a", "b", "c"])
        #expect(try JSONEncoder.reports.encode(outcome.results.map(\.rows)) == JSONEncoder.reports.encode(one.map(\.rows)))
        #expect(outcome.failures.count == 2, "\(outcome.failures)")
        #expect(outcome.failures.contains { $0.hasPrefix("broken: ") && $0.contains("missing") }, "\(outcome.failures)")
        #expect(outcome.failures.contains { $0.hasPrefix("after: ") && $0.contains("did not finish") }, "\(outcome.failures)")
        for rank in 0..<2 { #expect(lines.all.contains { $0.hasPrefix("[rank \(rank)]") && $0.contains("done") }, "rank \(rank) ran a point: \(lines.all)") }
    }

    @Test("points crossed with a grid: names key=value, overrides in order (sweep, point, grid), one folder each")
    func planCrossesTheGrid() throws {
        let fixture = try TrainingFixture()
        _ = try fixture.recipe(TrainingFixture.segmenterStage)
        let plan = try fixture.sweep("""
            recipe: recipe.yaml
            work_dir: \(fixture.folder.path)/sweeps
            set: {stages.0.iterations: 2}
            points:
              - {name: adam}
              - {name: sgd, set: {stages.0.optimizer: {type: sgd, lr: 0.01}}}
            grid:
              seed: [1, 2]
              stages.0.losses: [[{type: cross_entropy}], [{type: cross_entropy, weight: 2.0}]]
            """)
        #expect(plan.points.map(\.name) == ["adam,seed=1,losses=0", "adam,seed=1,losses=1", "adam,seed=2,losses=0", "adam,seed=2,losses=1",
                                            "sgd,seed=1,losses=0", "sgd,seed=1,losses=1", "sgd,seed=2,losses=0", "sgd,seed=2,losses=1"])
        let sgd = try #require(plan.points.first { $0.name == "sgd,seed=2,losses=1" })
        #expect(sgd.overrides.map { $0.keyPath.joined(separator: ".") } == ["stages.0.iterations", "stages.0.optimizer", "seed", "stages.0.losses"])
        #expect(sgd.folder == fixture.folder.path + "/sweeps/sgd,seed=2,losses=1")
        #expect(sgd.recipe.hasSuffix("/recipe.yaml"))
        let runner = SweepRunner(plan, registry: fixture.registry)
        let runs = try runner.runs()
        #expect(runs.map(\.point.name) == plan.points.map(\.name) && runs.allSatisfy { $0.seed == nil })
        let loaded = try runner.load(try #require(runs.first { $0.point.name == sgd.name }))
        #expect(loaded.recipe.seed == 2 && loaded.recipe.stages[0].gradient?.length == .iterations(2) && loaded.recipe.workDir == sgd.folder)

        let grid = try fixture.sweep("recipe: recipe.yaml\ngrid: {stages.0.optimizer.lr: [0.001, 0.01]}\n", workDir: "/tmp/elsewhere")
        #expect(grid.points.map(\.name) == ["lr=0.001", "lr=0.01"] && grid.points[0].folder == "/tmp/elsewhere/lr=0.001")
        let single = try fixture.sweep("recipe: recipe.yaml\n")
        #expect(single.points.map(\.name) == ["base"] && single.workDir == "runs/sweeps/sweep")
    }

    @Test("a malformed sweep names its file, line and key: unknown keys with a suggestion, duplicate names, missing recipes")
    func malformedSweeps() throws {
        let fixture = try TrainingFixture()
        _ = try fixture.recipe(TrainingFixture.segmenterStage)
        func failure(_ text: String) -> String {
            do { _ = try fixture.sweep(text); return "no error" } catch { return "\(error)" }
        }
        let unknown = failure("recipe: recipe.yaml\ngrd: {seed: [1, 2]}\n")
        #expect(unknown.contains("sweep.yaml:2") && unknown.contains("grd") && unknown.contains("did you mean 'grid'?"), "\(unknown)")
        let twice = failure("recipe: recipe.yaml\npoints:\n  - {name: a}\n  - {name: a}\n")
        #expect(twice.contains("sweep.yaml:4") && twice.contains("a second point named 'a'"), "\(twice)")
        let missing = failure("points:\n  - {name: a, recipe: nothing.yaml}\n")
        #expect(missing.contains("sweep.yaml:2") && missing.contains("points.0.recipe") && missing.contains("no recipe at"), "\(missing)")
        let pointKey = failure("recipe: recipe.yaml\npoints:\n  - {name: a, sett: {seed: 1}}\n")
        #expect(pointKey.contains("points.0.sett") && pointKey.contains("did you mean 'set'?"), "\(pointKey)")
        let badName = failure("recipe: recipe.yaml\npoints:\n  - {name: a/b}\n")
        #expect(badName.contains("'a/b' cannot name a folder"), "\(badName)")
        let emptyGrid = failure("recipe: recipe.yaml\ngrid: {seed: []}\n")
        #expect(emptyGrid.contains("grid.seed") && emptyGrid.contains("non-empty list"), "\(emptyGrid)")
        let noRecipe = failure("set: {seed: 1}\n")
        #expect(noRecipe.contains("needs a 'recipe' or 'points'"), "\(noRecipe)")
        let twiceSeeded = failure("recipe: recipe.yaml\nseeds: [1, 1]\n")
        #expect(twiceSeeded.contains("sweep.yaml:2") && twiceSeeded.contains("seeds.1") && twiceSeeded.contains("listed twice"), "\(twiceSeeded)")
        let badSeed = failure("recipe: recipe.yaml\nseeds: [1, -2]\n")
        #expect(badSeed.contains("seeds.1") && badSeed.contains("non-negative integer"), "\(badSeed)")
        let laterPoint = failure("recipe: recipe.yaml\npoints:\n  - {name: rpl, set: {checkpoint: '{point:meta}/m/final.h5'}}\n  - {name: meta}\n")
        #expect(laterPoint.contains("sweep.yaml:3") && laterPoint.contains("{point:meta} names no earlier point (earlier: none)"), "\(laterPoint)")
        let typo = failure("recipe: recipe.yaml\npoints:\n  - {name: meta}\n  - {name: rpl, set: {checkpoint: '{point:mta}/m/final.h5'}}\n")
        #expect(typo.contains("checkpoint") && typo.contains("did you mean 'meta'?"), "\(typo)")

        let plan = try fixture.sweep("recipe: recipe.yaml\nset: {stages.0.nothing.deeper: 1}\n")
        do {
            let runner = SweepRunner(plan, registry: fixture.registry)
            _ = try runner.load(try runner.runs()[0])
            Issue.record("an unknown stage key loaded")
        } catch let error as RecipeError {
            #expect("\(error)".contains("nothing"), "\(error)")
        }
    }

    @Test("an interrupted sweep run again resumes its point from the checkpoint (bitwise the uninterrupted run) and skips finished points; a changed recipe is refused")
    func interruptResumeSkip() throws {
        let fixture = try TrainingFixture()
        _ = try fixture.evalRecipe()
        let sweepText = """
            recipe: recipe.yaml
            grid: {stages.0.optimizer.lr: [0.001, 0.002]}
            table: {max_logit: max logit, energy: energy}
            """
        let work = fixture.folder.path + "/sweeps"
        let plan = try fixture.sweep(sweepText, workDir: work)
        let lines = Lines()
        let quiet = SweepOptions(progress: .none)

        // The first point trains and evaluates; the second is interrupted after its first step.
        let first = try SweepRunner(plan, registry: fixture.registry, options: SweepOptions(only: ["lr=0.001"], progress: .none)).run()
        #expect(first.map(\.name) == ["lr=0.001"] && first[0].report?.rows.isEmpty == false && !first[0].resumed)
        let flag = InterruptFlag()
        flag.raise()
        #expect(throws: TrainError.self) {
            _ = try SweepRunner(plan, registry: fixture.registry, options: SweepOptions(progress: .none, interrupt: flag), say: lines.add).run()
        }
        #expect(lines.all.first?.contains("[1/2] lr=0.001: finished earlier, skipped") == true, "\(lines.all)")
        #expect(FileManager.default.fileExists(atPath: work + "/lr=0.002/seg/step_000001.h5"))

        let resumed = try SweepRunner(plan, registry: fixture.registry, options: quiet, say: lines.add).run()
        #expect(resumed.map(\.name) == ["lr=0.001", "lr=0.002"] && resumed[1].resumed && !resumed[0].resumed)
        #expect(lines.all.contains { $0.contains("lr=0.002: training seg from \(work)/lr=0.002/seg/step_000001.h5") }, "\(lines.all)")

        let straightPlan = try fixture.sweep(sweepText, workDir: fixture.folder.path + "/straight")
        _ = try SweepRunner(straightPlan, registry: fixture.registry, options: SweepOptions(only: ["lr=0.002"], progress: .none)).run()
        let straight = try Checkpoint.load(from: fixture.folder.path + "/straight/lr=0.002/seg/final.h5").model
        let continued = try Checkpoint.load(from: work + "/lr=0.002/seg/final.h5").model
        #expect(straight.keys == continued.keys)
        for entry in straight.entries { #expect(continued[entry.key]?.scalars == entry.tensor.scalars, "\(entry.key)") }

        let table = SweepTable(resumed)
        #expect(table.datasets == ["synthetic static", "synthetic obstacle", "synthetic country"])
        #expect(table.rows.map(\.label) == ["max logit", "energy", "max logit", "energy"] && table.rows.map(\.point) == ["lr=0.001", "lr=0.001", "lr=0.002", "lr=0.002"])
        let row = try #require(table.rows[0].sets[0])
        let report = try #require(resumed[0].report?.rows.first { $0.method == "max_logit" && $0.dataset == "synthetic static" })
        #expect(row.fpr95 == 100 * report.pooled.fpr && row.auprc == 100 * report.pooled.averagePrecision)
        try table.write(to: work, title: "test sweep")
        let markdown = try String(contentsOfFile: work + "/sweep.md", encoding: .utf8)
        #expect(markdown.contains("| method | synthetic static FPR95 ↓ | synthetic static AuPRC ↑ |") && markdown.contains("| energy |"))
        let decoded = try JSONDecoder.reports.decode(SweepTable.self, from: Data(contentsOf: URL(fileURLWithPath: work + "/sweep.json")))
        #expect(decoded.rows.count == 4)

        let again = Lines()
        let skipped = try SweepRunner(plan, registry: fixture.registry, options: quiet, say: again.add).run()
        #expect(skipped.count == 2 && again.all.allSatisfy { $0.contains("finished earlier, skipped") } && again.all.count == 2)

        let changed = try fixture.sweep(sweepText + "\nset: {seed: 9}\n", workDir: work)
        do {
            _ = try SweepRunner(changed, registry: fixture.registry, options: quiet).run()
            Issue.record("a changed recipe reused a finished folder")
        } catch let error as SweepError {
            #expect("\(error)".contains("point 'lr=0.001'") && "\(error)".contains("remove \(work)/lr=0.001"), "\(error)")
        }
        #expect(throws: SweepError.self) { _ = try SweepRunner(plan, registry: fixture.registry, options: SweepOptions(only: ["lr=1"])).run() }
    }

    @Test("a finished or begun point is reused only while its starting checkpoint holds the weights it ran on; replaced weights or an unrecorded start are refused, named")
    func startingCheckpointChecked() throws {
        let fixture = try TrainingFixture()
        let trained = try Trainer(try fixture.evalRecipe().compiled(fixture.registry), options: .init(progress: .none)).run()
        let start = fixture.folder.path + "/start.h5", work = fixture.folder.path + "/sweeps"
        try FileManager.default.copyItem(atPath: trained[0].checkpoint, toPath: start)
        let plan = try fixture.sweep("""
            recipe: recipe.yaml
            set: {checkpoint: \(start), stages.0.iterations: 1, stages.0.checkpoint_every: 0}
            grid: {stages.0.optimizer.lr: [0.001]}
            """, workDir: work)
        let quiet = SweepOptions(progress: .none)
        _ = try SweepRunner(plan, registry: fixture.registry, options: quiet).run()
        let record = work + "/lr=0.001/start.json"
        #expect(try String(contentsOfFile: record, encoding: .utf8).contains(try Checkpoint.load(from: start).model.contentHash))
        let lines = Lines()
        _ = try SweepRunner(plan, registry: fixture.registry, options: quiet, say: lines.add).run()
        #expect(lines.all.first?.contains("finished earlier, skipped") == true, "\(lines.all)")

        try FileManager.default.removeItem(atPath: start)
        try FileManager.default.copyItem(atPath: fixture.folder.path + "/run/seg/step_000002.h5", toPath: start)
        do {
            _ = try SweepRunner(plan, registry: fixture.registry, options: quiet).run()
            Issue.record("results made on other weights were reused")
        } catch SweepError.changedStart(let name, let folder, let checkpoint) {
            #expect(name == "lr=0.001" && folder == work + "/lr=0.001" && checkpoint == start)
        }
        try FileManager.default.removeItem(atPath: record)
        #expect(throws: SweepError.unrecordedStart(name: "lr=0.001", folder: work + "/lr=0.001", checkpoint: start)) {
            _ = try SweepRunner(plan, registry: fixture.registry, options: quiet).run()
        }
    }

    @Test("a typo in the last point (an eval score, a loss of a later stage) fails, located, before the first point trains")
    func lastPointCheckedFirst() throws {
        let fixture = try TrainingFixture()
        _ = try fixture.evalRecipe()
        let work = fixture.folder.path + "/typo-sweep"
        for typo in ["eval.scores: [max_logit, entropi]", "stages.0.losses: [{type: cross_entropy, wieght: 2}]"] {
            let plan = try fixture.sweep("""
                recipe: recipe.yaml
                points:
                  - {name: good}
                  - {name: typo, set: {\(typo)}}
                """, workDir: work)
            do {
                _ = try SweepRunner(plan, registry: fixture.registry, options: SweepOptions(progress: .none)).run()
                Issue.record("no error for \(typo)")
            } catch let error as RecipeError {
                #expect("\(error)".contains(typo.contains("entropi") ? "eval.scores.1" : "stages.0.losses.0.wieght"), "\(error)")
            }
            #expect(!FileManager.default.fileExists(atPath: work + "/good"), "nothing trained before the typo was found")
        }
        let trainer = try fixture.recipe(TrainingFixture.segmenterStage + """

              - name: later
                losses: [{type: cross_entropi}]
                optimizer: {type: sgd, lr: 0.01}
                iterations: 1
            """)
        #expect(throws: RecipeError.self, "compiling the run finds it; no Trainer can exist for it") { _ = try trainer.compiled(fixture.registry) }
        #expect(!FileManager.default.fileExists(atPath: fixture.folder.path + "/run/seg/log.jsonl"))
        #expect(!FileManager.default.fileExists(atPath: fixture.folder.path + "/run/seg/step_000002.h5"), "stage 0 did not train before stage 1's typo was found")
    }

    @Test("a seeded sweep runs a training point once per seed in <point>/seed=<seed> and one that trains nothing once; the table holds mean ± sample std over the seeds")
    func seededSweep() throws {
        let fixture = try TrainingFixture()
        _ = try fixture.evalRecipe()
        let work = fixture.folder.path + "/seeded"
        let plan = try fixture.sweep("""
            recipe: recipe.yaml
            set: {stages.0.iterations: 1, stages.0.checkpoint_every: 0}
            seeds: [1, 2]
            table: {max_logit: max logit}
            points:
              - {name: trained}
              - {name: scores, set: {stages: []}}
            """, workDir: work)
        let lines = Lines()
        let results = try SweepRunner(plan, registry: fixture.registry, options: SweepOptions(progress: .none), say: lines.add).run()
        #expect(results.map(\.name) == ["trained", "trained", "scores"] && results.map(\.seed) == [1, 2, nil])
        #expect(FileManager.default.fileExists(atPath: work + "/trained/seed=2/point.json") && FileManager.default.fileExists(atPath: work + "/scores/point.json"))
        #expect(lines.all.contains { $0.hasPrefix("[1/2] trained seed 2: training seg") }, "\(lines.all)")
        let recorded = try String(contentsOfFile: work + "/trained/seed=2/recipe.yaml", encoding: .utf8)
        #expect(recorded.contains("seed: 2"), "\(recorded)")

        let table = SweepTable(results)
        #expect(table.rows.map(\.point) == ["trained", "scores"] && table.rows[0].seeds == [1, 2] && table.rows[1].seeds.isEmpty)
        let reports = results.prefix(2).map { run in run.report?.rows.first { $0.method == "max_logit" && $0.dataset == "synthetic static" } }
        let fprs = try reports.map { 100 * (try #require($0)).pooled.fpr }, auprcs = try reports.map { 100 * (try #require($0)).pooled.averagePrecision }
        #expect(auprcs[0] != auprcs[1], "two seeds, two initialisations")
        let row = try #require(table.rows[0].sets[0]), spread = try #require(table.rows[0].spread[0])
        #expect(abs(row.fpr95 - (fprs[0] + fprs[1]) / 2) < 1e-9 && abs(row.auprc - (auprcs[0] + auprcs[1]) / 2) < 1e-9)
        #expect(abs(spread.auprc - abs(auprcs[0] - auprcs[1]) / 2.squareRoot()) < 1e-9, "the sample std of two values is |a − b| / √2")
        #expect(table.rows[0].perSeed.count == 2 && table.rows[1].spread.allSatisfy { $0 == nil })
        #expect(table.markdown.contains("| method | seeds | synthetic static FPR95 ↓") && table.markdown.contains(String(format: "| max logit | 2 | %.2f ± %.2f |", row.fpr95, spread.fpr95)),
                "\(table.markdown)")
        #expect(table.markdown.contains("| max logit | — | "), "the evaluation-only point ran once: \(table.markdown)")

        let again = Lines()
        _ = try SweepRunner(plan, registry: fixture.registry, options: SweepOptions(progress: .none), say: again.add).run()
        #expect(again.all.count == 3 && again.all.allSatisfy { $0.contains("finished earlier, skipped") }, "\(again.all)")
    }

    @Test("{point:NAME} names that point's run folder with the same seed; --set cannot break the chain, --base-set applies under it; a point run once cannot take a seeded point's folder")
    func pointReferencesFollowTheSeed() throws {
        let fixture = try TrainingFixture()
        _ = try fixture.recipe(TrainingFixture.segmenterStage)
        let work = fixture.folder.path + "/chained"
        let chained = try fixture.sweep("""
            recipe: recipe.yaml
            points:
              - {name: meta}
              - {name: rpl, set: {checkpoint: "{point:meta}/seg/final.h5"}}
            """, workDir: work)
        let once = try SweepRunner(chained, registry: fixture.registry).runs()
        #expect(try SweepRunner(chained, registry: fixture.registry).load(once[1]).recipe.checkpoint == work + "/meta/seg/final.h5")

        let overridden = SweepRunner(chained, registry: fixture.registry,
                                     options: SweepOptions(overrides: [try RecipeOverride(parsing: "checkpoint=other.h5")]))
        do {
            _ = try overridden.load(once[1])
            Issue.record("--set replaced a chained checkpoint")
        } catch let error as RecipeError {
            #expect("\(error)".contains("point 'rpl' takes checkpoint from {point:meta}") && "\(error)".contains("--base-set"), "\(error)")
        }
        #expect(try overridden.load(once[0]).recipe.checkpoint == "other.h5", "a point without a chain takes --set as before")
        let based = try SweepPlan.load(chained.file, workDir: work, baseOverrides: [try RecipeOverride(parsing: "checkpoint=other.h5")])
        let basedRuns = try SweepRunner(based, registry: fixture.registry).runs()
        #expect(try basedRuns.map { try SweepRunner(based, registry: fixture.registry).load($0).recipe.checkpoint }
                == ["other.h5", work + "/meta/seg/final.h5"], "--base-set applies before the point's own set:")

        var seeded = chained
        seeded.seeds = [7, 8]
        let runner = SweepRunner(seeded, registry: fixture.registry)
        let runs = try runner.runs()
        #expect(runs.map(\.folder) == [work + "/meta/seed=7", work + "/meta/seed=8", work + "/rpl/seed=7", work + "/rpl/seed=8"])
        let rpl8 = try runner.load(runs[3]).recipe
        #expect(rpl8.checkpoint == work + "/meta/seed=8/seg/final.h5" && rpl8.seed == 8 && rpl8.workDir == work + "/rpl/seed=8")

        let unseededConsumer = try fixture.sweep("""
            recipe: recipe.yaml
            seeds: [7, 8]
            points:
              - {name: meta}
              - {name: scores, set: {stages: [], checkpoint: "{point:meta}/seg/final.h5"}}
            """, workDir: work)
        do {
            _ = try SweepRunner(unseededConsumer, registry: fixture.registry).runs()
            Issue.record("an evaluation-only point took one seed's checkpoint")
        } catch let error as RecipeError {
            #expect("\(error)".contains("{point:meta}") && "\(error)".contains("no run with seed none"), "\(error)")
        }
    }
}
