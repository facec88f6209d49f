import Testing
import MetaOoD
import ModelZoo
import OoDKit
import SceneData
import TensorCore
import PixelOoDTestSupport

@Suite("Meta-OoD's soft-target loss against PyTorch")
struct MetaOoDLossTests {
    @Test("value and gradient agree with scripts/fixtures/losses.py to 1e-5 (λ 0.9, λ 0.5, no outliers)",
          arguments: [("meta_ood", "meta_ood", "/labels"), ("meta_ood_l05", "{type: meta_ood, lambda: 0.5}", "/labels"),
                      ("meta_ood_none", "meta_ood", "/labels_none")])
    func agrees(_ name: String, _ yaml: String, _ labels: String) throws {
        let fixture = try Fixture("losses.h5")
        let logits = try fixture.tensor("/logits").requiringGrad()
        let n = logits.shape[0]
        let batch = TrainingBatch(images: Tensor.zeros([n, 3, 1, 1]), labels: try fixture.indices(labels), pasted: Array(repeating: true, count: n))
        let registry = try Registry(plugins: [MetaOoDPlugin.self])
        let term = try registry.losses.build(try RecipeNode(yaml: yaml), BuildContext(registry: registry, rng: SeededGenerator(seed: 0)))
        #expect(term.name == "meta_ood")
        let value = try term(batch, SegmenterOutput(logits: logits, decoderFeatures: Tensor.zeros([n, 1, 1, 1]), features: [:]), HeadOutput())
        expectClose(value, try fixture.tensor("/" + name), tolerance: 1e-5, name)
        value.backward()
        expectClose(try #require(logits.grad), try fixture.tensor("/\(name)_grad"), tolerance: 1e-5, name + " gradient")
    }

    @Test("outlier_images: crops and whole outlier images as one set of samples agree with PyTorch to 1e-5; without it the images are not read")
    func outlierImages() throws {
        let fixture = try Fixture("losses.h5")
        let logits = try fixture.tensor("/logits").requiringGrad(), contextLogits = try fixture.tensor("/context_logits").requiringGrad()
        let n = logits.shape[0]
        let contextLabels = try fixture.indices("/context_labels")
        let batch = TrainingBatch(images: Tensor.zeros([n, 3, 1, 1]), labels: try fixture.indices("/labels"), pasted: Array(repeating: true, count: n),
                                  contextImages: Tensor.zeros([n, 3, 1, 1]), contextLabels: contextLabels)
        let registry = try Registry(plugins: [MetaOoDPlugin.self])
        let context = BuildContext(registry: registry, rng: SeededGenerator(seed: 0))
        let term = try registry.losses.build(try RecipeNode(yaml: "{type: meta_ood, outlier_images: true}"), context)
        let plain = try registry.losses.build(try RecipeNode(yaml: "meta_ood"), context)
        #expect(term.readsContext(batch) && !plain.readsContext(batch))
        let features = Tensor.zeros([n, 1, 1, 1])
        let seg = SegmenterOutput(logits: logits, decoderFeatures: features, features: [:])
        let images = ContextForward(labels: contextLabels, segmenter: SegmenterOutput(logits: contextLogits, decoderFeatures: features, features: [:]),
                                    head: HeadOutput())
        let value = try term(batch, seg, HeadOutput(), context: images)
        expectClose(value, try fixture.tensor("/meta_ood_images"), tolerance: 1e-5, "meta_ood_images")
        value.backward()
        expectClose(try #require(logits.grad), try fixture.tensor("/meta_ood_images_grad"), tolerance: 1e-5, "d/d crop logits")
        expectClose(try #require(contextLogits.grad), try fixture.tensor("/meta_ood_images_context_grad"), tolerance: 1e-5, "d/d image logits")
    }

    @Test("a label outside the classes and a λ outside [0, 1] are errors naming the term and key")
    func errors() throws {
        let logits = Tensor.zeros([1, 3, 1, 2])
        let batch = TrainingBatch(images: Tensor.zeros([1, 3, 1, 1]), labels: IndexTensor(shape: [1, 1, 2], [0, 7]), pasted: [false])
        let seg = SegmenterOutput(logits: logits, decoderFeatures: Tensor.zeros([1, 1, 1, 1]), features: [:])
        #expect(throws: LossError.self) { try MetaOoDLoss()(batch, seg, HeadOutput()) }
        let registry = try Registry(plugins: [MetaOoDPlugin.self])
        #expect(throws: RecipeError.self) {
            try registry.losses.build(try RecipeNode(yaml: "{type: meta_ood, lambda: 1.5}"), BuildContext(registry: registry, rng: SeededGenerator(seed: 0)))
        }
    }

    @Test("the loss's shares on 2 ranks add up to its value on the whole batch, gradients alike (data-parallel)")
    func sharesAddUp() throws {
        let term = MetaOoDLoss(logits: .segmenter)
        #expect(term.splitsOverShards)
        let (batch, segmenter, head) = LossShares.randomInputs(seed: 6)
        let shares = try LossShares(term, batch: batch, segmenterLogits: segmenter, headLogits: head, ranks: 2)
        #expect(abs(shares.summed - shares.whole) <= 1e-5 * (1 + abs(shares.whole)), "\(shares.summed) against \(shares.whole)")
        for (shared, whole) in zip(shares.sharedGradients, shares.wholeGradients) { expectClose(shared, whole, tolerance: 1e-5, "meta_ood") }
    }
}

