/// The processes one run is split over (MPI ranks under `pixelood-mpi`): the evaluator scores
/// image `i` of every set on rank `i % size` and merges the partial results on rank 0, which
/// writes the report, the same to the last bit as one process writes; a sweep deals its runs
/// over the ranks. The MPI package implements it over `MPI_Gatherv` and `MPI_Barrier`; one
/// process is ``SingleProcess``.
public protocol ProcessGroup: Sendable {
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
}
