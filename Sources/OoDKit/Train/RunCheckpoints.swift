import Foundation

/// The checkpoints a recipe's run left in its work folder (`<stage>/step_NNNNNN.h5`,
/// `<stage>/final.h5`), for resuming without naming one.
public enum RunCheckpoints {
    /// The checkpoint furthest along the recipe's stages, and whether it ends the last stage;
    /// nil when the folder holds none.
    public static func furthest(in workDir: String, stages: [StageConfig]) -> (path: String, finished: Bool)? {
        let files = FileManager.default
        for (index, stage) in stages.enumerated().reversed() {
            let folder = workDir + "/" + stage.name
            if files.fileExists(atPath: folder + "/final.h5") { return (folder + "/final.h5", index == stages.count - 1) }
            let steps = ((try? files.contentsOfDirectory(atPath: folder)) ?? []).compactMap { name -> (Int, String)? in
                guard name.hasPrefix("step_"), name.hasSuffix(".h5"), let step = Int(name.dropFirst(5).dropLast(3)) else { return nil }
                return (step, name)
            }
            if let last = steps.max(by: { $0.0 < $1.0 }) { return (folder + "/" + last.1, false) }
        }
        return nil
    }
}
