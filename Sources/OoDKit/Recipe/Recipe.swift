import SceneData

/// A whole recipe: what to build, how to train it in stages, and what to evaluate.
///
/// ```yaml
/// seed: 666
/// segmenter: {type: deeplabv3plus, backbone: {type: resnet50, output_stride: 8}}
/// data: {train: {type: cityscapes, root: data}, crop_size: [512, 512], batch_size: 8}
/// stages:
///   - name: rpl
///     head: {type: rpl, score: {type: energy, smoothing: {kernel: 7, sigma: 1}}}
///     losses: [{type: rpl.energy}, {type: corocl, tau: 0.1}]
///     optimizer: {type: adam, lr: 7.5e-5, weight_decay: 1e-4}
/// ```
/// Every key is documented in `docs/recipes.md`.
public struct Recipe: RecipeConfig {
    /// A name for reports and the default work folder.
    public var name: String?
    /// The seed every random choice derives from.
    public var seed: UInt64
    /// Where checkpoints, logs and reports go (default `runs/<name>`).
    public var workDir: String?
    /// The segmenter every stage starts from.
    public var segmenter: RecipeNode
    /// Initial segmenter weights (a checkpoint whose `segmenter.` keys are loaded).
    public var checkpoint: String?
    /// Training and outlier data.
    public var data: DataConfig?
    /// Training stages, run in order; each starts from the previous stage's result.
    public var stages: [StageConfig]
    /// What `pixelood eval` measures.
    public var eval: EvalConfig?

    enum CodingKeys: String, CodingKey { case name, seed, workDir = "work_dir", segmenter, checkpoint, data, stages, eval }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        seed = try c.value(.seed, default: 666)
        workDir = try c.decodeIfPresent(String.self, forKey: .workDir)
        segmenter = try c.decode(RecipeNode.self, forKey: .segmenter)
        checkpoint = try c.decodeIfPresent(String.self, forKey: .checkpoint)
        data = try c.decodeIfPresent(DataConfig.self, forKey: .data)
        stages = try c.value(.stages, default: [])
        eval = try c.decodeIfPresent(EvalConfig.self, forKey: .eval)
    }

    public func validate() throws {
        var names: Set<String> = []
        for stage in stages where !names.insert(stage.name).inserted {
            throw ConfigError(key: "stages", "two stages are named '\(stage.name)'")
        }
    }
}

/// `data:` — the training set, the outlier-exposure objects and the augmentation.
public struct DataConfig: RecipeConfig {
    /// The inlier training set (a dataset node).
    public var train: RecipeNode?
    /// The inlier validation set, for mIoU.
    public var val: RecipeNode?
    /// A COCO-layout folder of outlier objects to paste (`{root: data/coco, split: train2017}`).
    public var outliers: OutlierConfig?
    /// Crop height and width.
    public var cropSize: [Int]
    /// Random rescaling range before cropping.
    public var scaleRange: [Float]
    /// Random horizontal flips.
    public var flip: Bool
    /// Images per batch.
    public var batchSize: Int
    /// Loader threads.
    public var workers: Int

    enum CodingKeys: String, CodingKey {
        case train, val, outliers, cropSize = "crop_size", scaleRange = "scale_range", flip, batchSize = "batch_size", workers
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        train = try c.decodeIfPresent(RecipeNode.self, forKey: .train)
        val = try c.decodeIfPresent(RecipeNode.self, forKey: .val)
        outliers = try c.decodeIfPresent(OutlierConfig.self, forKey: .outliers)
        cropSize = try c.value(.cropSize, default: [700, 700])
        scaleRange = try c.value(.scaleRange, default: [0.5, 2.0])
        flip = try c.value(.flip, default: true)
        batchSize = try c.value(.batchSize, default: 8)
        workers = try c.value(.workers, default: 2)
    }

    public func validate() throws {
        guard cropSize.count == 2, cropSize.allSatisfy({ (8...8192).contains($0) }) else {
            throw ConfigError(key: "crop_size", "must be [height, width], each 8 to 8192, got \(cropSize)")
        }
        guard scaleRange.count == 2, scaleRange[0] > 0, scaleRange[0] <= scaleRange[1], scaleRange[1] <= 16 else {
            throw ConfigError(key: "scale_range", "must be [min, max] with 0 < min <= max <= 16, got \(scaleRange)")
        }
        guard (1...4096).contains(batchSize) else { throw ConfigError(key: "batch_size", "must be 1 to 4096, got \(batchSize)") }
        guard (0...64).contains(workers) else { throw ConfigError(key: "workers", "must be 0 to 64, got \(workers)") }
    }
}

/// `outliers:` — a COCO-layout folder of outlier objects.
public struct OutlierConfig: RecipeConfig {
    /// The folder (`annotations/instances_<split>.json`, `<split>/`).
    public var root: String
    /// The split.
    public var split: String
    /// Objects smaller than this many pixels are skipped.
    public var minimumArea: Double
    /// How a pasted object's image is resampled to its drawn scale.
    public var resampling: OutlierExposure.Resampling
    /// Probability that a pasted object takes the colour of its surroundings, as half the
    /// synthetic test anomalies are drawn (0, the official paste, by default).
    public var camouflage: Float

    enum CodingKeys: String, CodingKey { case root, split, minimumArea = "minimum_area", resampling, camouflage }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        root = try c.decode(String.self, forKey: .root)
        split = try c.value(.split, default: "train2017")
        minimumArea = try c.value(.minimumArea, default: 1000)
        resampling = try c.value(.resampling, default: OutlierExposure.defaultResampling)
        camouflage = try c.value(.camouflage, default: 0)
    }

    public func validate() throws {
        guard (0...1).contains(camouflage) else { throw ConfigError(key: "camouflage", "must be a probability in [0, 1], got \(camouflage)") }
    }
}

/// `eval:` — the sets and scores `pixelood eval` measures.
public struct EvalConfig: RecipeConfig {
    /// Anomaly test sets (dataset nodes).
    public var datasets: [RecipeNode]
    /// Scores on the segmenter's logits (score nodes).
    public var scores: [RecipeNode]
    /// Image-only baselines fitted to `data.train` (baseline nodes); `[colour_rarity]` when
    /// absent, so every table has its floor; `[]` turns them off.
    public var baselines: [RecipeNode]
    /// SMIYC component metrics on every set, when given.
    public var components: ComponentsConfig?
    /// Heads whose weights are the evaluated checkpoint's `head.` keys (a released model with
    /// its head, e.g. DenseHybrid's), beside the stages' trained heads.
    public var heads: [RecipeNode]

    enum CodingKeys: String, CodingKey { case datasets, scores, baselines, components, heads }

    /// The baselines of a recipe that names none.
    public static let defaultBaselines = ["colour_rarity"]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        datasets = try c.value(.datasets, default: [])
        scores = try c.value(.scores, default: [])
        baselines = try c.decodeIfPresent([RecipeNode].self, forKey: .baselines)
            ?? Self.defaultBaselines.map { try RecipeNode(yaml: $0, file: "<default baselines>") }
        components = try c.decodeIfPresent(ComponentsConfig.self, forKey: .components)
        heads = try c.value(.heads, default: [])
    }
}

/// `components: {min_predicted_size: 500, min_instance_size: 100}` — SMIYC's component-level
/// metrics (sIoU, PPV, mean F1) at each score's pixel-level best-F1 threshold. The defaults
/// are the Anomaly track's; the Obstacle track uses 50 and 10.
public struct ComponentsConfig: RecipeConfig {
    /// Predicted components smaller than this are dropped.
    public var minimumPredictedSize: Int
    /// Ground-truth components smaller than this become void.
    public var minimumInstanceSize: Int

    enum CodingKeys: String, CodingKey { case minimumPredictedSize = "min_predicted_size", minimumInstanceSize = "min_instance_size" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        minimumPredictedSize = try c.value(.minimumPredictedSize, default: 500)
        minimumInstanceSize = try c.value(.minimumInstanceSize, default: 100)
    }

    public func validate() throws {
        guard minimumPredictedSize >= 0 else { throw ConfigError(key: "min_predicted_size", "must be at least 0") }
        guard minimumInstanceSize >= 0 else { throw ConfigError(key: "min_instance_size", "must be at least 0") }
    }
}
