extension Tensor {
    /// 2-D convolution (cross-correlation) of `[N, C, H, W]` with `weight` `[O, C/groups, kh, kw]`.
    /// PyTorch: `F.conv2d(x, weight, bias, stride, padding, dilation, groups)`.
    ///
    /// 1x1 convolutions are one sgemm per image; depthwise convolutions (groups = C = O) use a
    /// direct loop; under ``ConvolutionAlgorithm/winograd`` (opt-in) kernel taps that only
    /// read padding are left out (``DeadTaps``, forward and backward) and stride-1 3×3
    /// convolutions use Winograd F(4×4, 3×3) where ``Winograd/pays(for:)``, for the output and
    /// both gradients; everything else is im2col + sgemm over bounded bands of output
    /// rows (``ConvDispatch``). The backward pass uses the algorithm the forward pass ran under.
    ///
    /// With a frozen batch norm `norm`, a `residual` (the output's shape) and an `activation`, the
    /// op is `activation(norm(conv + bias) + residual)`: when no gradient is recorded (a frozen or
    /// evaluated model) they are applied in one pass over the output (two with both a bias and a
    /// norm), with the values the separate ops give (`(conv + bias)`, the norm's `x · scale +
    /// shift`, `+ residual`, then the activation's clamp); when one is, the separate ops run.
    ///
    /// Shape: `[N, O, ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1, …]`.
    public func conv2d(weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
                       padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1,
                       normalizing norm: FrozenBatchNorm? = nil,
                       adding residual: Tensor? = nil, activation: ConvActivation = .none) -> Tensor {
        if residual != nil || activation != .none || norm != nil, GradMode.isEnabled,
           ([self, weight] + [bias, residual, norm?.weight, norm?.bias].compactMap { $0 }).contains(where: \.requiresGrad) {
            var y = conv2d(weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
            if let norm { y = norm.applied(to: y) }
            if let residual { y = y + residual }
            return activation.applied(to: y)
        }
        require(rank == 4 && weight.rank == 4, "conv2d: input \(shape) and weight \(weight.shape) must be 4-D")
        require(groups > 0 && shape[1] % groups == 0 && weight.shape[0] % groups == 0 && weight.shape[1] * groups == shape[1],
                     "conv2d: input \(shape), weight \(weight.shape) and groups \(groups) do not agree")
        if let bias { require(bias.shape == [weight.shape[0]], "conv2d: bias \(bias.shape) != [\(weight.shape[0])]") }
        let g = ConvGeometry(batch: shape[0], inChannels: shape[1], height: shape[2], width: shape[3],
                             outChannels: weight.shape[0], kernelH: weight.shape[2], kernelW: weight.shape[3],
                             strideH: stride.0, strideW: stride.1, padH: padding.0, padW: padding.1,
                             dilationH: dilation.0, dilationW: dilation.1, groups: groups)
        require(g.outHeight > 0 && g.outWidth > 0, "conv2d: kernel \(weight.shape) larger than padded input \(shape)")
        let outShape = [g.batch, g.outChannels, g.outHeight, g.outWidth]
        let out = TensorStorage(uninitializedCount: Shape.count(outShape))
        let algorithm = ConvolutionAlgorithm.current
        ConvDispatch.forward(storage.pointer, weight.storage.pointer, g, algorithm: algorithm, into: out.pointer)
        if let residual { require(residual.shape == outShape, "conv2d: residual \(residual.shape) != output \(outShape)") }
        let plane = g.outHeight * g.outWidth
        if let norm {
            for (name, t) in [("weight", norm.weight), ("bias", norm.bias), ("running_mean", norm.runningMean), ("running_var", norm.runningVar)] {
                if let t { require(t.shape == [g.outChannels], "conv2d: batch norm \(name) \(t.shape) != [\(g.outChannels)]") }
            }
            ChannelKernels.epilogue(out.pointer, bias: bias?.storage.pointer, residual: nil, clamp: nil,
                                    batch: g.batch, channels: g.outChannels, plane: plane)
            let affine = norm.affine
            ChannelKernels.normalizingEpilogue(out.pointer, into: out.pointer, scale: affine.scale, shift: affine.shift, residual: residual?.storage.pointer,
                                               clamp: activation.clamp, batch: g.batch, channels: g.outChannels, plane: plane)
        } else {
            ChannelKernels.epilogue(out.pointer, bias: bias?.storage.pointer, residual: residual?.storage.pointer, clamp: activation.clamp,
                                    batch: g.batch, channels: g.outChannels, plane: plane)
        }
        let (x, w) = (detached(), weight.detached())
        let inputs = [self, weight] + (bias.map { [$0] } ?? [])
        let needX = requiresGrad, needW = weight.requiresGrad
        return .record("conv2d", Tensor(shape: outShape, storage: out), inputs: inputs) { gy in
            let gx = needX ? TensorStorage(uninitializedCount: x.count) : nil
            let gw = needW ? TensorStorage(uninitializedCount: w.count) : nil
            ConvDispatch.backward(x.storage.pointer, w.storage.pointer, gy.storage.pointer, g, algorithm: algorithm,
                                  gx: gx?.pointer, gw: gw?.pointer)
            var grads: [Tensor?] = [gx.map { Tensor(shape: x.shape, storage: $0) }, gw.map { Tensor(shape: w.shape, storage: $0) }]
            if bias != nil { grads.append(gy.sum(axes: [0, 2, 3])) }
            return grads
        }
    }
}

/// The activation that finishes a convolution (``Tensor/conv2d(weight:bias:stride:padding:dilation:groups:normalizing:adding:activation:)``).
public enum ConvActivation: Sendable {
    /// None: the convolution (plus bias and residual) as it is.
    case none
    /// `max(x, 0)`, ``Tensor/relu()``.
    case relu
    /// `min(max(x, 0), 6)`, ``Tensor/relu6()``.
    case relu6

    /// The activation as its separate op (the path that records gradients).
    public func applied(to y: Tensor) -> Tensor {
        switch self {
        case .none: y
        case .relu: y.relu()
        case .relu6: y.relu6()
        }
    }

    /// Where the separate op passes its gradient on, read from its input or its output alike
    /// (the clamp keeps the strict inside of its bounds and maps the rest onto them).
    var gradientMask: InsideStrictF? {
        switch self {
        case .none: nil
        case .relu: InsideStrictF(low: 0, high: .infinity)
        case .relu6: InsideStrictF(low: 0, high: 6)
        }
    }

    /// The clamp the separate op applies, for the fused pass.
    var clamp: ClampF? {
        switch self {
        case .none: nil
        case .relu: ClampF(low: 0, high: .infinity)
        case .relu6: ClampF(low: 0, high: 6)
        }
    }
}
