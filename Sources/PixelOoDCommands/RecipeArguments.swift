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

/// `--store DIR` and `--no-store`, shared by `train`, `eval` and `sweep`: where backbone maps
/// are cached (``FeatureStore``), the same on every verb.
struct StoreArguments: ParsableArguments {
    @Option(help: "The feature-store folder backbone maps are cached in (default: <work_dir>/feature-store).")
    var store: String?

    @Flag(help: "Do not read or write the feature store.")
    var noStore = false

    func validate() throws {
        if noStore, store != nil { throw ValidationError("--store and --no-store exclude each other") }
    }

    /// The store folder of a run writing to `workDir`; nil with `--no-store`.
    func directory(workDir: String) -> String? { noStore ? nil : (store ?? RunLayout(workDir).featureStore) }
}
