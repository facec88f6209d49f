import TensorCore

/// A trainable tensor owned by a module. A reference type, so optimizers update it in
/// place and autograd leaves keep their identity across steps.
///
/// PyTorch: `torch.nn.Parameter`.
public final class Parameter {
    /// The current value; a gradient-accumulating leaf while ``requiresGrad`` is true.
    public private(set) var value: Tensor

    /// Whether backward computes a gradient for this parameter. Setting it to false
    /// (freezing) detaches the value, so ops on it record no tape.
    /// PyTorch: `Parameter.requires_grad`.
    public var requiresGrad: Bool {
        didSet { if requiresGrad != oldValue { value = requiresGrad ? value.requiringGrad() : value.detached() } }
    }

    /// Wraps `value`; trainable unless `requiresGrad` is false.
    public init(_ value: Tensor, requiresGrad: Bool = true) {
        self.requiresGrad = requiresGrad
        self.value = requiresGrad ? value.requiringGrad() : value.detached()
    }

    /// The gradient accumulated by `backward()`, if any. PyTorch: `Parameter.grad`.
    public var grad: Tensor? { value.grad }

    /// Replaces the value (same shape) with a copy of `tensor`, dropping any gradient.
    public func assign(_ tensor: Tensor) {
        require(tensor.shape == value.shape, "Parameter.assign: shape \(tensor.shape) != \(value.shape)")
        value = requiresGrad ? tensor.copy().requiringGrad() : tensor.copy()
    }

    /// The value's elements for an in-place update (optimizers), copied into fresh storage
    /// first when anything else shares them — a state-dict snapshot taken earlier keeps the
    /// values it was taken with (copy-on-write). The autograd leaf keeps its identity.
    package func mutableElements() -> UnsafeMutablePointer<Float> {
        if !isKnownUniquelyReferenced(&value.storage) || value.storage.base != nil {
            let fresh = TensorStorage(uninitializedCount: value.count)
            fresh.pointer.update(from: value.storage.pointer, count: value.count)
            value.storage = fresh
        }
        return value.storage.pointer
    }

    /// Multiplies the accumulated gradient by `factor` (gradient clipping).
    public func scaleGradient(by factor: Float) { value.scaleGrad(by: factor) }

    /// Replaces the gradient (the sum over the ranks of a data-parallel step).
    package func replaceGradient(with gradient: Tensor) { value.replaceGrad(with: gradient) }
    /// Clears the gradient. PyTorch: `Parameter.grad = None`.
    public func zeroGrad() { value.zeroGrad() }

    /// Number of elements.
    public var count: Int { value.count }
}

/// Persistent, non-trainable state of a module (BatchNorm's running statistics).
///
/// PyTorch: a tensor registered with `register_buffer`.
public final class Buffer {
    /// The current value (never requires grad).
    public var value: Tensor
    /// How the value is stored in checkpoints (`num_batches_tracked` is int64).
    public let dtype: StateDict.DType

    /// Wraps `value`.
    public init(_ value: Tensor, dtype: StateDict.DType = .float32) {
        self.value = value.detached()
        self.dtype = dtype
    }
}
