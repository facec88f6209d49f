/// Why training stopped early. Each names the stage and step; the last good checkpoint on
/// disk is never touched by the failing step.
public enum TrainError: Error, CustomStringConvertible, Equatable {
    /// A loss term was NaN or infinite.
    case nonFiniteLoss(stage: String, step: Int, term: String, value: Float, lastCheckpoint: String?)
    /// Ctrl-C: a checkpoint of the last finished step was written.
    case interrupted(stage: String, step: Int, checkpoint: String)
    /// The recipe cannot be trained as written (no training data, no optimizer, …).
    case invalidRecipe(String)
    /// A resume checkpoint that does not belong to this recipe.
    case badResume(path: String, reason: String)

    public var description: String {
        switch self {
        case .nonFiniteLoss(let stage, let step, let term, let value, let last):
            return "stage '\(stage)', step \(step): loss term '\(term)' is \(value); stopped. "
                + (last.map { "The last good checkpoint is \($0)." } ?? "No checkpoint was written before it.")
        case .interrupted(let stage, let step, let checkpoint):
            return "interrupted in stage '\(stage)' after step \(step); resume with --resume \(checkpoint)"
        case .invalidRecipe(let why): return why
        case .badResume(let path, let reason): return "\(path): cannot resume: \(reason)"
        }
    }
}
