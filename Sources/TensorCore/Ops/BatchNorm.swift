import CChannelKernels

/// Result of a batch-norm forward: the output and, in training, the batch statistics the
/// caller folds into its running averages.
public struct BatchNormResult {
    /// Normalised output, same shape as the input.
    public var output: Tensor
    /// Per-channel batch mean (training only).
    public var batchMean: [Float]?
    /// Per-channel unbiased batch variance (training only), as PyTorch uses for running_var.
    public var batchVarianceUnbiased: [Float]?
}

/// Sums per-channel statistics over the processes of a data-parallel run, so that batch norm
/// in training normalises with the statistics of the whole global batch (synchronised batch
/// norm, PyTorch's `nn.SyncBatchNorm`). Every process calls ``sum(_:)`` in the same order
/// with arrays of the same length.
public protocol StatisticsReducer: Sendable {
    /// The element-wise sum of every process's `values`, the same array on every process.
    /// A reducer that cannot communicate stops the job (as MPI's default error handler does):
    /// a batch norm cannot go on with another process's statistics missing.
    func sum(_ values: [Double]) -> [Double]
}

extension Tensor {
    /// Batch normalisation of `[N, C, H, W]` (or `[N, C]`).
    /// PyTorch: `F.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)`.
    ///
    /// In training the batch statistics normalise (biased variance) and are returned so the
    /// caller can update its running averages; in evaluation `runningMean`/`runningVar` are used.
    /// With a `residual` (the input's shape) and an `activation` the op is
    /// `activation(batchNorm(x) + residual)` in one pass, with the values of the separate ops
    /// (`x · scale + shift`, `+ residual`, the activation's clamp); its backward reads the
    /// activation's mask from the output, so the normalised tensor before them is never kept.
    /// The backward is fused (one pass per channel). With a `reducer` (training only), the
    /// statistics are those of every process's batch together: the forward sums Σx, then
    /// Σ(x − mean)², and the backward Σg and Σg·(x − mean) over the processes; the weight and
    /// bias gradients stay this process's share (the caller sums gradients across processes).
    public func batchNorm(weight: Tensor?, bias: Tensor?, runningMean: Tensor, runningVar: Tensor,
                          training: Bool, eps: Float = 1e-5, reducer: (any StatisticsReducer)? = nil,
                          adding residual: Tensor? = nil, activation: ConvActivation = .none) -> BatchNormResult {
        require(rank >= 2, "batch_norm: input needs [N, C, ...], got \(shape)")
        let batch = shape[0], channels = shape[1], plane = Shape.count(Array(shape[2...]))
        for (name, t) in [("weight", weight), ("bias", bias), ("running_mean", Optional(runningMean)), ("running_var", Optional(runningVar))] {
            if let t { require(t.shape == [channels], "batch_norm: \(name) \(t.shape) != [\(channels)] for input \(shape)") }
        }
        let mean: [Float], variance: [Float]
        let synchronised = training ? reducer : nil
        var elements = Double(batch * plane)
        if let synchronised {
            let sums = synchronised.sum(ChannelKernels.sums(storage.pointer, batch: batch, channels: channels, plane: plane) + [elements])
            elements = sums[channels]
            mean = sums[..<channels].map { Float($0 / Swift.max(1, elements)) }
            variance = synchronised.sum(ChannelKernels.centredSquares(storage.pointer, mean: mean, batch: batch, channels: channels, plane: plane))
                .map { Float($0 / Swift.max(1, elements)) }
        } else if training {
            (mean, variance) = ChannelKernels.meanVariance(storage.pointer, batch: batch, channels: channels, plane: plane)
        } else {
            (mean, variance) = (runningMean.scalars, runningVar.scalars)
        }
        let gamma = weight?.scalars ?? [Float](repeating: 1, count: channels)
        let affine = BatchNormAffine(gamma: gamma, beta: bias?.scalars, mean: mean, variance: variance, eps: eps)
        let invStd = affine.invStd
        let out = TensorStorage(uninitializedCount: count)
        ChannelKernels.normalizingEpilogue(storage.pointer, into: out.pointer, scale: affine.scale, shift: affine.shift,
                                           residual: residual?.storage.pointer, clamp: activation.clamp,
                                           batch: batch, channels: channels, plane: plane)
        let x = detached(), mask = activation.gradientMask
        let activated = mask.map { _ in Tensor(shape: shape, storage: out) }  // kept only where the mask is read
        let inputs = [self] + [weight, bias, residual].compactMap { $0 }
        let hasWeight = weight != nil, hasBias = bias != nil, hasResidual = residual != nil
        let output = Tensor.record("batch_norm", Tensor(shape: shape, storage: out), inputs: inputs) { gy in
            // The activation's mask gates the gradient inside both passes, unless the residual's
            // gradient needs the gated gradient itself.
            var g = gy, gate: ChannelLanes.Gate?
            if let mask, let activated {
                if hasResidual { g = Tensor.maskedGrad(gy, where: mask, of: activated) }
                else { gate = ChannelLanes.Gate(output: activated.storage.pointer, mask: mask) }
            }
            let stats = BatchNormKernels.gradStats(x: x.storage.pointer, g: g.storage.pointer, gate: gate, mean: mean,
                                                   batch: batch, channels: channels, plane: plane)
            let whole = synchronised.map { stats.summed(by: $0) } ?? stats
            let gx = TensorStorage(uninitializedCount: x.count)
            BatchNormKernels.inputGrad(x: x.storage.pointer, g: g.storage.pointer, gate: gate, mean: mean, invStd: invStd,
                                       gamma: gamma, sumG: whole.sumG, sumGXhat: whole.sumGXhat(invStd), training: training,
                                       elements: Float(elements), into: gx.pointer, batch: batch, channels: channels, plane: plane)
            var grads: [Tensor?] = [Tensor(shape: x.shape, storage: gx)]
            if hasWeight { grads.append(Tensor(shape: [channels], stats.sumGXhat(invStd))) }
            if hasBias { grads.append(Tensor(shape: [channels], stats.sumG)) }
            if hasResidual { grads.append(g) }
            return grads
        }
        let n = Float(elements)
        return BatchNormResult(output: output, batchMean: training ? mean : nil,
                               batchVarianceUnbiased: training ? variance.map { n > 1 ? $0 * n / (n - 1) : $0 } : nil)
    }
}

enum BatchNormKernels {
    struct GradStats {
        var sumG: [Float]
        var sumGCentered: [Float]
        /// Σ g·x̂ per channel.
        func sumGXhat(_ invStd: [Float]) -> [Float] { zip(sumGCentered, invStd).map { $0 * $1 } }
        /// Both sums over every process of `reducer`.
        func summed(by reducer: any StatisticsReducer) -> GradStats {
            let total = reducer.sum((sumG + sumGCentered).map(Double.init)).map(Float.init)
            return GradStats(sumG: Array(total[..<sumG.count]), sumGCentered: Array(total[sumG.count...]))
        }
    }

    /// Per channel Σg' and Σg'·(x − mean), g' the gradient (gated by `gate` when given: 0
    /// where the activation did not pass it).
    static func gradStats(x: UnsafePointer<Float>, g: UnsafePointer<Float>, gate: ChannelLanes.Gate? = nil, mean: [Float],
                          batch: Int, channels: Int, plane: Int) -> GradStats {
        var sumG = [Float](repeating: 0, count: channels), sumGC = [Float](repeating: 0, count: channels)
        sumG.withUnsafeMutableBufferPointer { sg in
            sumGC.withUnsafeMutableBufferPointer { sc in
                let (sg, sc) = (sg.baseAddress!, sc.baseAddress!)
                ChannelLanes.forEachGroup(channels: channels, batch: batch, plane: plane) { first, count in
                    var a = SIMD8<Double>(), b = SIMD8<Double>()
                    let mu = ChannelLanes.values(mean, first: first, count: count)
                    for n in 0..<batch {
                        let offset = n * channels * plane
                        let lanes = ChannelLanes.sum(PXO_SUM_GRADIENT, x: x + offset, g: g + offset,
                                                     gate: gate.map { ChannelLanes.Gate(output: $0.output + offset, mask: $0.mask) },
                                                     mean: mu, first: first, count: count, plane: plane)
                        a += SIMD8<Double>(lanes.a); b += SIMD8<Double>(lanes.b)
                    }
                    ChannelLanes.store(SIMD8<Float>(a), count: count, into: sg, at: first)
                    ChannelLanes.store(SIMD8<Float>(b), count: count, into: sc, at: first)
                }
            }
        }
        return GradStats(sumG: sumG, sumGCentered: sumGC)
    }

    /// Training: gx = γ·σ⁻¹/M · (M·g' − Σg' − x̂·Σg'·x̂), M the `elements` the statistics ran
    /// over; evaluation: gx = γ·σ⁻¹·g'. g' is the gradient, gated by `gate` when given
    /// (`pxo_batch_norm_input_grad`, in AVX-512 or AVX2 lanes where the CPU has them).
    static func inputGrad(x: UnsafePointer<Float>, g: UnsafePointer<Float>, gate: ChannelLanes.Gate? = nil, mean: [Float],
                          invStd: [Float], gamma: [Float], sumG: [Float], sumGXhat: [Float], training: Bool, elements m: Float,
                          into gx: UnsafeMutablePointer<Float>, batch: Int, channels: Int, plane: Int) {
        parallelFor(batch * channels, grain: max(1, 32_768 / max(plane, 1))) { range in
            for nc in range {
                let c = nc % channels, off = nc * plane
                pxo_batch_norm_input_grad(x + off, g + off, gate.map { $0.output + off }, gate?.mask.low ?? 0, gate?.mask.high ?? 0,
                                          mean[c], invStd[c], gamma[c] * invStd[c], sumG[c] / m, sumGXhat[c] / m,
                                          training ? 1 : 0, gx + off, plane)
            }
        }
    }
}
