import Foundation
import OoDKit
import SceneData

/// A tiny synthetic world (128x64, 4 training scenes, one image per anomaly set) in a
/// scratch folder, and recipes that train a narrow DeepLabV3+ (MobileNetV2, 32x32 crops,
/// batch 2) on it: the trainer, evaluator and plugin tests share it.
public struct TrainingFixture {
    /// The scratch folder: `data/` (the world), `run/` (the recipes' work dir).
    public let folder: URL
    /// The core entries plus the test's plugins.
    public let registry: Registry

    /// Writes the world and builds the registry with `plugins`.
    public init(plugins: [any Plugin.Type]) throws {
        folder = try scratchDirectory("train")
        // Seed 8 at 128x64: each set's one image keeps an anomaly above the minimum visible size.
        try SyntheticWorld(width: 128, height: 64, seed: 8).write(to: folder.appendingPathComponent("data").path,
                                                                 counts: .init(train: 4, val: 1, outliers: 2, perAnomalySet: 1))
        registry = try Registry(plugins: plugins)
    }

    /// Writes and loads `recipe.yaml`: the shared segmenter and data, `extra` top-level
    /// sections, then `stages` (YAML list items).
    public func recipe(_ stages: String, extra: String = "") throws -> LoadedRecipe {
        let text = """
            seed: 5
            work_dir: \(folder.path)/run
            segmenter:
              type: deeplabv3plus
              width_divisor: 16
              backbone: {type: mobilenet_v2, width_divisor: 8, output_stride: 16}
            data:
              train: {type: cityscapes, root: \(folder.path)/data/cityscapes, split: train}
              crop_size: [32, 32]
              batch_size: 2
              workers: 1
            \(extra)
            stages:
            \(stages)
            """
        let path = folder.appendingPathComponent("recipe.yaml").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return try RecipeLoader.load(path)
    }

    /// A 5-step segmenter stage `seg` (Adam, cross-entropy, a checkpoint every 2 steps).
    public static let segmenterStage = """
          - name: seg
            losses: [{type: cross_entropy}]
            optimizer: {type: adam, lr: 0.001}
            iterations: 5
            checkpoint_every: 2
        """

    /// The lines of a stage's `log.jsonl`, wall times removed.
    public func logLines(_ stage: String) throws -> [String] {
        try String(contentsOfFile: folder.path + "/run/\(stage)/log.jsonl", encoding: .utf8).split(separator: "\n")
            .map { $0.replacingOccurrences(of: #""seconds": [0-9.]+"#, with: "", options: .regularExpression) }
    }
}
