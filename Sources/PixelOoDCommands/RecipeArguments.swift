import ArgumentParser
import OoDKit

/// The recipe argument and its `--set` overrides, shared by `train`, `eval` and `check`.
struct RecipeArguments: ParsableArguments {
    @Argument(help: "The recipe file.")
    var recipe: String

    @Option(name: .customLong("set"), help: "Override one value: key.path=value (YAML), repeatable.")
    var overrides: [String] = []

    /// The recipe with its bases and overrides, decoded and validated.
    func load() throws -> LoadedRecipe { try RecipeLoader.load(recipe, overrides: overrides) }
}

/// `--progress auto|plain|none`, shared by the long-running commands.
struct ProgressArgument: ParsableArguments {
    @Option(help: "Progress: auto (a bar on a terminal, lines otherwise), plain or none.")
    var progress: String = "auto"

    func validate() throws {
        guard ProgressStyle(rawValue: progress) != nil else {
            throw ValidationError("--progress must be one of \(ProgressStyle.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// The chosen style.
    var style: ProgressStyle { ProgressStyle(rawValue: progress) ?? .auto }
}
