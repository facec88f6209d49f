import Foundation
import NeuralNet
import OoDKit
import TensorCore

/// The files `pixelood fuzz checkpoints` mutates: a small training checkpoint and a
/// feature-store file written by PixelOoD, and optionally a foreign file.
enum CheckpointFuzzTargets {
    static func make(in folder: String, foreign: String?) throws -> [(target: CheckpointFuzzer.Target, sealed: Bool)] {
        var rng = SeededGenerator(seed: 7)
        let registry = CommandContext.registry
        let segmenter = try registry.segmenters.build(
            try RecipeNode(yaml: "{type: deeplabv3plus, num_classes: 5, width_divisor: 32, backbone: {type: mobilenet_v2, width_divisor: 16}}"),
            BuildContext(registry: registry, rng: rng))
        let adam = Adam([ParameterGroup(segmenter.namedParameters(prefix: "segmenter."))])
        var trainer = StateDict()
        trainer.append("step", Tensor(3), dtype: .int64)
        let checkpointPath = folder + "/checkpoint.h5"
        try Checkpoint(model: StateDict.merging([("segmenter", segmenter.stateDict())]), optimizer: adam.stateDict(), trainer: trainer,
                       metadata: CheckpointMetadata(recipe: "seed: 7\n", seed: 7, step: 3, epoch: 1)).save(to: checkpointPath)

        let key = FeatureStoreKey(modelHash: segmenter.stateDict().contentHash, dataset: "fuzz", samples: "-", preprocessing: "-",
                                  features: ["low", "out"])
        let store = FeatureStore(directory: folder + "/store")
        try store.write(key, images: 2) { writer in
            for _ in 0..<2 {
                try writer.append(["low": Tensor.normal([1, 4, 8, 8], using: &rng), "out": Tensor.normal([1, 8, 2, 2], using: &rng)])
            }
        }
        let storeRead: (String) throws -> [String: [Float]] = { path in
            try FileManager.default.removeItem(atPath: store.path(for: key))
            try FileManager.default.copyItem(atPath: path, toPath: store.path(for: key))
            guard let reader = try store.open(key, images: 2) else { throw CocoaError(.fileReadCorruptFile) }
            var contents: [String: [Float]] = [:]
            for image in 0..<2 {
                for (name, map) in try reader.maps(image) { contents["\(image)/\(name)"] = map.scalars + map.shape.map(Float.init) }
            }
            return contents
        }
        let storeBytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: store.path(for: key))))
        var targets: [(CheckpointFuzzer.Target, Bool)] = [
            (.init(name: "checkpoint.h5", bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: checkpointPath))),
                   read: CheckpointFuzzer.readCheckpoint), true),
            (.init(name: "feature-store.h5", bytes: storeBytes, read: storeRead), true),
        ]
        if let foreign {
            targets.append((.init(name: URL(fileURLWithPath: foreign).lastPathComponent,
                                  bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: foreign))),
                                  read: CheckpointFuzzer.readCheckpoint), false))
        }
        return targets
    }
}
