import Foundation
import Testing
import ModelZoo
import NeuralNet
import OoDKit
import TensorCore

/// A plugin that registers a name the core already has.
enum DuplicatePlugin: Plugin {
    static func register(into registry: inout Registry) throws {
        try registry.scores.register("energy", summary: "again", config: GaussianSmoothing.self) { _, _ in EnergyScore() }
    }
}

/// The core registry, shared by the tests.
let coreRegistry: Registry = {
    do { return try Registry(plugins: []) } catch { fatalError("the core registry does not build: \(error)") }
}()

func build<P>(_ catalog: Catalog<P>, _ yaml: String, seed: UInt64 = 3, segmenter: (any Segmenter)? = nil) throws -> P {
    try catalog.build(try RecipeNode(yaml: yaml, file: "test.yaml"),
                      BuildContext(registry: coreRegistry, rng: SeededGenerator(seed: seed), segmenter: segmenter))
}

@Suite("The registry")
struct RegistryTests {
    @Test("a name registered twice is an error naming the kind and the name")
    func duplicate() {
        #expect(throws: RegistryError.duplicate(kind: "score", name: "energy")) { try Registry(plugins: [DuplicatePlugin.self]) }
    }

    @Test("an unknown name lists the known ones and suggests the nearest, at the type's line and column")
    func unknownName() throws {
        do {
            _ = try build(coreRegistry.segmenters, "type: deeplabv3plus\nbackbone: {type: resnt50}")
            Issue.record("an unknown backbone built")
        } catch let error as RecipeError {
            #expect(error.location.file == "test.yaml" && error.location.line == 2 && error.location.column == 18)
            #expect(error.message == "unknown backbone 'resnt50' (known: mobilenet_v2, resnet101, resnet50, wide_resnet38; did you mean 'resnet50'?)")
        }
    }

    @Test("the core registry lists every kind, each name once, with a summary")
    func listing() {
        let listing = coreRegistry.listing
        #expect(listing.map(\.kind) == ["backbone", "segmenter", "head", "score", "baseline", "loss", "dataset", "optimizer", "schedule"])
        #expect(coreRegistry.scores.names == ["energy", "entropy", "max_logit", "max_softmax"])
        for (_, entries) in listing { for entry in entries { #expect(!entry.summary.isEmpty, "\(entry.name)") } }
    }

    @Test("every registered backbone builds a DeepLabV3+ that segments at its input size, and its featureInfo is honest",
          arguments: coreRegistry.backbones.names)
    func backboneBuilds(_ name: String) throws {
        let model = try build(coreRegistry.segmenters,
                              "{type: deeplabv3plus, num_classes: 7, width_divisor: 16, backbone: {type: \(name), output_stride: 16, width_divisor: 16}}")
        model.eval()
        var rng = SeededGenerator(seed: 1)
        let output = GradMode.noGrad { model(Tensor.normal([1, 3, 64, 96], using: &rng)) }
        #expect(output.logits.shape == [1, 7, 64, 96])
        #expect(output.logits.scalars.allSatisfy { $0.isFinite })
        #expect(Set(model.featureInfo.map(\.name)) == Set(output.features.keys).union(["decoder"]))
        for info in model.featureInfo where info.name != "decoder" {
            #expect(try #require(output.features[info.name]).shape[1] == info.channels, "\(name) \(info.name)")
        }
    }

    @Test("LDN-121 builds from the registry and names the same features")
    func ladder() throws {
        let model = try build(coreRegistry.segmenters, "{type: ldn121, num_classes: 5, width_divisor: 16}")
        model.eval()
        var rng = SeededGenerator(seed: 1)
        let output = GradMode.noGrad { model(Tensor.normal([1, 3, 64, 64], using: &rng)) }
        #expect(output.logits.shape == [1, 5, 64, 64])
        for name in ["low", "out", "context", "decoder"] { #expect(model.featureInfo.contains { $0.name == name }) }
    }

    @Test("the same recipe node and seed build identical weights")
    func deterministic() throws {
        let yaml = "{type: deeplabv3plus, backbone: {type: mobilenet_v2, width_divisor: 8}, width_divisor: 8}"
        let a = try build(coreRegistry.segmenters, yaml, seed: 9).stateDict()
        let b = try build(coreRegistry.segmenters, yaml, seed: 9).stateDict()
        #expect(a.keys == b.keys)
        for key in a.keys { #expect(a[key]?.scalars == b[key]?.scalars) }
    }

    @Test("a loss that needs a segmenter says so when none is attached")
    func noSegmenter() throws {
        do {
            _ = try build(coreRegistry.losses, "cross_entropy")
            Issue.record("built without a segmenter")
        } catch let error as RecipeError {
            #expect(error.message.contains("attaches to a segmenter"))
        }
    }

    @Test("optimizers and schedules build from their nodes with the recipe's values")
    func optimization() throws {
        let factory = try build(coreRegistry.optimizers, "{type: adam, lr: 7.5e-5, weight_decay: 1e-4}")
        #expect(factory.learningRate == 7.5e-5)
        let optimizer = factory([ParameterGroup([Parameter(Tensor.zeros([2]))])])
        #expect((optimizer as? Adam)?.weightDecay == 1e-4)
        let poly = try build(coreRegistry.schedules, "{type: poly, power: 0.9}")
        #expect(poly.factor(iteration: 0, total: 10) == 1 && poly.factor(iteration: 10, total: 10) == 0)
        #expect(throws: RecipeError.self) { try build(coreRegistry.optimizers, "{type: sgd, lr: 0.1, betas: [0.9, 0.99]}") }
    }

    @Test("every registered score builds from its bare name, maps [N,K,H,W] to [N,H,W] and ranks a planted anomaly higher",
          arguments: coreRegistry.scores.names)
    func scoreContract(_ name: String) throws {
        let score = try build(coreRegistry.scores, name)
        var rng = SeededGenerator(seed: 2)
        var values = Tensor.normal([2, 5, 6, 7], using: &rng).scalars
        for n in 0..<2 { for y in 0..<6 { for x in 0..<7 { values[((n * 5) * 6 + y) * 7 + x] += 8 } } }  // class 0 dominates
        for c in 0..<5 { values[((1 * 5 + c) * 6 + 3) * 7 + 4] = 0 }                                   // flat: anomalous
        let map = GradMode.noGrad { score.score(logits: Tensor(shape: [2, 5, 6, 7], values)) }
        #expect(map.shape == [2, 6, 7])
        let scores = map.scalars, planted = scores[(1 * 6 + 3) * 7 + 4]
        #expect(scores.enumerated().allSatisfy { $0.offset == (1 * 6 + 3) * 7 + 4 || $0.element < planted }, "\(name)")
    }

    @Test("docs/recipes.md documents every registered name and every key a config reads")
    func documented() throws {
        let docs = try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../docs/recipes.md").standardized.path, encoding: .utf8)
        for (kind, entries) in coreRegistry.listing {
            for entry in entries { #expect(docs.contains("`\(entry.name)`"), "\(kind) '\(entry.name)' is not in docs/recipes.md") }
        }
        let keys = ["base", "name", "seed", "work_dir", "segmenter", "checkpoint", "data", "stages", "eval", "train", "val",
                    "outliers", "crop_size", "scale_range", "flip", "batch_size", "workers", "minimum_area", "resampling", "camouflage", "split", "trains",
                    "head", "losses", "optimizer", "schedule", "iterations", "lr_multipliers", "prefix", "multiplier",
                    "clip_grad_norm", "checkpoint_every", "datasets", "scores", "backbone", "num_classes", "aspp_channels",
                    "low_level_channels", "width_divisor", "output_stride", "smoothing", "kernel", "sigma", "normalized",
                    "temperature", "weight", "logits", "root", "track", "set", "lr", "momentum", "nesterov", "weight_decay", "betas",
                    "eps", "power", "components", "min_predicted_size", "min_instance_size"]
        for key in keys { #expect(docs.contains("`\(key)`"), "key '\(key)' is not in docs/recipes.md") }
    }
}
