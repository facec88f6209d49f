import TensorCore

/// The processes one run is split over (MPI ranks under `pixelood-mpi`): the evaluator scores
/// image `i` of every set on rank `i % size` and merges the partial results on rank 0, which
/// writes the report, the same to the last bit as one process writes; a sweep deals its runs
/// over the ranks; the trainer gives each rank its share of every global batch, sums the
/// gradients (``allReduceSum(_:)``) and synchronises batch norm (``sum(_:)``). The MPI
/// package implements it over `MPI_Gatherv`, `MPI_Allreduce` and `MPI_Barrier`; one process
/// is ``SingleProcess``.
public protocol ProcessGroup: StatisticsReducer {
    /// This process's rank, `0..<size`.
    var rank: Int { get }
    /// Processes in the group.
    var size: Int { get }
    /// Called by every rank with its bytes: on rank 0, every rank's bytes in rank order;
    /// elsewhere nil.
    /// - Throws: when the group cannot communicate.
    func gather(_ bytes: [UInt8]) throws -> [[UInt8]]?
    /// Returns on every rank once every rank has called it.
    /// - Throws: when the group cannot communicate.
    func barrier() throws
    /// The element-wise sum of every rank's `values` (the same length on every rank), the
    /// same array on every rank: gradients and loss values of a data-parallel step.
    /// - Throws: when the group cannot communicate.
    func allReduceSum(_ values: [Float]) throws -> [Float]
}

/// A group of one process: rank 0 of 1.
public struct SingleProcess: ProcessGroup {
    /// The one process.
    public init() {}
    /// 0.
    public var rank: Int { 0 }
    /// 1.
    public var size: Int { 1 }
    /// `[bytes]`.
    public func gather(_ bytes: [UInt8]) throws -> [[UInt8]]? { [bytes] }
    /// Nothing to wait for.
    public func barrier() throws {}
    /// `values`.
    public func allReduceSum(_ values: [Float]) throws -> [Float] { values }
    /// `values`.
    public func sum(_ values: [Double]) -> [Double] { values }
}
