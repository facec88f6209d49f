import Foundation
import Testing
import HDF5Store
import NeuralNet
import TensorCore
import PixelOoDTestSupport

@Suite("Modules: state dicts, loading errors, modes, freezing, folding")
struct ModuleTests {
    @Test("strict loading lists every missing key, unexpected key and shape mismatch")
    func strictLoadErrors() throws {
        let net = fixtureNet()
        var state = net.stateDict()
        var broken = StateDict()
        for entry in state.entries where entry.key != "0.weight" && entry.key != "1.running_var" {
            let tensor = entry.key == "6.bias" ? Tensor.zeros([5]) : entry.tensor
            broken.append(entry.key, tensor, dtype: entry.dtype)
        }
        broken.append("7.weight", Tensor.zeros([1]))
        let before = net.layers[6].namedParameters()[1].parameter.value.scalars
        do {
            try net.load(broken, source: "ckpt.h5")
            Issue.record("loading a broken state dict succeeded")
        } catch let error as StateDictError {
            #expect(error.missing == ["0.weight", "1.running_var"])
            #expect(error.unexpected == ["7.weight"])
            #expect(error.mismatched == [.init(key: "6.bias", expected: [3], found: [5])])
            #expect(error.description.contains("ckpt.h5"))
            #expect(error.description.contains("size mismatch for 6.bias"))
        }
        #expect(net.layers[6].namedParameters()[1].parameter.value.scalars == before, "a failed load changes nothing")
        state.append("7.weight", Tensor.zeros([1]))
        #expect(try net.load(state, strict: false) == ["7.weight"], "non-strict loads report unused keys")
    }

    @Test("a missing num_batches_tracked loads as 0, as in PyTorch")
    func missingCounter() throws {
        let bn = BatchNorm2d(features: 2)
        var state = StateDict()
        for entry in bn.stateDict().entries where !entry.key.hasSuffix("num_batches_tracked") {
            state.append(entry.key, entry.tensor)
        }
        try bn.load(state)
        #expect(bn.numBatchesTracked.value.item == 0)
    }

    @Test("checkpoints round-trip through HDF5 with a prefix")
    func checkpointRoundTrip() throws {
        let source = fixtureNet()
        _ = source(Tensor.ones([1, 3, 8, 8]))  // update running statistics
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nn-\(UUID().uuidString).h5").path
        try source.stateDict(prefix: "segmenter.").save(to: path, attributes: [("toolkit_version", .string("test"))])
        let target = fixtureNet()
        try target.load(checkpoint: path, prefix: "segmenter.")
        for (a, b) in zip(source.stateDict().entries, target.stateDict().entries) {
            #expect(a.key == b.key && a.tensor.scalars == b.tensor.scalars && a.dtype == b.dtype)
        }
    }

    @Test("a load under a prefix no key has names the file's own prefixes instead of listing every key; long key lists are cut")
    func wrongPrefix() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nn-\(UUID().uuidString).h5").path
        var state = fixtureNet().stateDict(prefix: "branch1.")
        state.append("module.criterion.nll_loss.weight", Tensor.ones([19]))
        try state.save(to: path, attributes: [("toolkit_version", .string("test"))])
        let target = fixtureNet()
        let error = try #require(throws: StateDictError.self) { try target.load(checkpoint: path, prefix: "segmenter.") }
        let count = fixtureNet().stateDict().keys.count
        #expect(error.wrongPrefix?.asked == "segmenter.")
        #expect(error.wrongPrefix?.found.map(\.prefix) == ["branch1.", "module."] && error.wrongPrefix?.found.map(\.keys) == [count, 1])
        #expect(error.description.contains("no key starts with 'segmenter.'; the file's keys start with 'branch1.' (\(count) keys), 'module.' (1 keys)"))
        let many = StateDictError(source: "f.h5", missing: (0..<30).map { "k\($0)" }, unexpected: [], mismatched: [])
        #expect(many.description.contains("k11, … (18 more)") && !many.description.contains("k12"))
    }

    @Test("eval mode uses running statistics and leaves them alone; train mode updates them")
    func modes() {
        let bn = BatchNorm2d(features: 3)
        var rng = SeededGenerator(seed: 42)
        let x = Tensor.uniform([4, 3, 5, 5], low: 1, high: 3, using: &rng)
        bn.eval()
        _ = bn(x)
        #expect(bn.runningMean.value.scalars == [0, 0, 0] && bn.numBatchesTracked.value.item == 0)
        bn.train()
        _ = bn(x)
        #expect(bn.runningMean.value.scalars.allSatisfy { $0 > 0.15 && $0 < 0.25 })
        #expect(bn.numBatchesTracked.value.item == 1)
    }

    @Test("frozen parameters record no tape and get no gradient")
    func freezing() {
        let net = fixtureNet().freeze(prefix: "0.")
        let loss = fixtureForward(net, Tensor.ones([1, 3, 8, 8])).sum()
        loss.backward()
        #expect(net.layers[0].namedParameters()[0].parameter.grad == nil)
        #expect(net.layers[3].namedParameters()[0].parameter.grad != nil)
        #expect(net.trainableParameters().count == net.namedParameters().count - 1)
        net.freeze()
        #expect(!fixtureForward(net, Tensor.ones([1, 3, 8, 8])).requiresGrad)
    }

    @Test("folding batch norm into convolutions keeps the eval output")
    func batchNormFolding() {
        let net = fixtureNet()
        var rng = SeededGenerator(seed: 3)
        _ = net(Tensor.normal([2, 3, 8, 8], mean: 0.5, std: 2, using: &rng))  // non-trivial statistics
        net.eval()
        let x = Tensor.normal([2, 3, 8, 8], using: &rng)
        let before = net(x)
        #expect(net.foldBatchNorms() == 2)
        #expect(net.foldBatchNorms() == 0, "folding twice finds nothing more")
        #expect(net.layers[1] is Identity && net.layers[4] is Identity)
        expectClose(net(x), before, tolerance: 1e-5, "folded output")
        #expect(net.stateDict().keys.contains("0.bias"))
    }

    @Test("summary prints a PyTorch-like tree")
    func summary() {
        let text = fixtureNet().summary
        #expect(text.hasPrefix("Sequential(\n  (0): Conv2d(3, 4, kernel_size=(3, 3)"))
        #expect(text.contains("(1): BatchNorm2d(4, eps=1e-05, momentum=0.1)"))
    }

    @Test("Linear computes x Wᵀ + b with PyTorch's keys")
    func linear() {
        var rng = SeededGenerator(seed: 5)
        let layer = Linear(inputFeatures: 3, outputFeatures: 2, using: &rng)
        let x = Tensor(shape: [1, 3], [1, 2, 3])
        let w = layer.weight.value.scalars, b = layer.bias!.value.scalars
        var expected: [Float] = b
        for o in 0..<2 {
            for i in 0..<3 { expected[o] += w[o * 3 + i] * Float(i + 1) }
        }
        expectClose(layer(x), Tensor(shape: [1, 2], expected), tolerance: 1e-6)
        #expect(layer.stateDict().keys == ["weight", "bias"])
    }

    @Test("dropout: seeded, rescaled in training, identity in eval")
    func dropout() {
        let x = Tensor.ones([10_000])
        let a = Dropout(p: 0.3, seed: 9), b = Dropout(p: 0.3, seed: 9)
        let y = a(x).scalars
        #expect(y == b(x).scalars)
        let kept = y.filter { $0 != 0 }
        #expect(abs(Float(kept.count) / 10_000 - 0.7) < 0.02)
        #expect(kept.allSatisfy { abs($0 - 1 / 0.7) < 1e-6 })
        #expect(a.eval()(x).scalars == x.scalars)
    }

    @Test("poly schedule follows (1 − t/T)^0.9")
    func polySchedule() {
        let schedule = PolyLR(baseLearningRate: 7.5e-5, maxIterations: 100)
        #expect(schedule.learningRate(at: 0) == 7.5e-5)
        #expect(abs(schedule.learningRate(at: 50) / (7.5e-5 * Float(pow(0.5, 0.9))) - 1) < 1e-6)
        #expect(schedule.learningRate(at: 100) == 0 && schedule.learningRate(at: 150) == 0)
    }
}

@Suite("Sequential fusing: a pre-activation batch norm and its activation as one op")
struct BatchNormActivationFusingTests {
    /// A batch norm over 4 channels with non-trivial affine parameters and running statistics.
    func norm(training: Bool) -> BatchNorm2d {
        let norm = BatchNorm2d(features: 4)
        norm.weight.assign(Tensor(shape: [4], [1.5, -0.75, 0.2, 1]))
        norm.bias.assign(Tensor(shape: [4], [0.1, 0, -0.0, -2]))
        norm.runningMean.value = Tensor(shape: [4], [0.3, -1, 0, 2.5])
        norm.runningVar.value = Tensor(shape: [4], [0.5, 2, 1e-6, 4])
        return training ? norm.train() : norm.eval()
    }

    @Test("BatchNorm2d, Identity, ReLU in a Sequential: one batch_norm op, no relu op, and the layers' output, running statistics and gradients bit for bit",
          arguments: [true, false])
    func fusedEqualsLayers(_ training: Bool) {
        var rng = SeededGenerator(seed: 5)
        let x = Tensor.normal([2, 4, 5, 6], using: &rng)
        let weights = Tensor(shape: x.shape, (0..<x.count).map { Float($0 % 7) - 3 })
        let (fusedNorm, separateNorm) = (norm(training: training), norm(training: training))
        let (xf, xs) = (x.requiringGrad(), x.requiringGrad())
        let profile = OpProfile()
        let fused = profile.measure { Sequential([fusedNorm, Identity(), ReLU()])(xf) }
        let separate = ReLU()(separateNorm(xs))
        // (In training the running statistics' update adds its own small ops.)
        #expect(profile.table.first { $0.op == "batch_norm" }?.calls == 1)
        #expect(!profile.table.contains { $0.op == "relu" })
        (fused * weights).sum().backward()
        (separate * weights).sum().backward()
        #expect(fused.scalars.map(\.bitPattern) == separate.scalars.map(\.bitPattern))
        #expect(xf.grad?.scalars.map(\.bitPattern) == xs.grad?.scalars.map(\.bitPattern))
        #expect(fusedNorm.weight.grad?.scalars == separateNorm.weight.grad?.scalars)
        #expect(fusedNorm.bias.grad?.scalars == separateNorm.bias.grad?.scalars)
        #expect(fusedNorm.runningMean.value.scalars == separateNorm.runningMean.value.scalars)
        #expect(fusedNorm.runningVar.value.scalars == separateNorm.runningVar.value.scalars)
        #expect(xf.grad != nil && fusedNorm.weight.grad != nil)
    }
}
