import TensorCore

/// Base class of every layer and model: named parameters, buffers and children whose
/// dotted paths are PyTorch's state-dict keys.
///
/// Subclasses list their direct state by hand, under PyTorch's attribute names and in
/// PyTorch's registration order; the lists are computed, so a child replaced at run time
/// (a BatchNorm folded into its conv, a head swapped) is reflected at once. Everything
/// recursive — ``namedParameters()``, ``stateDict()``, ``load(_:strict:source:)``,
/// ``train()``, ``eval()``, ``freeze(prefix:)`` — is written once, in extensions.
///
/// PyTorch: `torch.nn.Module`.
open class Module {
    /// Whether this module runs in training mode (batch statistics, dropout). Per module,
    /// as in PyTorch, so frozen parts can stay in evaluation mode inside a training model.
    public internal(set) var isTraining = true

    /// Creates a module in training mode.
    public init() {}

    /// Direct submodules in registration order, under PyTorch attribute names (`"layer1"`,
    /// or `"0"`, `"1"`, … in containers).
    open var children: [(name: String, module: Module)] { [] }

    /// Parameters owned directly by this module (`"weight"`, `"bias"`).
    open var parameters: [(name: String, parameter: Parameter)] { [] }

    /// Persistent buffers owned directly by this module (`"running_mean"`, `"running_var"`,
    /// `"num_batches_tracked"`).
    open var buffers: [(name: String, buffer: Buffer)] { [] }

    /// The constructor arguments shown in ``summary``, e.g. `"3, 64, kernel_size=(3, 3)"`.
    open var extraDescription: String { "" }

    /// The type name shown in ``summary``.
    open var typeName: String { String(describing: type(of: self)) }

    /// The state ``load(_:strict:source:)`` applies when this module is the one loaded: a
    /// model whose layout extends a common one rewrites the common layout's entries here
    /// (DeepLabV3+ with an abstention output completes a K-class final layer with its own
    /// initialised row). Default: `state` unchanged.
    open func adaptedForLoading(_ state: StateDict) -> StateDict { state }

    /// What a failed load of this module should tell the user beyond the key lists: a model
    /// that knows which option explains a mismatch names it (DeepLabV3+: a K+1-row final layer
    /// is a PEBAL checkpoint, load it with `abstention: true`). Default: nothing.
    open func loadingHints(for mismatched: [StateDictError.Mismatch]) -> [String] { [] }
}

/// A module mapping one tensor to one tensor, so it can sit in a ``Sequential``.
public protocol UnaryLayer: Module {
    /// Applies the layer. Shape: as documented by each layer.
    func callAsFunction(_ x: Tensor) -> Tensor
}
