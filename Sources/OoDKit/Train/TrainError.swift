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
    /// A resume checkpoint written under another recipe: the differing key paths, each as
    /// `key.path: recorded → now`.
    case recipeChanged(path: String, differences: [String])
    /// The work folder's checkpoints were trained from other `checkpoint:` weights than the
    /// file holds now (`start.json`), or the folder has no record of them.
    case changedStart(folder: String, checkpoint: String, recorded: Bool)
    /// A stage that cannot train split over several ranks, and why.
    case notDataParallel(stage: String, reason: String)

    public var description: String {
        switch self {
        case .nonFiniteLoss(let stage, let step, let term, let value, let last):
            return "stage '\(stage)', step \(step): loss term '\(term)' is \(value); stopped. "
                + (last.map { "The last good checkpoint is \($0)." } ?? "No checkpoint was written before it.")
        case .interrupted(let stage, let step, let checkpoint):
            return "interrupted in stage '\(stage)' after step \(step); resume with --resume \(checkpoint)"
        case .invalidRecipe(let why): return why
        case .changedStart(let folder, let checkpoint, let recorded):
            let why = recorded ? "\(checkpoint) holds other weights than the ones its checkpoints were trained from (\(RunLayout(folder).startRecord))"
                : "its checkpoints come from before train recorded its starting weights, so they may come from other weights than \(checkpoint) holds now"
            return "\(folder): cannot continue: \(why); --fresh starts over on the new weights, --resume CHECKPOINT continues one "
                + "checkpoint as it is, or use another --work-dir"
        case .notDataParallel(let stage, let reason):
            return "stage '\(stage)' cannot train on several ranks: \(reason); train it in one process (pixelood train)"
        case .badResume(let path, let reason): return "\(path): cannot resume: \(reason)"
        case .recipeChanged(let path, let differences):
            let shown = differences.prefix(12).map { "  " + $0 }.joined(separator: "\n")
            let more = differences.count > 12 ? "\n  … and \(differences.count - 12) more" : ""
            return "\(path): cannot resume: it was written under another recipe (recorded → now):\n\(shown)\(more)\n"
                + "Resume with the recipe it records (`pixelood inspect \(path)` prints it), or pass --allow-recipe-change "
                + "to continue its weights and optimizer state under this one."
        }
    }
}
