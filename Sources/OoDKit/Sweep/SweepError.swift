/// Why a sweep cannot run or continue.
public enum SweepError: Error, Equatable, CustomStringConvertible {
    /// A point's folder holds a run of a different recipe (the sweep file or a recipe changed).
    case changedPoint(name: String, folder: String)
    /// The checkpoint a point's results were made from holds other weights now.
    case changedStart(name: String, folder: String, checkpoint: String)
    /// A point's folder holds results but no record of the checkpoint they started from
    /// (written before sweeps recorded it).
    case unrecordedStart(name: String, folder: String, checkpoint: String)
    /// `--only` named a point the sweep does not have.
    case unknownPoint(name: String, known: [String])
    /// A finished point's `point.json` or report cannot be read.
    case unreadableResult(path: String, reason: String)
    /// A run takes a result (`{point:NAME}`) from a run that did not finish.
    case upstreamUnfinished(name: String, upstream: String)
    /// Runs of a sweep across ranks failed (each with its error); the others finished.
    case failedRuns([String])

    public var description: String {
        switch self {
        case .upstreamUnfinished(let name, let upstream):
            return "point '\(name)': the run it takes a result from did not finish (\(RunLayout(upstream).pointResult) is missing)"
        case .failedRuns(let failures):
            return "\(failures.count) run(s) failed, the others finished:\n  " + failures.joined(separator: "\n  ")
        case .changedPoint(let name, let folder):
            return "point '\(name)': \(RunLayout(folder).resolvedRecipe) is another recipe than the one this sweep now gives it "
                + "(the sweep file or a recipe changed); remove \(folder) to run it again, or give the point a new name"
        case .changedStart(let name, let folder, let checkpoint):
            return "point '\(name)': \(checkpoint) holds other weights than the ones \(folder) was trained and evaluated on "
                + "(\(RunLayout(folder).startRecord)); remove \(folder) to run the point on the new weights, or use another --work-dir"
        case .unrecordedStart(let name, let folder, let checkpoint):
            return "point '\(name)': \(folder) holds results from before sweeps recorded their starting checkpoint, so they may "
                + "come from other weights than \(checkpoint) holds now; remove \(folder) to run the point again, or use another --work-dir"
        case .unknownPoint(let name, let known):
            let hint = nearest(name, in: known).map { "; did you mean '\($0)'?" } ?? ""
            return "the sweep has no point '\(name)' (points: \(known.joined(separator: ", "))\(hint))"
        case .unreadableResult(let path, let reason):
            return "\(path): \(reason); remove it to run the point again"
        }
    }
}
