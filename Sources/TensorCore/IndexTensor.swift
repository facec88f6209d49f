/// A contiguous integer tensor for labels and indices (class maps, gather indices).
///
/// PyTorch: a `torch.long` tensor. Values are stored as `Int32`, enough for class ids,
/// pixel indices of a batch and ignore labels such as 255 or −100.
public struct IndexTensor: Sendable, Equatable {
    /// The extent of each axis.
    public let shape: [Int]
    /// The values in row-major order.
    public let values: [Int32]

    /// Creates an index tensor; preconditions that the counts match.
    public init(shape: [Int], _ values: [Int32]) {
        require(Shape.count(shape) == values.count,
                     "IndexTensor: shape \(shape) needs \(Shape.count(shape)) values, got \(values.count)")
        self.shape = shape
        self.values = values
    }

    /// Creates an index tensor from `Int` values.
    public init(shape: [Int], _ values: [Int]) { self.init(shape: shape, values.map { Int32($0) }) }

    /// Number of elements.
    public var count: Int { values.count }
}
