import Foundation
import PixelOoDCommands
import PixelOoDMPI
import PixelOoDPlugins
import PixelOoDKit

// pixelood-mpi: `mpirun -np N pixelood-mpi train RECIPE [options]` trains data-parallel, each
// rank on its share of every global batch, gradients summed, batch norm synchronised, rank 0
// writing the checkpoints and the log; `pixelood-mpi eval RECIPE` scores image i of every set
// on rank i % N and writes, on rank 0, the report one process writes; `pixelood-mpi sweep
// SWEEP` deals the sweep's runs over the ranks (docs/scaling.md).
var arguments = Array(CommandLine.arguments.dropFirst())
// --threads-per-rank N (anywhere): the engine's threads in each rank; default: the node's
// cores over its ranks (mpirun does not pin them by default; the engine cannot see a pinning).
var threadsPerRank: Int?
if let flag = arguments.firstIndex(of: "--threads-per-rank") {
    guard flag + 1 < arguments.count, let threads = Int(arguments[flag + 1]), threads > 0 else {
        FileHandle.standardError.write(Data("error: --threads-per-rank takes a positive number of threads\n".utf8))
        exit(64)
    }
    threadsPerRank = threads
    arguments.removeSubrange(flag...flag + 1)
}
let distributed: Set<String> = ["train", "eval", "sweep"]
guard let verb = arguments.first, distributed.contains(verb) || verb.hasPrefix("-") else {
    FileHandle.standardError.write(Data("""
        usage: mpirun -np N pixelood-mpi train RECIPE [options of pixelood train] [--threads-per-rank T]
               mpirun -np N pixelood-mpi eval RECIPE [options of pixelood eval] [--threads-per-rank T]
               mpirun -np N pixelood-mpi sweep SWEEP [options of pixelood sweep] [--threads-per-rank T]
        pixelood-mpi splits train, eval and sweep over MPI ranks; \(arguments.first.map { "'\($0)'" } ?? "every other verb") runs in one process: use pixelood.\n
        """.utf8))
    exit(64)
}
let group: MPIGroup
do {
    group = try MPIGroup.initialize()
    // Before the engine first splits work: it reads PIXELOOD_THREADS once.
    let threads = try threadsPerRank ?? max(1, ProcessInfo.processInfo.activeProcessorCount / group.ranksOnNode())
    setenv(ParallelWorkers.variable, String(threads), 1)
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
PixelOoD.main(plugins: bundledPlugins, arguments: arguments, group: group) { code in
    FileHandle.standardError.write(Data("rank \(group.rank) of \(group.size) failed: stopping every rank\n".utf8))
    MPIGroup.abort(code: code)
}
MPIGroup.finalize()
