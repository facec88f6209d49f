/// The processes one run is split over (MPI ranks under `pixelood-mpi`), as the evaluator
/// sees them: image `i` of every set is scored by rank `i % size`, and the partial results
/// meet on rank 0, which writes the report, the same to the last bit as one process writes.
/// The MPI package implements it over `MPI_Gatherv`; one process is ``SingleProcess``.
public protocol ProcessGroup: Sendable {
    /// This process's rank, `0..<size`.
    var rank: Int { get }
    /// Processes in the group.
    var size: Int { get }
    /// Called by every rank with its bytes: on rank 0, every rank's bytes in rank order;
    /// elsewhere nil.
    /// - Throws: when the group cannot communicate.
    func gather(_ bytes: [UInt8]) throws -> [[UInt8]]?
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
}
