import Foundation
import NeuralNet
import OoDKit

/// Data-parallel runs of a ``TrainingFixture``'s recipe against one process: ranks are threads
/// (``ThreadGroup``), each run in its own folder under the fixture's.
public struct DataParallelRuns {
    /// The world, registry and scratch folder.
    public let fixture: TrainingFixture

    /// Runs over `fixture`.
    public init(_ fixture: TrainingFixture) { self.fixture = fixture }

    /// `recipe.yaml` with batch 4, outlier objects pasted and 64×64 crops, then `stages`.
    public func recipe(_ stages: String) throws -> LoadedRecipe {
        let loaded = try fixture.recipe(stages)
        let text = try String(contentsOfFile: loaded.files[0], encoding: .utf8)
            .replacingOccurrences(of: "  crop_size: [32, 32]", with: "  outliers: {root: \(fixture.folder.path)/data/coco, minimum_area: 0}\n  crop_size: [64, 64]")
            .replacingOccurrences(of: "  batch_size: 2", with: "  batch_size: 4")

        try Data(text.utf8).write(to: URL(fileURLWithPath: loaded.files[0]))
        return try RecipeLoader.load(loaded.files[0])
    }

    /// Trains `loaded` into `folder` on `ranks` ranks; rank 0's results.
    public func train(_ loaded: LoadedRecipe, folder: String, ranks: Int, options: TrainOptions = .init(progress: .none)) throws -> [StageResult] {
        let compiled = try loaded.compiled(fixture.registry, workDir: fixture.folder.path + "/" + folder)
        guard ranks > 1 else { return try Trainer(compiled, options: options).run() }
        return try ThreadGroup.run(ranks: ranks) { group in try Trainer(compiled, options: options).runInGroup(group) }[0]
    }

    /// Every tensor of two checkpoints' models within `tolerance` relative; the worst key. A
    /// non-finite value in either is a difference (it would otherwise compare as none).
    public static func compare(_ a: String, _ b: String, tolerance: Float = 1e-5) throws -> (equal: Bool, worst: String) {
        let (x, y) = (try Checkpoint.load(from: a).model, try Checkpoint.load(from: b).model)
        guard x.keys == y.keys else { return (false, "keys differ") }
        var worst = (key: "", error: Float(0))
        for key in x.keys {
            guard let p = x[key]?.scalars, let q = y[key]?.scalars, p.count == q.count else { return (false, key) }
            for (u, v) in zip(p, q) {
                guard u.isFinite, v.isFinite else { return (false, "\(key): non-finite value (\(u) against \(v))") }
                let error = abs(u - v) / (1 + abs(v))
                if error > worst.error { worst = (key, error) }
            }
        }
        return (worst.error <= tolerance, "\(worst.key): \(worst.error)")
    }

    /// Within 1e-5 relative, element by element.
    public static func close(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 * (1 + abs($1)) }
    }

    /// The logged total losses of a stage's `log.jsonl` under `folder`.
    public func losses(_ folder: String, _ stage: String) throws -> [Float] {
        try String(contentsOfFile: fixture.folder.path + "/\(folder)/\(stage)/log.jsonl", encoding: .utf8).split(separator: "\n").compactMap { line in
            line.range(of: #""loss": ([0-9.e+-]+)"#, options: .regularExpression).flatMap { Float(line[$0].split(separator: " ")[1]) }
        }
    }

    /// Each of a stage's 3 steps taken on 2 ranks from the 1-rank run's state before it
    /// (its checkpoint, or `before` for the first) against the 1-rank run's next checkpoint:
    /// the worst relative difference of each step, and each step's logged losses.
    public func stepwise(_ loaded: LoadedRecipe, stage: String, before: String?) throws
        -> [(equal: Bool, worst: String, losses: [Float])] {
        let whole = fixture.folder.path + "/whole/\(stage)"
        let states = [before, whole + "/step_000001.h5", whole + "/step_000002.h5"]
        let after = [whole + "/step_000001.h5", whole + "/step_000002.h5", whole + "/final.h5"]
        let expected = try losses("whole", stage)
        return try (0..<3).map { k in
            let split = try train(loaded, folder: "split-\(k)", ranks: 2, options: .init(resume: states[k], maxSteps: 1, progress: .none))
            let compared = try Self.compare(split.last?.checkpoint ?? "", after[k])
            let logged = try losses("split-\(k)", stage).last ?? .nan
            return (compared.equal && Self.close([logged], [expected[k]]), compared.worst, [logged, expected[k]])
        }
    }
}
