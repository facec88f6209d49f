/// Why `pixelood eval` cannot evaluate a recipe as written.
public enum EvalError: Error, CustomStringConvertible, Equatable {
    /// `eval.datasets` is missing or empty.
    case noDatasets
    /// A baseline must be fitted, and the recipe has no `data.train` to fit it on.
    case nothingToFit(baseline: String)
    /// A stage with a head has no `final.h5` to take the head's weights from.
    case untrainedHead(stage: String, checkpoint: String)
    /// `eval.heads` names a head, and there is no checkpoint to take its weights from.
    case noHeadWeights(head: String)
    /// A checkpoint carries no recipe (it was converted, not trained here), so nothing says what model it holds.
    case noRecipeInCheckpoint(path: String)
    /// A one-process entry point called in a group of several processes.
    case notSharded(feature: String, ranks: Int)

    public var description: String {
        switch self {
        case .noDatasets: return "the recipe has no eval.datasets to evaluate on"
        case .nothingToFit(let baseline):
            return "eval.baselines: '\(baseline)' is fitted to data.train, and the recipe has none "
                + "(add data.train, or set eval.baselines: [])"
        case .untrainedHead(let stage, let checkpoint):
            return "stage '\(stage)' has a head, and \(checkpoint) does not exist: train the recipe first (pixelood train)"
        case .noHeadWeights(let head):
            return "eval.heads: '\(head)' takes its weights from the evaluated checkpoint's head. keys, and there is none "
                + "(give --checkpoint or the recipe's checkpoint:)"
        case .notSharded(let feature, let ranks):
            return "\(feature) runs in one process, and the group has \(ranks) ranks: every rank calls Evaluator.runInGroup()"
        case .noRecipeInCheckpoint(let path):
            return "\(path) carries no recipe (a converted checkpoint?): name it as a recipe's checkpoint: and use the "
                + "final.h5 that pixelood train writes, which records its recipe"
        }
    }
}
