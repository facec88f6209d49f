import ArgumentParser
import Foundation
import NeuralNet
import OoDKit
import TensorCore

/// `pixelood inspect ckpt.h5`: what a checkpoint holds — keys, shapes, dtypes, parameter
/// counts per top-level module, and the recorded attributes (toolkit version, recipe).
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List a checkpoint's tensors, parameter counts and recorded recipe.")

    @Argument(help: "An HDF5 checkpoint (PixelOoD's, or one made by scripts/convert_checkpoint.py).")
    var checkpoint: String

    @Option(help: "Show only keys starting with this prefix (e.g. segmenter.aspp).")
    var prefix = ""

    @Flag(help: "Print the summary only, not one line per tensor.")
    var summary = false

    @Option(help: ArgumentHelp("Check the keys against this recipe's segmenter and heads (the stages' and eval.heads): "
                               + "report every key a strict load would refuse; exit 1 if any.", valueName: "recipe"))
    var against: String?

    func run() throws {
        let loaded = try Checkpoint.load(from: checkpoint)  // errors name the file and what is wrong with it
        let state = loaded.model
        let entries = state.entries.filter { $0.key.hasPrefix(prefix) }
        if !summary {
            let width = min(80, entries.map(\.key.count).max() ?? 0)
            for entry in entries {
                let shape = "[" + entry.tensor.shape.map(String.init).joined(separator: ", ") + "]"
                print(entry.key.padding(toLength: max(width, entry.key.count), withPad: " ", startingAt: 0)
                      + "  " + shape.padding(toLength: 22, withPad: " ", startingAt: 0) + "  " + entry.dtype.rawValue)
            }
            print("")
        }
        // Counts per top-level module, in first-appearance order (never dictionary order).
        let floats = entries.filter { $0.dtype == .float32 }
        print("\(entries.count) tensors, \(floats.reduce(0) { $0 + $1.tensor.count }) float elements")
        var selected = StateDict()
        for entry in floats { selected.append(entry.key, entry.tensor) }
        for root in selected.roots {
            let part = selected.entries.filter { $0.key == root || $0.key.hasPrefix(root + ".") }
            let elements = part.reduce(0) { $0 + $1.tensor.count }
            print("  \(root): \(part.count) tensors, \(String(format: "%.2f", Double(elements) / 1e6)) M elements")
        }
        let metadata = loaded.metadata
        print("format_version: \(metadata.formatVersion), toolkit_version: \(metadata.toolkitVersion), "
              + "seed: \(metadata.seed), step: \(metadata.step), epoch: \(metadata.epoch)")
        if !metadata.source.isEmpty { print("source: \(metadata.source)") }
        if !metadata.recipe.isEmpty { print("recipe:\n" + metadata.recipe) }
        if let line = classifierMargin(state, metadata: metadata) { print(line) }
        if let against {
            let report = try LoadCheck.report(state, file: checkpoint, recipe: try RecipeLoader.load(against).compiled(CommandContext.registry))
            print("\nagainst \(against):\n" + report.lines.joined(separator: "\n"))
            if !report.loads { throw ExitCode(1) }
        }
    }

    /// The segmenter's ``ClassifierMargin`` line, built from `--against` or the recorded
    /// recipe; nil when the checkpoint has no segmenter or no recipe says which it is.
    func classifierMargin(_ state: StateDict, metadata: CheckpointMetadata) -> String? {
        let segmenterState = state.scoped("segmenter")
        guard !segmenterState.keys.isEmpty else { return nil }
        do {
            let loaded: LoadedRecipe
            if let against { loaded = try RecipeLoader.load(against) }
            else if !metadata.recipe.isEmpty { loaded = try RecipeLoader.recorded(metadata.recipe, file: checkpoint + " (recorded recipe)") }
            else { return "classifier margin: the checkpoint records no recipe; --against RECIPE names its segmenter" }
            let segmenter = try loaded.compiled(CommandContext.registry).model().segmenter
            try segmenter.load(segmenterState, strict: true, source: checkpoint)
            guard let readout = segmenter.classifierReadout else { return "classifier margin: \(segmenter.typeName) does not describe its classifier" }
            return ClassifierMargin(readout, keyPrefix: "segmenter.").summary
                + (readout.readsNonNegativeFeatures ? "" : " (its inputs can be negative: the margin bounds nothing)")
        } catch {
            return "classifier margin: not computed: \(error)"
        }
    }
}
