import Testing
@testable import TensorCore

/// `conv2d(…, normalizing:, adding:, activation:)`: the fused pass gives the separate ops' values bit for bit, and
/// with a gradient to record it is the separate ops (same values, same gradients).
@Suite("Convolution epilogue: bias, batch norm, residual and activation fused")
struct ConvEpilogueTests {
    /// Inputs with exact zeros and negative zeros among them, so sign-of-zero differences show.
    func tensors() -> (x: Tensor, w: Tensor, b: Tensor, r: Tensor) {
        var rng = SeededGenerator(seed: 11)
        let x = Tensor.normal([2, 3, 7, 9], using: &rng), w = Tensor.normal([4, 3, 3, 3], using: &rng)
        let b = Tensor(shape: [4], [0.5, -0.25, 0, -0.0])
        let r = Tensor(shape: [2, 4, 7, 9], Tensor.normal([2, 4, 7, 9], using: &rng).scalars.enumerated().map {
            $0.offset % 5 == 0 ? -0.0 : $0.element
        })
        return (x, w, b, r)
    }

    @Test("each combination of bias, residual and activation equals the separate ops bit for bit",
          arguments: [true, false], [(true, ConvActivation.none), (true, .relu), (true, .relu6),
                                     (false, .none), (false, .relu), (false, .relu6)])
    func fusedEqualsSeparate(_ withBias: Bool, _ residualAndActivation: (Bool, ConvActivation)) {
        let (withResidual, activation) = residualAndActivation
        let (x, w, b, r) = tensors()
        let bias = withBias ? b : nil, residual = withResidual ? r : nil
        var separate = x.conv2d(weight: w, bias: bias, padding: (1, 1))
        if let residual { separate = separate + residual }
        separate = activation.applied(to: separate)
        let fused = x.conv2d(weight: w, bias: bias, padding: (1, 1), adding: residual, activation: activation)
        #expect(fused.shape == separate.shape)
        #expect(fused.scalars.map(\.bitPattern) == separate.scalars.map(\.bitPattern))
    }

    /// An eval-mode batch norm over the 4 output channels (a zero and a negative-zero β among them).
    func frozenNorm() -> FrozenBatchNorm {
        FrozenBatchNorm(weight: Tensor(shape: [4], [1.5, -0.75, 0.2, 1]), bias: Tensor(shape: [4], [0.1, 0, -0.0, -2]),
                        runningMean: Tensor(shape: [4], [0.3, -1, 0, 2.5]), runningVar: Tensor(shape: [4], [0.5, 2, 1e-6, 4]), eps: 1e-5)
    }

    @Test("with an eval-mode batch norm: each combination equals conv, batch norm, add and activation bit for bit",
          arguments: [true, false], [(true, ConvActivation.none), (true, .relu), (true, .relu6),
                                     (false, .none), (false, .relu), (false, .relu6)])
    func normalizedEqualsSeparate(_ withBias: Bool, _ residualAndActivation: (Bool, ConvActivation)) {
        let (withResidual, activation) = residualAndActivation
        let (x, w, b, r) = tensors()
        let bias = withBias ? b : nil, residual = withResidual ? r : nil, norm = frozenNorm()
        var separate = x.conv2d(weight: w, bias: bias, padding: (1, 1))
            .batchNorm(weight: norm.weight, bias: norm.bias, runningMean: norm.runningMean, runningVar: norm.runningVar,
                       training: false, eps: norm.eps).output
        if let residual { separate = separate + residual }
        separate = activation.applied(to: separate)
        let fused = x.conv2d(weight: w, bias: bias, padding: (1, 1), normalizing: norm, adding: residual, activation: activation)
        #expect(fused.shape == separate.shape)
        #expect(fused.scalars.map(\.bitPattern) == separate.scalars.map(\.bitPattern))
        // With a gradient to record the separate ops run: the same values, and gradients reach the weight.
        let weight = w.requiringGrad()
        let recorded = x.conv2d(weight: weight, bias: bias, padding: (1, 1), normalizing: norm, adding: residual, activation: activation)
        recorded.sum().backward()
        #expect(recorded.scalars.map(\.bitPattern) == separate.scalars.map(\.bitPattern))
        #expect(weight.grad != nil)
    }

    @Test("with a gradient to record: the separate ops' values and gradients")
    func recordedGradients() {
        let (x, w, b, r) = tensors()
        let (w1, r1) = (w.requiringGrad(), r.requiringGrad())
        let fused = x.conv2d(weight: w1, bias: b, padding: (1, 1), adding: r1, activation: .relu)
        fused.sum().backward()
        let (w2, r2) = (w.requiringGrad(), r.requiringGrad())
        let separate = (x.conv2d(weight: w2, bias: b, padding: (1, 1)) + r2).relu()
        separate.sum().backward()
        #expect(fused.scalars.map(\.bitPattern) == separate.scalars.map(\.bitPattern))
        #expect(w1.grad?.scalars == w2.grad?.scalars)
        #expect(r1.grad?.scalars == r2.grad?.scalars)
        #expect(w1.grad != nil && r1.grad != nil)
    }

    @Test("a batch norm with residual and activation as one op, in training and evaluation: the separate ops' values, batch statistics and every gradient, bit for bit",
          arguments: [(true, ConvActivation.none), (true, .relu), (true, .relu6), (false, .relu), (false, .relu6)], [true, false])
    func batchNormFused(_ residualAndActivation: (Bool, ConvActivation), _ training: Bool) {
        let (withResidual, activation) = residualAndActivation
        let (x, _, _, r) = tensors()
        let input = Tensor(shape: r.shape, r.scalars.reversed().map { $0 * 4 })  // values past relu6's bound too
        let norm = frozenNorm()
        func run(fused: Bool) -> (out: Tensor, mean: [Float]?, grads: [[Float]?]) {
            let (xg, gamma, beta) = (input.requiringGrad(), norm.weight!.requiringGrad(), norm.bias!.requiringGrad())
            let residual = withResidual ? x.conv2d(weight: tensors().w, padding: (1, 1)).requiringGrad() : nil
            let result: BatchNormResult
            var out: Tensor
            if fused {
                result = xg.batchNorm(weight: gamma, bias: beta, runningMean: norm.runningMean, runningVar: norm.runningVar,
                                      training: training, adding: residual, activation: activation)
                out = result.output
            } else {
                result = xg.batchNorm(weight: gamma, bias: beta, runningMean: norm.runningMean, runningVar: norm.runningVar, training: training)
                out = result.output
                if let residual { out = out + residual }
                out = activation.applied(to: out)
            }
            (out * Tensor(shape: out.shape, (0..<out.count).map { Float($0 % 7) - 3 })).sum().backward()
            return (out, result.batchMean, [xg.grad?.scalars, gamma.grad?.scalars, beta.grad?.scalars, residual?.grad?.scalars])
        }
        let (fused, separate) = (run(fused: true), run(fused: false))
        #expect(fused.out.scalars.map(\.bitPattern) == separate.out.scalars.map(\.bitPattern))
        #expect(fused.mean == separate.mean)
        for (a, b) in zip(fused.grads, separate.grads) { #expect(a?.map(\.bitPattern) == b?.map(\.bitPattern)) }
        #expect(fused.grads[0] != nil && (fused.grads[3] != nil) == withResidual)
    }
}
