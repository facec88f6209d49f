import Foundation

/// A dense, contiguous Float32 tensor in row-major (NCHW) order with reverse-mode autograd.
///
/// `Tensor` is a value over reference-counted storage. Ops never write into an input that
/// anything else can see: each returns a new tensor (reshapes share storage), except that
/// a few elementwise ops reuse the storage of an input nobody else references when no tape
/// is recorded (see ``InPlace``) — tape-free inference then needs no extra buffer per op. When gradient recording is enabled
/// (see ``GradMode``) and an input requires a gradient, the result carries a ``GradNode``
/// that `backward()` walks in reverse.
///
/// PyTorch: `torch.Tensor` with `dtype=torch.float32`, always contiguous.
public struct Tensor: @unchecked Sendable {
    /// The extent of each axis; `[]` for a scalar.
    public let shape: [Int]
    /// The underlying elements. Package-only: outside code reads through
    /// ``withUnsafeBufferPointer(_:)`` and never writes into storage a snapshot may share.
    package var storage: TensorStorage
    /// The autograd node that produced this tensor, or the leaf node of a tensor that requires grad.
    public internal(set) var node: GradNode?

    /// Wraps existing storage. Preconditions that the element counts match.
    package init(shape: [Int], storage: TensorStorage) {
        require(Shape.count(shape) == storage.count,
                     "Tensor: shape \(shape) has \(Shape.count(shape)) elements, storage has \(storage.count)")
        self.shape = shape
        self.storage = storage
        self.node = nil
    }

    /// Creates a tensor from elements in row-major order.
    public init(shape: [Int], _ values: [Float]) {
        let storage = TensorStorage(uninitializedCount: values.count)
        values.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: values.count) }
        self.init(shape: shape, storage: storage)
    }

    /// A scalar (shape `[]`).
    public init(_ value: Float) { self.init(shape: [], [value]) }

    /// A tensor of `shape` filled with `value`. PyTorch: `torch.full`.
    public static func full(_ shape: [Int], _ value: Float) -> Tensor {
        Tensor(shape: shape, storage: TensorStorage(count: Shape.count(shape), repeating: value))
    }

    /// Zeros. PyTorch: `torch.zeros`.
    public static func zeros(_ shape: [Int]) -> Tensor { full(shape, 0) }

    /// Ones. PyTorch: `torch.ones`.
    public static func ones(_ shape: [Int]) -> Tensor { full(shape, 1) }

    /// Number of elements.
    public var count: Int { storage.count }
    /// Number of axes.
    public var rank: Int { shape.count }
    /// The elements in row-major order.
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: count)) }

    /// The value of a one-element tensor. PyTorch: `Tensor.item()`.
    public var item: Float {
        require(count == 1, "Tensor.item: tensor of shape \(shape) has \(count) elements")
        return storage.pointer[0]
    }

    /// Read-only access to the elements.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    /// Whether this tensor participates in autograd. PyTorch: `Tensor.requires_grad`.
    public var requiresGrad: Bool { node != nil }

    /// A leaf that accumulates a gradient in `backward()`. PyTorch: `requires_grad_()`.
    public func requiringGrad() -> Tensor {
        var leaf = detached()
        leaf.node = GradNode(leafShape: shape)
        return leaf
    }

    /// The same data without autograd history. PyTorch: `Tensor.detach()`.
    public func detached() -> Tensor { Tensor(shape: shape, storage: storage) }

    /// The accumulated gradient of a leaf after `backward()`. PyTorch: `Tensor.grad`.
    public var grad: Tensor? { node?.isLeaf == true ? node?.grad : nil }

    /// Multiplies a leaf's accumulated gradient by `factor` (gradient clipping), replacing
    /// it rather than writing into storage another gradient may share.
    package func scaleGrad(by factor: Float) {
        guard node?.isLeaf == true, let g = node?.grad else { return }
        node?.grad = GradMode.noGrad { g * factor }
    }

    /// Replaces a leaf's accumulated gradient with `gradient` (of its shape): the gradients
    /// summed over the ranks of a data-parallel step.
    package func replaceGrad(with gradient: Tensor) {
        guard node?.isLeaf == true else { return }
        require(gradient.shape == shape, "replaceGrad: gradient \(gradient.shape) for a tensor of shape \(shape)")
        node?.grad = gradient
    }

    /// Clears a leaf's accumulated gradient. PyTorch: `Tensor.grad = None`.
    public func zeroGrad() { if node?.isLeaf == true { node?.grad = nil } }

    /// A deep copy with fresh storage and no autograd history. PyTorch: `Tensor.clone().detach()`.
    public func copy() -> Tensor {
        let out = TensorStorage(uninitializedCount: count)
        out.pointer.update(from: storage.pointer, count: count)
        return Tensor(shape: shape, storage: out)
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = scalars.prefix(8).map { String(format: "%.4g", Double($0)) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(preview)\(count > 8 ? ", …" : "")])"
    }
}
