import Foundation

/// The checkpoints a recipe's run left in its work folder (`<stage>/step_NNNNNN.h5`,
/// `<stage>/final.h5`), for resuming without naming one.
public enum RunCheckpoints {
    /// The checkpoint furthest along the recipe's stages, and whether it ends the last stage;
    /// nil when the folder holds none.
    public static func furthest(in workDir: String, stages: [StageConfig]) -> (path: String, finished: Bool)? {
        for (index, stage) in stages.enumerated().reversed() {
            let folder = workDir + "/" + stage.name
            if FileManager.default.fileExists(atPath: folder + "/final.h5") { return (folder + "/final.h5", index == stages.count - 1) }
            if let last = stepFiles(in: folder).max(by: { $0.step < $1.step }) { return (folder + "/" + last.name, false) }
        }
        return nil
    }

    /// Every checkpoint of the recipe's stages in the folder (`train --fresh` removes them).
    public static func all(in workDir: String, stages: [StageConfig]) -> [String] {
        stages.flatMap { stage -> [String] in
            let folder = workDir + "/" + stage.name
            let final = FileManager.default.fileExists(atPath: folder + "/final.h5") ? [folder + "/final.h5"] : []
            return stepFiles(in: folder).sorted { $0.step < $1.step }.map { folder + "/" + $0.name } + final
        }
    }

    /// The `step_NNNNNN.h5` files of one stage folder.
    private static func stepFiles(in folder: String) -> [(step: Int, name: String)] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).compactMap { name in
            guard name.hasPrefix("step_"), name.hasSuffix(".h5"), let step = Int(name.dropFirst(5).dropLast(3)) else { return nil }
            return (step, name)
        }
    }
}
