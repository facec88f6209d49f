import Foundation
import OoDKit
import TensorCore

/// Runs mutated copies of the shipped recipes through the recipe loader and, when one
/// loads, builds everything it names: every case must end in a located ``RecipeError`` or a
/// successful build — never a crash, a hang or another kind of error.
struct RecipeFuzzer {
    /// What a run found.
    struct Summary: CustomStringConvertible {
        var cases = 0, loaded = 0, rejected = 0
        var builtModels = false
        var unlocated: [String] = []     // RecipeErrors without a usable location
        var otherErrors: [String] = []   // errors that are not RecipeError
        var slowest: (seconds: Double, kind: String) = (0, "")
        var byKind: [String: Int] = [:]

        var failures: Int { unlocated.count + otherErrors.count }

        var description: String {
            let kinds = byKind.keys.sorted().map { "\($0) \(byKind[$0] ?? 0)" }.joined(separator: ", ")
            var lines = ["\(cases) cases (\(kinds)): \(loaded) loaded and \(builtModels ? "built" : "checked"), \(rejected) rejected with a located error, "
                         + "\(failures) failures; slowest case \(String(format: "%.3f", slowest.seconds)) s (\(slowest.kind))"]
            lines += (unlocated + otherErrors).prefix(10).map { "  failure: " + $0 }
            return lines.joined(separator: "\n")
        }
    }

    /// The recipes mutated (path and text); a mutated one is written beside copies of all
    /// of them, so `base:` still resolves.
    let recipes: [(name: String, text: String)]
    let registry: Registry
    /// Whether to construct the models (slow at full widths) or only decode and validate
    /// every node's config.
    let buildModels: Bool

    /// Runs `cases` cases from `seed`, reporting progress every `progressEvery` cases.
    func run(cases: Int, seed: UInt64, progressEvery: Int = 0, progress: (Summary) -> Void = { _ in }) throws -> Summary {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pixelood-fuzz-\(getpid())-\(seed)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for recipe in recipes { try Data(recipe.text.utf8).write(to: folder.appendingPathComponent(recipe.name)) }
        var summary = Summary()
        summary.builtModels = buildModels
        var rng = SeededGenerator(seed: seed)
        let target = folder.appendingPathComponent("mutated.yaml").path
        for index in 0..<cases {
            let source = recipes[rng.int(0...(recipes.count - 1))]
            let (bytes, kind) = RecipeMutator.mutate(source.text, using: &rng)
            try Data(bytes).write(to: URL(fileURLWithPath: target))
            summary.byKind[kind.rawValue, default: 0] += 1
            let start = DispatchTime.now()
            do {
                let compiled = try RecipeLoader.load(target).compiled(registry)
                if buildModels { _ = try RecipeCheck.build(compiled, openData: false) }
                summary.loaded += 1
            } catch let error as RecipeError {
                if error.location.line < 1 || error.location.column < 1 || error.message.isEmpty {
                    summary.unlocated.append("case \(index) (\(kind.rawValue)): \(error.headline)")
                }
                summary.rejected += 1
            } catch {
                summary.otherErrors.append("case \(index) (\(kind.rawValue)): \(type(of: error)): \(error)")
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            if seconds > summary.slowest.seconds { summary.slowest = (seconds, kind.rawValue) }
            summary.cases += 1
            if progressEvery > 0, summary.cases % progressEvery == 0 { progress(summary) }
        }
        return summary
    }
}
