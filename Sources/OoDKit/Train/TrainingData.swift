import SceneData
import TensorCore

extension DataConfig {
    /// The training loader of a stage: the recipe's training set, augmentation and
    /// outlier-exposure objects, seeded from the recipe's seed and the stage's index.
    /// - Throws: ``TrainError/invalidRecipe(_:)`` without `data.train` or when `data.outliers` yields no
    ///   object; dataset errors.
    func loader(registry: Registry, context: BuildContext, seed: UInt64, stage: Int) throws -> DataLoader {
        guard let train else { throw TrainError.invalidRecipe("the recipe has no data.train to train on") }
        let dataset = try registry.datasets.build(train, context)
        var objects: [OutlierObject] = []
        if let outliers {
            let coco = try COCOInstances(root: outliers.root, split: outliers.split, minimumArea: outliers.minimumArea)
            objects = try coco.objects.indices.map { try coco.load($0) }
            guard !objects.isEmpty else {
                throw TrainError.invalidRecipe("data.outliers: no object under \(outliers.root) (split \(outliers.split)) has the "
                                               + "minimum_area of \(outliers.minimumArea) pixels; lower minimum_area or check the root")
            }
        }
        let augmentation = Augmentation(cropHeight: cropSize[0], cropWidth: cropSize[1], scaleRange: scaleRange[0]...scaleRange[1], flip: flip,
                                        outlierResampling: outliers?.resampling ?? OutlierExposure.defaultResampling,
                                        outlierCamouflage: outliers?.camouflage ?? 0)
        var rng = SeededGenerator(seed: seed).derived(UInt64(stage) &+ 0x4C4F_4144)
        return try DataLoader(dataset: dataset, batchSize: batchSize, augmentation: augmentation, outliers: objects, seed: rng.next())
    }
}
