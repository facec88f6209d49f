import Foundation

/// The checkpoints a recipe's run left in its work folder (``RunLayout``: `<stage>/step_NNNNNN.h5`,
/// `<stage>/final.h5`), for resuming without naming one.
package enum RunCheckpoints {
    /// The checkpoint furthest along the recipe's stages, and whether it ends the last stage;
    /// nil when the folder holds none.
    package static func furthest(in workDir: String, stages: [StageConfig]) -> (path: String, finished: Bool)? {
        let layout = RunLayout(workDir)
        for (index, stage) in stages.enumerated().reversed() {
            if FileManager.default.fileExists(atPath: layout.final(stage.name)) { return (layout.final(stage.name), index == stages.count - 1) }
            if let last = steps(layout, stage.name).max() { return (layout.checkpoint(stage.name, step: last), false) }
        }
        return nil
    }

    /// Every checkpoint of the recipe's stages in the folder (`train --fresh` removes them).
    package static func all(in workDir: String, stages: [StageConfig]) -> [String] {
        let layout = RunLayout(workDir)
        return stages.flatMap { stage -> [String] in
            let final = FileManager.default.fileExists(atPath: layout.final(stage.name)) ? [layout.final(stage.name)] : []
            return steps(layout, stage.name).sorted().map { layout.checkpoint(stage.name, step: $0) } + final
        }
    }

    /// The steps of one stage's `step_NNNNNN.h5` files.
    private static func steps(_ layout: RunLayout, _ stage: String) -> [Int] {
        ((try? FileManager.default.contentsOfDirectory(atPath: layout.stageFolder(stage))) ?? []).compactMap(RunLayout.step(ofCheckpointNamed:))
    }
}
