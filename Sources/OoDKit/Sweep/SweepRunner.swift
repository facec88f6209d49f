import Foundation

/// Options of one sweep run.
public struct SweepOptions: Sendable {
    /// Overrides applied to every point after the sweep's own (`pixelood sweep --set`).
    public var overrides: [RecipeOverride]
    /// Run only these points (nil: all); the table still shows every finished point.
    public var only: [String]?
    /// Progress of training and evaluation.
    public var progress: ProgressStyle
    /// Ctrl-C: the training point in flight checkpoints and the sweep stops.
    public var interrupt: InterruptFlag?
    /// The feature store every point shares (nil: none); points on one segmenter reuse its maps.
    public var storeDirectory: String?

    /// Options: no overrides, every point, progress `auto`, no store.
    public init(overrides: [RecipeOverride] = [], only: [String]? = nil, progress: ProgressStyle = .auto,
                interrupt: InterruptFlag? = nil, storeDirectory: String? = nil) {
        (self.overrides, self.only, self.progress, self.interrupt, self.storeDirectory) = (overrides, only, progress, interrupt, storeDirectory)
    }
}

/// What one point left: written as `<folder>/point.json` when it finished (the marker that
/// a resumed sweep skips it).
public struct SweepPointResult: Sendable, Codable {
    /// The point.
    public var name: String
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
        case name, recipe, trainSeconds = "train_seconds", evalSeconds = "eval_seconds", resumed, rows, report
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
/// for the same recipe is skipped, so an interrupted sweep run again continues where it stopped.
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

    /// Runs (or skips) every selected point.
    /// - Throws: ``SweepError``, ``RecipeError`` (located in the sweep file or a recipe),
    ///   ``TrainError`` (``TrainError/interrupted(stage:step:checkpoint:)`` on Ctrl-C), eval errors.
    /// - Returns: the results of every point that has finished, in sweep order.
    public func run() throws -> [SweepPointResult] {
        let names = plan.points.map(\.name)
        for name in options.only ?? [] where !names.contains(name) { throw SweepError.unknownPoint(name: name, known: names) }
        var results: [SweepPointResult] = []
        for (index, point) in plan.points.enumerated() {
            let tag = "[\(index + 1)/\(plan.points.count)] \(point.name)"
            let selected = options.only.map { $0.contains(point.name) } ?? true
            if let done = try finished(point) {
                if selected { say("\(tag): finished earlier, skipped (\(point.folder)/point.json)") }
                results.append(done)
                continue
            }
            guard selected else { continue }
            results.append(try run(point, tag: tag))
        }
        return results
    }

    /// The point's recipe with the sweep's overrides and its folder as `work_dir`.
    public func load(_ point: SweepPoint) throws -> LoadedRecipe {
        let folder = try RecipeOverride(keyPath: "work_dir", value: .scalar(point.folder, quoted: true, at: RecipeLocation(file: plan.file, line: 1, column: 1, lineText: "")),
                                        location: RecipeLocation(file: plan.file, line: 1, column: 1, lineText: ""))
        return try RecipeLoader.load(point.recipe, applying: point.overrides + options.overrides + [folder])
    }

    /// The point's `point.json` when it finished for the recipe it has now.
    private func finished(_ point: SweepPoint) throws -> SweepPointResult? {
        let marker = point.folder + "/point.json"
        guard FileManager.default.fileExists(atPath: marker) else { return nil }
        try checkSameRecipe(point, loaded: try load(point))
        guard let data = FileManager.default.contents(atPath: marker) else {
            throw SweepError.unreadableResult(path: marker, reason: "cannot be read")
        }
        do {
            return try JSONDecoder.reports.decode(SweepPointResult.self, from: data)
        } catch {
            throw SweepError.unreadableResult(path: marker, reason: "is not a point result (\(error))")
        }
    }

    /// Throws when the folder ran another recipe; records the recipe in a fresh folder.
    private func checkSameRecipe(_ point: SweepPoint, loaded: LoadedRecipe) throws {
        let path = point.folder + "/recipe.yaml"
        if let earlier = FileManager.default.contents(atPath: path) {
            guard String(decoding: earlier, as: UTF8.self) == loaded.text else { throw SweepError.changedPoint(name: point.name, folder: point.folder) }
            return
        }
        try FileManager.default.createDirectory(atPath: point.folder, withIntermediateDirectories: true)
        try Data(loaded.text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    private func run(_ point: SweepPoint, tag: String) throws -> SweepPointResult {
        let loaded = try load(point)
        try checkSameRecipe(point, loaded: loaded)
        let stages = loaded.recipe.stages
        var trainSeconds = 0.0, resumed = false
        if !stages.isEmpty {
            let furthest = RunCheckpoints.furthest(in: point.folder, stages: stages)
            if furthest?.finished != true {
                resumed = furthest != nil
                say("\(tag): training \(stages.map(\.name).joined(separator: ", "))" + (furthest.map { " from \($0.path)" } ?? ""))
                let began = Date()
                _ = try Trainer(loaded, registry: registry,
                                options: TrainOptions(resume: furthest?.path, progress: options.progress, interrupt: options.interrupt,
                                                      storeDirectory: options.storeDirectory)).run()
                trainSeconds = Date().timeIntervalSince(began)
            }
        }
        var report: EvalReport?
        if let eval = loaded.recipe.eval, !eval.datasets.isEmpty {
            say("\(tag): evaluating on \(eval.datasets.count) sets")
            let evaluated = try Evaluator(loaded, registry: registry,
                                          options: EvalOptions(storeDirectory: options.storeDirectory, progress: options.progress)).run()
            try evaluated.write(to: point.folder + "/eval")
            report = evaluated
        }
        let result = SweepPointResult(name: point.name, recipe: point.recipe, trainSeconds: trainSeconds, evalSeconds: report?.seconds ?? 0,
                                      resumed: resumed, rows: rows(point, stages: stages, report: report), report: report)
        try JSONEncoder.reports.encode(result).write(to: URL(fileURLWithPath: point.folder + "/point.json"), options: .atomic)
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
