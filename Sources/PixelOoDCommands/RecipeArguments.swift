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

/// `--metrics-memory SIZE`, shared by `eval` and `sweep`: the memory the exact pixel metrics
/// of one dataset may hold before their sorted score runs spill to temporary files (in
/// `$TMPDIR`; the numbers are the same either way).
struct MetricsMemoryArgument: ParsableArguments {
    @Option(help: ArgumentHelp("Memory for one set's exact pixel metrics before sorted score runs spill to temporary files in $TMPDIR "
                               + "(same numbers either way): bytes, or with K, M or G (powers of 1024).", valueName: "size"))
    var metricsMemory: String = "1G"

    func validate() throws {
        guard Self.bytes(metricsMemory) != nil else {
            throw ValidationError("--metrics-memory '\(metricsMemory)' is not a size (e.g. 1073741824, 512M, 2G)")
        }
    }

    /// The budget in bytes.
    var bytes: Int { Self.bytes(metricsMemory) ?? EvalOptions.defaultMetricsMemoryBytes }

    /// `text` as bytes: digits, optionally followed by K, M or G (powers of 1024); nil otherwise.
    static func bytes(_ text: String) -> Int? {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        let unit = text.last.flatMap { units[Character($0.uppercased())] }
        guard let count = Int(unit == nil ? text : String(text.dropLast())), count >= 0 else { return nil }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: unit ?? 1)
        return overflow ? nil : bytes
    }
}
