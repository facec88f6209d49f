import Foundation
import PixelOoDCommands
import PixelOoDMPI
import PixelOoDPlugins

// pixelood-mpi: `mpirun -np N pixelood-mpi eval RECIPE [options]` scores image i of every set
// on rank i % N and writes, on rank 0, the report one process writes; `pixelood-mpi sweep
// SWEEP` deals the sweep's runs over the ranks (docs/scaling.md). Data-parallel training is
// not built yet: pixelood trains.
let arguments = Array(CommandLine.arguments.dropFirst())
let distributed: Set<String> = ["eval", "sweep"]
guard let verb = arguments.first, distributed.contains(verb) || verb.hasPrefix("-") else {
    FileHandle.standardError.write(Data("""
        usage: mpirun -np N pixelood-mpi eval RECIPE [options of pixelood eval]
               mpirun -np N pixelood-mpi sweep SWEEP [options of pixelood sweep]
        pixelood-mpi splits eval and sweep over MPI ranks; \(arguments.first.map { "'\($0)'" } ?? "every other verb") runs in one process: use pixelood.\n
        """.utf8))
    exit(64)
}
let group: MPIGroup
do {
    group = try MPIGroup.initialize()
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
PixelOoD.main(plugins: bundledPlugins, arguments: arguments, group: group) { code in
    FileHandle.standardError.write(Data("rank \(group.rank) of \(group.size) failed: stopping every rank\n".utf8))
    MPIGroup.abort(code: code)
}
MPIGroup.finalize()
