import Testing
import HDF5Store
import NeuralNet
import TensorCore
import PixelOoDTestSupport

/// The net of `scripts/fixtures/training.py`, built from NeuralNet layers.
func fixtureNet() -> Sequential {
    var rng = SeededGenerator(seed: 1)
    return Sequential([
        Conv2d(inputChannels: 3, outputChannels: 4, kernelSize: (3, 3), padding: (1, 1), bias: false, using: &rng),
        BatchNorm2d(features: 4), ReLU(),
        Conv2d(inputChannels: 4, outputChannels: 6, kernelSize: (3, 3), stride: (2, 2), padding: (2, 2),
               dilation: (2, 2), bias: false, using: &rng),
        BatchNorm2d(features: 6), ReLU(),
        Conv2d(inputChannels: 6, outputChannels: 3, kernelSize: (1, 1), using: &rng),
    ])
}

/// Logits upsampled to the input size, as the fixture's forward.
func fixtureForward(_ net: Sequential, _ x: Tensor) -> Tensor {
    net(x).resizeBilinear(to: (x.shape[2], x.shape[3]), alignCorners: true)
}

/// A state dict read from a fixture group (`/init`, `/sgd/final`, …).
func fixtureState(_ fixture: Fixture, _ group: String) throws -> StateDict {
    var state = StateDict()
    for key in try fixture.file.children(of: group) {
        let path = group + "/" + key
        if try fixture.file.info(path).isFloat {
            state.append(key, try fixture.tensor(path))
        } else {
            state.append(key, Tensor(shape: [], try fixture.file.readInt64(path).values.map(Float.init)), dtype: .int64)
        }
    }
    return state
}

@Suite("Training a conv net with batch norm matches PyTorch step for step")
struct TrainingParityTests {
    @Test("state-dict keys equal PyTorch's, in order")
    func keysMatch() throws {
        let fixture = try Fixture("training.h5")
        #expect(fixtureNet().stateDict().keys == (try fixture.file.children(of: "/init")))
    }

    @Test("3 steps of SGD, Adam and AdamW with a 10x group agree to 1e-4", arguments: ["sgd", "adam", "adamw"])
    func threeSteps(_ name: String) throws {
        let fixture = try Fixture("training.h5")
        let net = fixtureNet()
        try net.load(try fixtureState(fixture, "/init"))
        let x = try fixture.tensor("/batch/x"), y = try fixture.indices("/batch/y")
        let head = net.layers[6].namedParameters().map(\.parameter)
        let body = (0..<6).flatMap { net.layers[$0].namedParameters().map(\.parameter) }
        let groups = [ParameterGroup(body), ParameterGroup(head, lrMultiplier: 10)]
        let optimizer: any Optimizer
        switch name {
        case "sgd": optimizer = SGD(groups, learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-4)
        case "adam": optimizer = Adam(groups, learningRate: 0.01, weightDecay: 1e-4)
        default: optimizer = Adam.adamW(groups, learningRate: 0.01, weightDecay: 0.05)
        }
        let schedule = PolyLR(baseLearningRate: 0.05, maxIterations: 5)
        var losses: [Float] = []
        for iteration in 0..<3 {
            if name == "sgd" { schedule.apply(to: optimizer, iteration: iteration) }
            optimizer.zeroGrad()
            let loss = fixtureForward(net, x).crossEntropy(target: y, ignoreIndex: 255)
            loss.backward()
            optimizer.step()
            losses.append(loss.item)
        }
        expectClose(Tensor(shape: [3], losses), try fixture.tensor("/\(name)/losses"), "\(name) losses")
        let expected = try fixtureState(fixture, "/\(name)/final")
        let actual = net.stateDict()
        for key in expected.keys {
            expectClose(actual[key]!, expected[key]!, "\(name) \(key)")
        }
        net.eval()
        expectClose(GradMode.noGrad { fixtureForward(net, x) }, try fixture.tensor("/\(name)/eval_out"), "\(name) eval output")
    }
}
