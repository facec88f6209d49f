import Foundation
import OoDMetrics

/// Options of one sweep run.
public struct SweepOptions: Sendable {
    /// Overrides applied to every point after the sweep's own (`pixelood sweep --set`); one that
    /// would replace a `{point:NAME}` value is refused (``SweepPlan/load(_:workDir:seeds:baseOverrides:)``
    /// takes overrides that apply before the points').
    public var overrides: [RecipeOverride]
    /// Run only these points (nil: all); the table still shows every finished point.
    public var only: [String]?
    /// Progress of training and evaluation.
    public var progress: ProgressStyle
    /// Ctrl-C: the training point in flight checkpoints and the sweep stops.
    public var interrupt: InterruptFlag?
    /// The feature store every point shares (nil: none); points on one segmenter reuse its maps.
    public var storeDirectory: String?
    /// Each evaluation's metrics memory (``EvalOptions/metricsMemoryBytes``).
    public var metricsMemoryBytes: Int

    /// Options: no overrides, every point, progress `auto`, no store, 1 GiB of metrics memory.
    public init(overrides: [RecipeOverride] = [], only: [String]? = nil, progress: ProgressStyle = .auto,
                interrupt: InterruptFlag? = nil, storeDirectory: String? = nil,
                metricsMemoryBytes: Int = EvalOptions.defaultMetricsMemoryBytes) {
        (self.overrides, self.only, self.progress, self.interrupt, self.storeDirectory) = (overrides, only, progress, interrupt, storeDirectory)
        self.metricsMemoryBytes = metricsMemoryBytes
    }
}

/// What one point left: written as `<folder>/point.json` when it finished (the marker that
/// a resumed sweep skips it).
public struct SweepPointResult: Sendable, Codable {
    /// The point.
    public var name: String
    /// The seed of this run of a seeded sweep (nil: the point ran once with its recipe's seed).
    public var seed: UInt64?
    /// Its recipe file.
    public var recipe: String
    /// Seconds spent training in the run that finished it (a resumed point: since the resume).
    public var trainSeconds: Double
    /// Seconds of its evaluation.
    public var evalSeconds: Double
    /// Whether its training continued from a checkpoint of an interrupted run.
    public var resumed: Bool
    /// The report methods shown in the sweep table and their labels.
    public var rows: [SweepRowChoice]
    /// Its evaluation (nil: the recipe has no eval.datasets).
    public var report: EvalReport?

    enum CodingKeys: String, CodingKey {
        case name, seed, recipe, trainSeconds = "train_seconds", evalSeconds = "eval_seconds", resumed, rows, report
    }
}

/// One report row a point shows in the sweep table.
public struct SweepRowChoice: Sendable, Codable {
    /// The method as report.json names it.
    public var method: String
    /// The label in the sweep table.
    public var label: String
}

/// Runs a sweep's points in order: each trains (resuming from the furthest checkpoint its
/// folder holds) and evaluates into `<work_dir>/<point>`; a point whose `point.json` exists
/// for the same recipe and starting checkpoint is skipped, so an interrupted sweep run again
/// continues where it stopped (``RunStartRecord``).
public struct SweepRunner {
    /// The sweep.
    public let plan: SweepPlan
    /// The registry recipes are built with.
    public let registry: Registry
    /// The run's options.
    public let options: SweepOptions
    /// Where status lines go (one per point event).
    public let say: @Sendable (String) -> Void

    /// A runner for `plan`.
    public init(_ plan: SweepPlan, registry: Registry, options: SweepOptions = SweepOptions(),
                say: @escaping @Sendable (String) -> Void = { _ in }) {
        (self.plan, self.registry, self.options, self.say) = (plan, registry, options, say)
    }

    /// Runs (or skips) every selected point, each seed of a seeded sweep in turn.
    /// - Throws: ``SweepError``, ``RecipeError`` (located in the sweep file or a recipe),
    ///   ``TrainError`` (``TrainError/interrupted(stage:step:checkpoint:)`` on Ctrl-C), eval errors.
    /// - Returns: the results of every run that has finished, in sweep order.
    public func run() throws -> [SweepPointResult] {
        let names = plan.points.map(\.name)
        for name in options.only ?? [] where !names.contains(name) { throw SweepError.unknownPoint(name: name, known: names) }
        let runs = try runs()
        // Every selected run compiled first: a typo in the last point fails before the first trains.
        let compiled = try runs.map { run in
            try (options.only.map { $0.contains(run.point.name) } ?? true) ? compile(run) : nil
        }
        var results: [SweepPointResult] = []
        for (run, compiled) in zip(runs, compiled) {
            let index = names.firstIndex(of: run.point.name).map { $0 + 1 } ?? 0
            let tag = "[\(index)/\(names.count)] \(run.label)"
            if let done = try finished(run) {
                if compiled != nil { say("\(tag): finished earlier, skipped (\(RunLayout(run.folder).pointResult))") }
                results.append(done)
                continue
            }
            guard let compiled else { continue }
            results.append(try self.run(run, compiled, tag: tag))
        }
        return results
    }

    /// Runs the sweep as one rank of `group` (`pixelood-mpi sweep`): each chain level's runs
    /// (a run that takes another point's result, `{point:NAME}`, is one level below it) are
    /// dealt round-robin over the ranks, and every rank waits for the level to finish before
    /// the next. A run that fails is reported (`say`) and the others finish; its downstream
    /// runs fail as unfinished upstream. Run folders must be on a file system every rank sees.
    /// - Throws: ``SweepError`` and ``RecipeError`` found before anything runs; the group's
    ///   errors; ``TrainError/interrupted(stage:step:checkpoint:)`` on Ctrl-C.
    /// - Returns: on rank 0 every finished run's result, in sweep order, and each failed run's
    ///   `label: error`, from every rank; nil on the other ranks.
    public func runInGroup(_ group: any ProcessGroup) throws -> (results: [SweepPointResult], failures: [String])? {
        let names = plan.points.map(\.name)
        for name in options.only ?? [] where !names.contains(name) { throw SweepError.unknownPoint(name: name, known: names) }
        let runs = try runs()
        let compiled = try runs.map { run in try (options.only.map { $0.contains(run.point.name) } ?? true) ? compile(run) : nil }
        var levels: [String: Int] = [:]
        for run in runs { levels[run.folder] = 1 + (run.upstreamFolders.compactMap { levels[$0] }.max() ?? -1) }
        var failures: [String] = []
        for level in Set(levels.values).sorted() {
            let here = runs.indices.filter { levels[runs[$0].folder] == level && compiled[$0] != nil }
            for (position, index) in here.enumerated() where position % group.size == group.rank {
                let (run, tag) = (runs[index], "[rank \(group.rank)] \(runs[index].label)")
                guard let compiled = compiled[index] else { continue }
                do {
                    if try finished(run) != nil { say("\(tag): finished earlier, skipped"); continue }
                    for upstream in run.upstreamFolders where !FileManager.default.fileExists(atPath: RunLayout(upstream).pointResult) {
                        throw SweepError.upstreamUnfinished(name: run.label, upstream: upstream)
                    }
                    _ = try self.run(run, compiled, tag: tag)
                } catch {
                    if let stop = error as? TrainError, case .interrupted = stop { throw error }  // Ctrl-C stops every run
                    failures.append("\(run.label): \(error)")
                    say("\(tag): failed: \(error)")
                }
            }
            try group.barrier()
        }
        var message = MessageWriter()
        message.write(Int64(failures.count))
        for failure in failures { message.write(failure) }
        guard let parts = try group.gather(message.bytes) else { return nil }
        var all: [String] = []
        for part in parts {
            var reader = MessageReader(part)
            for _ in 0..<(try reader.readCount(bytesEach: 8)) { all.append(try reader.readString()) }
        }
        return (try runs.compactMap { try finished($0) }, all)
    }

    /// Every run of the sweep in order: a point once, or once per seed of a seeded sweep when
    /// its recipe trains (a point that only evaluates or fits statistics has no seed spread).
    /// - Throws: ``RecipeError`` when a point's recipe does not load or a `{point:NAME}` has
    ///   no run to name.
    public func runs() throws -> [SweepRun] {
        var folders: [String: [UInt64?: String]] = [:]
        var runs: [SweepRun] = []
        for point in plan.points {
            var pointRuns = [try SweepRun(point, seed: plan.seeds?.first, folders: folders)]
            if let seeds = plan.seeds {
                if try load(pointRuns[0]).recipe.stages.contains(where: { !$0.isFit }) {
                    pointRuns += try seeds.dropFirst().map { try SweepRun(point, seed: $0, folders: folders) }
                } else {
                    pointRuns = [try SweepRun(point, seed: nil, folders: folders)]
                }
            }
            folders[point.name] = Dictionary(uniqueKeysWithValues: pointRuns.map { ($0.seed, $0.folder) })
            runs += pointRuns
        }
        return runs
    }

    /// The run's recipe: the point's overrides, the sweep's `--set`, the run's seed, and its
    /// folder as `work_dir`.
    /// - Throws: ``RecipeError`` when a `--set` override would replace a value the point takes
    ///   from another point (`{point:NAME}`), or the recipe does not load.
    public func load(_ run: SweepRun) throws -> LoadedRecipe {
        try run.checkChainKept(by: options.overrides)
        let here = RecipeLocation(file: plan.file, line: 1, column: 1, lineText: "")
        let folder = try RecipeOverride(keyPath: "work_dir", value: .scalar(run.folder, quoted: true, at: here), location: here)
        let seed = try run.seed.map { [try RecipeOverride(keyPath: "seed", value: .scalar("\($0)", quoted: false, at: here), location: here)] } ?? []
        return try RecipeLoader.load(run.point.recipe, applying: run.overrides + options.overrides + seed + [folder])
    }

    /// The run's recipe compiled, writing to the run's folder.
    /// - Throws: as ``load(_:)``; ``RecipeError`` located at a node whose config is wrong.
    public func compile(_ run: SweepRun) throws -> CompiledRun {
        try load(run).compiled(registry)
    }

    /// The run's `point.json` when it finished for the recipe it has now.
    private func finished(_ run: SweepRun) throws -> SweepPointResult? {
        let marker = RunLayout(run.folder).pointResult
        guard FileManager.default.fileExists(atPath: marker) else { return nil }
        let loaded = try load(run)
        try checkSameRecipe(run, loaded: loaded)
        try checkStart(run, loaded: loaded, hasResults: true)
        guard let data = FileManager.default.contents(atPath: marker) else {
            throw SweepError.unreadableResult(path: marker, reason: "cannot be read")
        }
        do {
            return try JSONDecoder.reports.decode(SweepPointResult.self, from: data)
        } catch {
            throw SweepError.unreadableResult(path: marker, reason: "is not a point result (\(error))")
        }
    }

    /// Throws when the folder's results were made from other `checkpoint:` weights than the
    /// file holds now; records them in a fresh folder (``RunStartRecord``).
    private func checkStart(_ run: SweepRun, loaded: LoadedRecipe, hasResults: Bool) throws {
        guard let checkpoint = loaded.recipe.checkpoint else { return }
        switch try RunStartRecord.check(checkpoint, folder: run.folder, hasResults: hasResults) {
        case .same: return
        case .changed: throw SweepError.changedStart(name: run.label, folder: run.folder, checkpoint: checkpoint)
        case .unrecorded: throw SweepError.unrecordedStart(name: run.label, folder: run.folder, checkpoint: checkpoint)
        }
    }

    /// Throws when the folder ran another recipe; records the recipe in a fresh folder.
    private func checkSameRecipe(_ run: SweepRun, loaded: LoadedRecipe) throws {
        let path = RunLayout(run.folder).resolvedRecipe
        if let earlier = FileManager.default.contents(atPath: path) {
            guard String(decoding: earlier, as: UTF8.self) == loaded.text else { throw SweepError.changedPoint(name: run.label, folder: run.folder) }
            return
        }
        try FileManager.default.createDirectory(atPath: run.folder, withIntermediateDirectories: true)
        try Data(loaded.text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    private func run(_ run: SweepRun, _ compiled: CompiledRun, tag: String) throws -> SweepPointResult {
        let loaded = compiled.loaded
        try checkSameRecipe(run, loaded: loaded)
        let stages = loaded.recipe.stages
        let furthest = RunCheckpoints.furthest(in: run.folder, stages: stages)
        try checkStart(run, loaded: loaded, hasResults: furthest != nil)
        var trainSeconds = 0.0, resumed = false
        if !stages.isEmpty {
            if furthest?.finished != true {
                resumed = furthest != nil
                say("\(tag): training \(stages.map(\.name).joined(separator: ", "))" + (furthest.map { " from \($0.path)" } ?? ""))
                let began = Date()
                _ = try Trainer(compiled,
                                options: TrainOptions(resume: furthest?.path, progress: options.progress, interrupt: options.interrupt,
                                                      storeDirectory: options.storeDirectory, warn: say)).run()
                trainSeconds = Date().timeIntervalSince(began)
            }
        }
        var report: EvalReport?
        if let eval = loaded.recipe.eval, !eval.datasets.isEmpty {
            say("\(tag): evaluating on \(eval.datasets.count) sets")
            let evaluated = try Evaluator(compiled,
                                          options: EvalOptions(storeDirectory: options.storeDirectory, progress: options.progress,
                                                               metricsMemoryBytes: options.metricsMemoryBytes)).run()
            try evaluated.write(to: compiled.layout.evalFolder)
            report = evaluated
        }
        let result = SweepPointResult(name: run.point.name, seed: run.seed, recipe: run.point.recipe, trainSeconds: trainSeconds,
                                      evalSeconds: report?.seconds ?? 0, resumed: resumed,
                                      rows: rows(run.point, stages: stages, report: report), report: report)
        try JSONEncoder.reports.encode(result).write(to: URL(fileURLWithPath: compiled.layout.pointResult), options: .atomic)
        say(String(format: "%@: done (train %.0f s, eval %.0f s)", tag, trainSeconds, result.evalSeconds))
        return result
    }

    /// The table rows of a point: its `table:` choice, else its heads' rows (labelled by the
    /// point), else every row of its report.
    private func rows(_ point: SweepPoint, stages: [StageConfig], report: EvalReport?) -> [SweepRowChoice] {
        if let table = point.table { return table.map { SweepRowChoice(method: $0.method, label: $0.label) } }
        let heads = stages.compactMap(Evaluator.headRow(of:))
        if !heads.isEmpty {
            return heads.map { SweepRowChoice(method: $0, label: heads.count == 1 ? point.name : point.name + " · " + $0) }
        }
        return (report?.rows ?? []).map(\.method).distinctInOrder().map { SweepRowChoice(method: $0, label: point.name + " · " + $0) }
    }
}
