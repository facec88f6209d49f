/// Why `pixelood eval` cannot evaluate a recipe as written.
public enum EvalError: Error, CustomStringConvertible, Equatable {
    /// `eval.datasets` is missing or empty.
    case noDatasets
    /// A baseline must be fitted, and the recipe has no `data.train` to fit it on.
    case nothingToFit(baseline: String)

    public var description: String {
        switch self {
        case .noDatasets: return "the recipe has no eval.datasets to evaluate on"
        case .nothingToFit(let baseline):
            return "eval.baselines: '\(baseline)' is fitted to data.train, and the recipe has none "
                + "(add data.train, or set eval.baselines: [])"
        }
    }
}
