import TensorCore

/// Batch normalisation over `[N, C, H, W]` with learnable affine parameters and running
/// statistics. Keys `weight`, `bias`, `running_mean`, `running_var`, `num_batches_tracked`.
///
/// In training mode it normalises with batch statistics and updates the running averages
/// (`running = (1 − momentum)·running + momentum·batch`, unbiased batch variance); in
/// evaluation mode it uses the running statistics. With a ``synchronizer`` the batch
/// statistics are those of every process's batch (PyTorch's `nn.SyncBatchNorm`).
///
/// PyTorch: `torch.nn.BatchNorm2d`.
public final class BatchNorm2d: Module, UnaryLayer {
    /// γ, initialised to 1.
    public let weight: Parameter
    /// β, initialised to 0.
    public let bias: Parameter
    /// Running mean, initialised to 0.
    public let runningMean: Buffer
    /// Running (unbiased) variance, initialised to 1.
    public let runningVar: Buffer
    /// Training-mode forward passes so far (int64 in checkpoints).
    public let numBatchesTracked: Buffer
    /// Added to the variance.
    public let eps: Float
    /// Weight of the newest batch in the running averages.
    public let momentum: Float
    /// In training, sums the batch statistics over the processes of a data-parallel run
    /// (synchronised batch norm); nil normalises with this process's batch alone.
    public var synchronizer: (any StatisticsReducer)?

    /// Creates a batch norm over `features` channels.
    public init(features: Int, eps: Float = 1e-5, momentum: Float = 0.1) {
        weight = Parameter(Tensor.ones([features]))
        bias = Parameter(Tensor.zeros([features]))
        runningMean = Buffer(Tensor.zeros([features]))
        runningVar = Buffer(Tensor.ones([features]))
        numBatchesTracked = Buffer(Tensor(0), dtype: .int64)
        (self.eps, self.momentum) = (eps, momentum)
    }

    /// Channels normalised.
    public var features: Int { weight.count }

    public override var parameters: [(name: String, parameter: Parameter)] { [("weight", weight), ("bias", bias)] }
    public override var buffers: [(name: String, buffer: Buffer)] {
        [("running_mean", runningMean), ("running_var", runningVar), ("num_batches_tracked", numBatchesTracked)]
    }
    public override var extraDescription: String { "\(features), eps=\(eps), momentum=\(momentum)" }

    /// This batch norm as a convolution's epilogue while it is in evaluation mode (nil in training).
    public var evaluationMap: FrozenBatchNorm? {
        isTraining ? nil : FrozenBatchNorm(weight: weight.value, bias: bias.value, runningMean: runningMean.value,
                                           runningVar: runningVar.value, eps: eps)
    }

    /// Shape: `[N, C, H, W]` → same.
    public func callAsFunction(_ x: Tensor) -> Tensor { self(x, adding: nil, activation: .none) }

    /// `activation(self(x) + residual)` (each part optional) as one op, with the values of the
    /// separate ops; in training the normalised tensor before the add and activation is not kept
    /// for the backward pass (``Tensor/batchNorm(weight:bias:runningMean:runningVar:training:eps:reducer:adding:activation:)``).
    public func callAsFunction(_ x: Tensor, adding residual: Tensor?, activation: ConvActivation) -> Tensor {
        let result = x.batchNorm(weight: weight.value, bias: bias.value, runningMean: runningMean.value,
                                 runningVar: runningVar.value, training: isTraining, eps: eps,
                                 reducer: synchronizer, adding: residual, activation: activation)
        if isTraining, let mean = result.batchMean, let variance = result.batchVarianceUnbiased {
            runningMean.value = runningMean.value * (1 - momentum) + Tensor(shape: [features], mean) * momentum
            runningVar.value = runningVar.value * (1 - momentum) + Tensor(shape: [features], variance) * momentum
            numBatchesTracked.value = Tensor(numBatchesTracked.value.item + 1)
        }
        return result.output
    }
}
