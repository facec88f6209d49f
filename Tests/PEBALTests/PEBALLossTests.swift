import Testing
import ModelZoo
import OoDKit
import PEBAL
import SceneData
import TensorCore
import PixelOoDTestSupport

/// The fixture's class and abstention logits as a segmenter output, both requiring gradients.
private func fixtureOutput(_ fixture: Fixture) throws -> (SegmenterOutput, logits: Tensor, abstention: Tensor) {
    let logits = try fixture.tensor("/logits").requiringGrad(), abstention = try fixture.tensor("/abstention").requiringGrad()
    let seg = SegmenterOutput(logits: logits, decoderFeatures: Tensor.zeros([logits.shape[0], 1, 1, 1]), features: [:],
                              abstentionLogits: abstention)
    return (seg, logits, abstention)
}

/// The fixture's labels as a batch; the loader's `pasted` flags say which images hold outlier pixels.
private func batch(_ fixture: Fixture, _ labels: String) throws -> TrainingBatch {
    let labels = try fixture.indices(labels), plane = labels.count / labels.shape[0]
    let pasted = (0..<labels.shape[0]).map { labels.values[($0 * plane)..<(($0 + 1) * plane)].contains(254) }
    return TrainingBatch(images: Tensor.zeros([labels.shape[0], 3, 1, 1]), labels: labels, pasted: pasted)
}

private func build(_ yaml: String) throws -> any LossTerm {
    let registry = try Registry(plugins: [PEBALPlugin.self])
    return try registry.losses.build(try RecipeNode(yaml: yaml), BuildContext(registry: registry, rng: SeededGenerator(seed: 0)))
}

@Suite("PEBAL's loss terms against PyTorch")
struct PEBALLossTests {
    @Test("value and gradients agree with scripts/fixtures/pebal.py to 1e-5",
          arguments: [("gambler", "pebal.gambler", "/labels"), ("gambler_none", "pebal.gambler", "/labels_none"),
                      ("gambler_w05", "{type: pebal.gambler, outlier_weight: 0.5}", "/labels"),
                      ("regulariser", "pebal.regulariser", "/labels"), ("regulariser_none", "pebal.regulariser", "/labels_none")])
    func agrees(_ name: String, _ yaml: String, _ labels: String) throws {
        let fixture = try Fixture("pebal.h5")
        let (seg, logits, abstention) = try fixtureOutput(fixture)
        let term = try build(yaml), labelled = try batch(fixture, labels)
        let value = try term(labelled, seg, HeadOutput())
        expectClose(value, try fixture.tensor("/" + name), tolerance: 1e-5, name)
        value.backward()
        expectClose(try #require(logits.grad), try fixture.tensor("/\(name)_grad_logits"), tolerance: 1e-5, name + " d/d logits")
        if name.hasPrefix("gambler") {
            expectClose(try #require(abstention.grad), try fixture.tensor("/\(name)_grad_abstention"), tolerance: 1e-5, name + " d/d abstention")
        }
    }

    @Test("on 3 ranks of one image each, every term's shares add up to its value on the whole batch and their gradients are its gradients (data-parallel)",
          arguments: ["pebal.gambler", "energy_hinge", "pebal.regulariser"])
    func sharesAddUp(_ yaml: String) throws {
        let fixture = try Fixture("pebal.h5")
        let (seg, logits, abstention) = try fixtureOutput(fixture)
        let term = try build(yaml), whole = try batch(fixture, "/labels")
        #expect(term.splitsOverShards)
        let value = try term(whole, seg, HeadOutput())
        value.backward()
        let (wholeLogits, wholeAbstention) = (try #require(logits.grad).scalars, abstention.grad?.scalars ?? [])
        let (classLogits, abstentionLogits) = (logits.detached(), abstention.detached())
        let ranks = try ThreadGroup.run(ranks: 3) { group in
            let image = group.rank
            let own = (classLogits.slice(axis: 0, start: image, end: image + 1).copy().requiringGrad(),
                       abstentionLogits.slice(axis: 0, start: image, end: image + 1).copy().requiringGrad())
            let share = try whole.shard(image, of: 3, ranks: group)
            let output = SegmenterOutput(logits: own.0, decoderFeatures: Tensor.zeros([1, 1, 1, 1]), features: [:], abstentionLogits: own.1)
            let part = try term(share, output, HeadOutput())
            part.backward()
            return (part.item, own.0.grad?.scalars ?? [], own.1.grad?.scalars ?? [])
        }
        #expect(abs(ranks.map(\.0).reduce(0, +) - value.item) <= 1e-5 * (1 + abs(value.item)), "\(ranks.map(\.0)) against \(value.item)")
        expectClose(Tensor(shape: logits.shape, ranks.flatMap(\.1)), Tensor(shape: logits.shape, wholeLogits), tolerance: 1e-5, yaml + " d/d logits")
        if yaml == "pebal.gambler" {
            expectClose(Tensor(shape: abstention.shape, ranks.flatMap(\.2)), Tensor(shape: abstention.shape, wholeAbstention), tolerance: 1e-5,
                        yaml + " d/d abstention")
        }
    }

    @Test("gambler + 0.1 energy_hinge + 0.1 pebal.regulariser (pebal.yaml's terms) is the official trainer's loss")
    func officialTotal() throws {
        let fixture = try Fixture("pebal.h5")
        let (seg, logits, abstention) = try fixtureOutput(fixture)
        let b = try batch(fixture, "/labels")
        let gambler = try build("pebal.gambler"), hinge = try build("energy_hinge"), regulariser = try build("pebal.regulariser")
        let abstaining = try gambler(b, seg, HeadOutput())
        let energy = try hinge(b, seg, HeadOutput()) + regulariser(b, seg, HeadOutput())
        let total = abstaining + energy * 0.1
        expectClose(total, try fixture.tensor("/total"), tolerance: 1e-5, "total")
        total.backward()
        expectClose(try #require(logits.grad), try fixture.tensor("/total_grad_logits"), tolerance: 1e-5, "total d/d logits")
        expectClose(try #require(abstention.grad), try fixture.tensor("/total_grad_abstention"), tolerance: 1e-5, "total d/d abstention")
    }

    @Test("the gambler loss on a segmenter without an abstention output, and bad options, are errors naming the term or key")
    func errors() throws {
        let fixture = try Fixture("pebal.h5")
        let seg = SegmenterOutput(logits: try fixture.tensor("/logits"), decoderFeatures: Tensor.zeros([3, 1, 1, 1]), features: [:])
        do {
            _ = try GamblerLoss()(try batch(fixture, "/labels"), seg, HeadOutput())
            Issue.record("a segmenter without an abstention output passed")
        } catch let error as LossError {
            #expect(error.term == "pebal.gambler" && error.description.contains("segmenter.abstention: true"))
        }
        #expect(throws: RecipeError.self) { try build("{type: pebal.gambler, outlier_weight: -1}") }
        #expect(throws: RecipeError.self) { try build("{type: pebal.gambler, reward: {kernel: 4}}") }
        #expect(throws: RecipeError.self) { try build("{type: pebal.regulariser, smoothness: -3}") }
    }
}
