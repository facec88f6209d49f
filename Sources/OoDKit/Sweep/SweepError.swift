/// Why a sweep cannot run or continue.
public enum SweepError: Error, CustomStringConvertible {
    /// A point's folder holds a run of a different recipe (the sweep file or a recipe changed).
    case changedPoint(name: String, folder: String)
    /// `--only` named a point the sweep does not have.
    case unknownPoint(name: String, known: [String])
    /// A finished point's `point.json` or report cannot be read.
    case unreadableResult(path: String, reason: String)

    public var description: String {
        switch self {
        case .changedPoint(let name, let folder):
            return "point '\(name)': \(folder)/recipe.yaml is another recipe than the one this sweep now gives it "
                + "(the sweep file or a recipe changed); remove \(folder) to run it again, or give the point a new name"
        case .unknownPoint(let name, let known):
            let hint = nearest(name, in: known).map { "; did you mean '\($0)'?" } ?? ""
            return "the sweep has no point '\(name)' (points: \(known.joined(separator: ", "))\(hint))"
        case .unreadableResult(let path, let reason):
            return "\(path): \(reason); remove it to run the point again"
        }
    }
}
