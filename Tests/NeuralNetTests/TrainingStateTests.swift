import Foundation
import Testing
import HDF5Store
import NeuralNet
import TensorCore
import PixelOoDTestSupport

/// One optimizer of each kind over `net`, the head (layer 6) at 10x.
func optimizer(_ name: String, for net: Sequential) -> any Optimizer {
    let groups = [ParameterGroup((0..<6).flatMap { net.layers[$0].namedParameters(prefix: "\($0).") }),
                  ParameterGroup(net.layers[6].namedParameters(prefix: "6."), lrMultiplier: 10)]
    switch name {
    case "sgd": return SGD(groups, learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-4)
    case "adam": return Adam(groups, learningRate: 0.01, weightDecay: 1e-4)
    default: return Adam.adamW(groups, learningRate: 0.01, weightDecay: 0.05)
    }
}

/// `steps` training steps on a fixed batch; the losses.
func train(_ net: Sequential, _ optimizer: any Optimizer, steps: Range<Int>) -> [Float] {
    var rng = SeededGenerator(seed: 4)
    let x = Tensor.normal([2, 3, 8, 8], using: &rng)
    let y = IndexTensor(shape: [2, 8, 8], (0..<128).map { $0 % 3 })
    return steps.map { _ in
        optimizer.zeroGrad()
        let loss = fixtureForward(net, x).crossEntropy(target: y, ignoreIndex: 255)
        loss.backward()
        optimizer.step()
        return loss.item
    }
}

@Suite("Training state: snapshots, optimizer state, checkpoints")
struct TrainingStateTests {
    @Test("a state dict taken before a step keeps its values after the step (copy-on-write updates)",
          arguments: ["sgd", "adam", "adamw"])
    func snapshotIsAValue(_ name: String) {
        let net = fixtureNet()
        let optimizer = optimizer(name, for: net)
        let before = net.stateDict()
        let copies = before.entries.map { $0.tensor.scalars }
        _ = train(net, optimizer, steps: 0..<2)
        for (entry, copy) in zip(before.entries, copies) { #expect(entry.tensor.scalars == copy, "\(entry.key) changed") }
        let after = net.stateDict()
        #expect(after["0.weight"]?.scalars != copies[0], "the step itself did update the weights")
    }

    @Test("optimizer state saved in a checkpoint resumes bitwise: 2 + 2 steps equal 4", arguments: ["sgd", "adam", "adamw"])
    func resume(_ name: String) throws {
        let straight = fixtureNet()
        let straightLosses = train(straight, optimizer(name, for: straight), steps: 0..<4)

        let first = fixtureNet()
        let firstOptimizer = optimizer(name, for: first)
        let firstLosses = train(first, firstOptimizer, steps: 0..<2)
        let path = try scratchDirectory("resume").appendingPathComponent("ckpt.h5").path
        let metadata = CheckpointMetadata(recipe: "seed: 5\n", seed: 5, step: 2, epoch: 0)
        try Checkpoint(model: StateDict.merging([("segmenter", first.stateDict())]), optimizer: firstOptimizer.stateDict(),
                       metadata: metadata).save(to: path)

        let loaded = try Checkpoint.load(from: path)
        #expect(loaded.metadata == metadata)
        let resumed = fixtureNet()
        try resumed.load(loaded.model.scoped("segmenter"))
        let resumedOptimizer = optimizer(name, for: resumed)
        try resumedOptimizer.load(loaded.optimizer)
        let rest = train(resumed, resumedOptimizer, steps: 2..<4)
        #expect(firstLosses + rest == straightLosses)
        let a = straight.stateDict(), b = resumed.stateDict()
        for key in a.keys { #expect(a[key]?.scalars == b[key]?.scalars, "\(key)") }
    }

    @Test("optimizer state keys are parameter keys with slot names, and bad state is rejected by key")
    func optimizerKeys() throws {
        let net = fixtureNet()
        let adam = optimizer("adam", for: net)
        _ = train(net, adam, steps: 0..<1)
        let state = adam.stateDict()
        #expect(state.keys.prefix(2) == ["0.weight.exp_avg", "0.weight.exp_avg_sq"] && state.keys.last == "step")
        var wrong = StateDict()
        wrong.append("0.weight.exp_avg", Tensor.zeros([1]))
        wrong.append("step", Tensor(1), dtype: .int64)
        do {
            try adam.load(wrong)
            Issue.record("a mis-shaped moment loaded")
        } catch let error as StateDictError {
            #expect(error.mismatched.map(\.key) == ["0.weight.exp_avg"])
        }
    }

    @Test("merging under roots and scoping back round-trips; roots are listed in order")
    func roots() {
        let net = fixtureNet()
        let merged = StateDict.merging([("segmenter", net.stateDict()), ("head", net.layers[6].stateDict())])
        #expect(merged.roots == ["segmenter", "head"])
        #expect(merged.scoped("head").keys == ["weight", "bias"])
        #expect(merged.scoped("segmenter").keys == net.stateDict().keys)
    }

    @Test("a checkpoint without metadata (a converted release) loads with defaults; a wrong-typed attribute is named")
    func metadataDefaults() throws {
        let folder = try scratchDirectory("meta")
        let plain = folder.appendingPathComponent("plain.h5").path
        try fixtureNet().stateDict().save(to: plain)
        let loaded = try Checkpoint.load(from: plain)
        #expect(loaded.metadata.step == 0 && loaded.metadata.recipe.isEmpty && loaded.optimizer.count == 0)
        let bad = folder.appendingPathComponent("bad.h5").path
        try fixtureNet().stateDict().save(to: bad, attributes: [("step", .string("three"))])
        #expect(throws: CheckpointError.badAttribute(path: bad, name: "step", expected: "an integer")) { try Checkpoint.load(from: bad) }
    }

    @Test("dropout reseeded from (seed, step, path) draws the same masks in a fresh model, and different ones per layer")
    func dropoutReseeding() {
        func model() -> Sequential { Sequential([Dropout(p: 0.5, seed: 0), Dropout(p: 0.5, seed: 0)]) }
        let x = Tensor.ones([64])
        let a = model(), b = model()
        a.reseedStochasticLayers(seed: 11, step: 3)
        b.reseedStochasticLayers(seed: 11, step: 3)
        #expect(a(x).scalars == b(x).scalars)
        let first = (a.layers[0] as? Dropout).map { $0(x).scalars }, second = (a.layers[1] as? Dropout).map { $0(x).scalars }
        #expect(first != second)
        b.reseedStochasticLayers(seed: 11, step: 4)
        a.reseedStochasticLayers(seed: 11, step: 3)
        #expect(a(x).scalars != b(x).scalars)
    }
}
