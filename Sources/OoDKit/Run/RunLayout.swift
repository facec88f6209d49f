import Foundation

/// Every folder and file name of a run under its work folder, in one place:
///
/// ```
/// <work_dir>/<stage>/log.jsonl            every loss term per step
/// <work_dir>/<stage>/step_NNNNNN.h5       a checkpoint every checkpoint_every steps
/// <work_dir>/<stage>/final.h5             the stage's last checkpoint
/// <work_dir>/eval/                        report.md, report.json, report.html
/// <work_dir>/feature-store/               cached backbone maps
/// <work_dir>/recipe.yaml                  a sweep point's resolved recipe
/// <work_dir>/start.json                   a sweep point's starting checkpoint and its weights' hash
/// <work_dir>/point.json                   a finished sweep point's result
/// ```
public struct RunLayout: Sendable, Equatable {
    /// The run's work folder.
    public let workDir: String

    /// The layout under `workDir`.
    public init(_ workDir: String) { self.workDir = workDir }

    /// A stage's folder.
    public func stageFolder(_ stage: String) -> String { workDir + "/" + stage }
    /// A stage's last checkpoint.
    public func final(_ stage: String) -> String { stageFolder(stage) + "/final.h5" }
    /// A stage's checkpoint after `step` steps (not the last).
    public func checkpoint(_ stage: String, step: Int) -> String { stageFolder(stage) + "/" + String(format: "step_%06d.h5", step) }
    /// A stage's training log.
    public func log(_ stage: String) -> String { stageFolder(stage) + "/log.jsonl" }
    /// Where `eval` writes its report.
    public var evalFolder: String { workDir + "/eval" }
    /// A sweep point's resolved recipe, written when it first runs.
    public var resolvedRecipe: String { workDir + "/recipe.yaml" }
    /// A finished sweep point's result (the marker that a resumed sweep skips it).
    public var pointResult: String { workDir + "/point.json" }
    /// A sweep point's record of the checkpoint it started from.
    public var startRecord: String { workDir + "/start.json" }
    /// The feature store's default folder.
    public var featureStore: String { workDir + "/feature-store" }

    /// The step of a checkpoint file named as ``checkpoint(_:step:)`` names them
    /// (`step_NNNNNN.h5`); nil for any other name.
    public static func step(ofCheckpointNamed name: String) -> Int? {
        guard name.hasPrefix("step_"), name.hasSuffix(".h5"), let step = Int(name.dropFirst(5).dropLast(3)), step >= 0,
              name == String(format: "step_%06d.h5", step) else { return nil }
        return step
    }
}
