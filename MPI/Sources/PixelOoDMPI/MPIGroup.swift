import CMPI
import Foundation
import PixelOoDKit

/// Why an MPI call failed.
public struct MPIError: Error, CustomStringConvertible {
    /// What was asked of MPI, and what it answered.
    public let description: String
}

/// MPI_COMM_WORLD as a ``ProcessGroup``: the ranks `mpirun -np N` (or `srun`) started.
/// Call ``initialize()`` once before, ``finalize()`` once after.
public struct MPIGroup: ProcessGroup {
    /// This rank.
    public let rank: Int
    /// The ranks in MPI_COMM_WORLD.
    public let size: Int

    /// MPI_Init, then this rank's group.
    /// - Throws: ``MPIError`` when MPI cannot start.
    public static func initialize() throws -> MPIGroup {
        try check(MPI_Init(nil, nil), "MPI_Init")
        var rank: Int32 = 0, size: Int32 = 0
        try check(MPI_Comm_rank(pixelood_mpi_comm_world(), &rank), "MPI_Comm_rank")
        try check(MPI_Comm_size(pixelood_mpi_comm_world(), &size), "MPI_Comm_size")
        return MPIGroup(rank: Int(rank), size: Int(size))
    }

    /// The ranks on this rank's node (MPI_Comm_split_type, shared memory).
    /// - Throws: ``MPIError`` when a call fails.
    public func ranksOnNode() throws -> Int {
        var node: MPI_Comm? = nil
        try check(MPI_Comm_split_type(pixelood_mpi_comm_world(), pixelood_mpi_comm_type_shared(), Int32(rank),
                                      pixelood_mpi_info_null(), &node), "MPI_Comm_split_type")
        defer { MPI_Comm_free(&node) }
        var size: Int32 = 0
        try check(MPI_Comm_size(node, &size), "MPI_Comm_size")
        return Int(size)
    }

    /// MPI_Finalize.
    public static func finalize() { MPI_Finalize() }

    /// Stops every rank (MPI_Abort with `code`): what a rank that failed does, so that the
    /// others do not wait for it in a collective.
    public static func abort(code: Int32) -> Never {
        MPI_Abort(pixelood_mpi_comm_world(), code)
        exit(code)
    }

    /// Every rank's bytes on rank 0 (MPI_Gather of the sizes, then MPI_Gatherv).
    /// - Throws: ``MPIError`` when a call fails or the total passes MPI's 2³¹ − 1 byte count.
    public func gather(_ bytes: [UInt8]) throws -> [[UInt8]]? {
        let world = pixelood_mpi_comm_world()
        var count = Int64(bytes.count)
        var counts = [Int64](repeating: 0, count: rank == 0 ? size : 1)
        try check(MPI_Gather(&count, 1, pixelood_mpi_int64(), &counts, 1, pixelood_mpi_int64(), 0, world), "MPI_Gather")
        guard bytes.count <= Int(Int32.max) else {
            throw MPIError(description: "rank \(rank): a partial result of \(bytes.count) bytes passes MPI's 2^31 - 1 count")
        }
        var (receive, displacements, total) = ([Int32](), [Int32](), 0)
        if rank == 0 {
            for value in counts {
                displacements.append(Int32(clamping: total))
                receive.append(Int32(clamping: value))
                total += Int(value)
            }
            guard total <= Int(Int32.max) else {
                throw MPIError(description: "the partial results of all ranks (\(total) bytes) pass MPI's 2^31 - 1 count")
            }
        }
        var buffer = [UInt8](repeating: 0, count: max(1, total))
        try bytes.withUnsafeBytes { send in
            try buffer.withUnsafeMutableBytes { into in
                try check(MPI_Gatherv(send.baseAddress, Int32(bytes.count), pixelood_mpi_byte(), into.baseAddress, receive,
                                      displacements, pixelood_mpi_byte(), 0, world), "MPI_Gatherv")
            }
        }
        guard rank == 0 else { return nil }
        return zip(displacements, receive).map { Array(buffer[Int($0)..<Int($0) + Int($1)]) }
    }

    /// MPI_Allreduce (MPI_SUM) of float32 values, in place in a copy.
    /// - Throws: ``MPIError`` when it fails or `values` passes MPI's 2³¹ − 1 count.
    public func allReduceSum(_ values: [Float]) throws -> [Float] {
        try allReduce(values, pixelood_mpi_float())
    }

    /// MPI_Allreduce (MPI_SUM) of float64 values: synchronised batch-norm statistics. A failure
    /// stops every rank (MPI_Abort), as MPI's default error handler would.
    public func sum(_ values: [Double]) -> [Double] {
        do { return try allReduce(values, pixelood_mpi_double()) } catch {
            FileHandle.standardError.write(Data("pixelood-mpi: rank \(rank): \(error)\n".utf8))
            Self.abort(code: 1)
        }
    }

    private func allReduce<T>(_ values: [T], _ type: MPI_Datatype?) throws -> [T] {
        guard values.count <= Int(Int32.max) else {
            throw MPIError(description: "rank \(rank): \(values.count) values to sum pass MPI's 2^31 - 1 count")
        }
        var result = values
        try result.withUnsafeMutableBytes { buffer in
            try check(MPI_Allreduce(pixelood_mpi_in_place(), buffer.baseAddress, Int32(values.count), type, pixelood_mpi_sum(),
                                    pixelood_mpi_comm_world()), "MPI_Allreduce")
        }
        return result
    }

    /// MPI_Barrier.
    /// - Throws: ``MPIError`` when it fails.
    public func barrier() throws { try check(MPI_Barrier(pixelood_mpi_comm_world()), "MPI_Barrier") }

    private static func check(_ code: Int32, _ call: String) throws {
        guard code == MPI_SUCCESS else { throw MPIError(description: "\(call) failed with MPI error \(code)") }
    }

    private func check(_ code: Int32, _ call: String) throws { try Self.check(code, call) }
}
