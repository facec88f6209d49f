import Testing
import ModelZoo
import OoDKit
import RPL
import SceneData
import TensorCore
import PixelOoDTestSupport

@Suite("CoroCL against PyTorch")
struct CoroCLLossTests {
    /// The fixture's draws of one case, by kind.
    static func draws(_ fixture: Fixture, _ group: String) throws -> [CoroCLLoss.Kind: [Int]] {
        let names: [(CoroCLLoss.Kind, String)] = [(.cropOutlier, "crop_outlier"), (.cropInlier, "crop_inlier"),
                                                 (.contextOutlier, "context_outlier"), (.contextInlier, "context_inlier")]
        var draws: [CoroCLLoss.Kind: [Int]] = [:]
        for (kind, name) in names { draws[kind] = try fixture.indices(group + "draws/" + name).values.map(Int.init) }
        return draws
    }

    /// The fixture's embeddings (leaves) and labels as a batch, a head output and a context forward.
    static func inputs(_ fixture: Fixture) throws -> (TrainingBatch, HeadOutput, ContextForward, Tensor, Tensor) {
        let embeddings = try fixture.tensor("/corocl/embeddings").requiringGrad()
        let contextEmbeddings = try fixture.tensor("/corocl/context_embeddings").requiringGrad()
        let labels = try fixture.indices("/corocl/labels"), contextLabels = try fixture.indices("/corocl/context_labels")
        let pasted = try fixture.indices("/corocl/pasted").values.map { $0 == 1 }
        let n = labels.shape[0]
        let batch = TrainingBatch(images: Tensor.zeros([n, 3, 1, 1]), labels: labels, pasted: pasted,
                                  contextImages: Tensor.zeros([n, 3, 1, 1]), contextLabels: contextLabels)
        let none = SegmenterOutput(logits: Tensor.zeros([n, 1, 1, 1]), decoderFeatures: Tensor.zeros([n, 1, 1, 1]), features: [:])
        let context = ContextForward(labels: contextLabels, segmenter: none, head: HeadOutput(embeddings: contextEmbeddings))
        return (batch, HeadOutput(embeddings: embeddings), context, embeddings, contextEmbeddings)
    }

    @Test("the loss and its gradients with respect to both embeddings agree with scripts/fixtures/rpl.py to 1e-5 (draws passed in)",
          arguments: [512, 3])
    func agrees(_ maxViews: Int) throws {
        let fixture = try Fixture("rpl.h5")
        let group = "/corocl/max_views_\(maxViews)/"
        let (batch, head, context, embeddings, contextEmbeddings) = try Self.inputs(fixture)
        let loss = CoroCLLoss(maxViews: maxViews, sampling: .fixed(try Self.draws(fixture, group)))
        let none = SegmenterOutput(logits: Tensor.zeros([3, 1, 1, 1]), decoderFeatures: Tensor.zeros([3, 1, 1, 1]), features: [:])
        #expect(loss.readsContext(batch), "two of three crops are pasted")
        let value = try loss(batch, none, head, context: context)
        expectClose(value, try fixture.tensor(group + "loss"), tolerance: 1e-5, "loss")
        value.backward()
        expectClose(try #require(embeddings.grad), try fixture.tensor(group + "grad"), tolerance: 1e-5, "d/d crop embeddings")
        expectClose(try #require(contextEmbeddings.grad), try fixture.tensor(group + "context_grad"), tolerance: 1e-5,
                    "d/d context embeddings")
    }

    @Test("the anchor and contrast set options (all/all, crop/crop) agree with scripts/fixtures/rpl.py on the same draws; all anchors need all contrast",
          arguments: [(CoroCLLoss.PixelSet.all, CoroCLLoss.PixelSet.all), (.crop, .crop)])
    func pixelSets(_ anchors: CoroCLLoss.PixelSet, _ contrast: CoroCLLoss.PixelSet) throws {
        let fixture = try Fixture("rpl.h5")
        let group = "/corocl/max_views_512/", variant = group + "anchors_\(anchors.rawValue)_contrast_\(contrast.rawValue)/"
        let (batch, head, context, embeddings, contextEmbeddings) = try Self.inputs(fixture)
        let loss = CoroCLLoss(anchors: anchors, contrast: contrast, sampling: .fixed(try Self.draws(fixture, group)))
        let none = SegmenterOutput(logits: Tensor.zeros([3, 1, 1, 1]), decoderFeatures: Tensor.zeros([3, 1, 1, 1]), features: [:])
        let value = try loss(batch, none, head, context: context)
        expectClose(value, try fixture.tensor(variant + "loss"), tolerance: 1e-5, "loss")
        value.backward()
        expectClose(try #require(embeddings.grad), try fixture.tensor(variant + "grad"), tolerance: 1e-5, "d/d crop embeddings")
        let contextGrad = try fixture.tensor(variant + "context_grad")
        if let grad = contextEmbeddings.grad {
            expectClose(grad, contextGrad, tolerance: 1e-5, "d/d context embeddings")
        } else {
            #expect(contrast == .crop && contextGrad.scalars.allSatisfy { $0 == 0 }, "crop contrast never reads the context rows")
        }
        let registry = try Registry(plugins: [RPLPlugin.self])
        let context2 = BuildContext(registry: registry, rng: SeededGenerator(seed: 0))
        do {
            _ = try registry.losses.build(try RecipeNode(yaml: "{type: corocl, anchors: all, contrast: crop}", file: "r.yaml"), context2)
            Issue.record("all anchors against crop contrast built")
        } catch {
            #expect("\(error)".contains("contrast") && "\(error)".contains("use contrast: all"), "\(error)")
        }
    }

    @Test("the skip rule: fewer than 2 pasted crops, or no context forward, give 0 and ask for no context; seeded draws are a function of the batch seed")
    func skipRuleAndSeeding() throws {
        let fixture = try Fixture("rpl.h5")
        var (batch, head, context, _, _) = try Self.inputs(fixture)
        let none = SegmenterOutput(logits: Tensor.zeros([3, 1, 1, 1]), decoderFeatures: Tensor.zeros([3, 1, 1, 1]), features: [:])
        let loss = CoroCLLoss()
        #expect(try loss(batch, none, head).scalars == [0], "no context forward")
        let a = try loss(batch, none, head, context: context).item, b = try loss(batch, none, head, context: context).item
        #expect(a == b && a > 0)
        batch.seed = 7
        #expect(try loss(batch, none, head, context: context).item != a, "another batch seed draws other pixels")
        batch.pasted = [true, false, false]
        #expect(!loss.readsContext(batch))
        #expect(try loss(batch, none, head, context: context).scalars == [0])
        do {
            batch.pasted = [true, true, true]
            _ = try loss(batch, none, HeadOutput(), context: context)
            Issue.record("no error without embeddings")
        } catch let error as LossError {
            #expect(error.term == "corocl")
        }
    }
}
