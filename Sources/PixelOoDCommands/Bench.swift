import ArgumentParser
import Foundation
import TensorCore

/// `pixelood bench`: the benchmarks, one subcommand each.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks: the tensor engine (default) and the anomaly metrics.",
        subcommands: [BenchEngine.self, BenchMetrics.self, BenchModel.self, BenchStep.self, BenchData.self, BenchEval.self], defaultSubcommand: BenchEngine.self)
}

/// `pixelood bench engine`: times the engine's kernels, forward and backward, and the OpenBLAS
/// sgemm peak in the same run, so results can be quoted as ratios.
struct BenchEngine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Benchmark the tensor engine (sgemm, convolutions, batch norm, resize).",
        discussion: """
            Prints the OpenBLAS kernel core in use, then one row per op: median milliseconds of \
            forward and backward, GFLOP/s where meaningful, and the forward rate as a percentage \
            of the sgemm rate measured in this run. Compare with scripts/bench/torch_ops.py run \
            with the same thread count.
            """)

    @Option(help: "Timed repetitions per op (the median is reported).")
    var repeats = 5

    @Option(help: "Write the results as JSON to this file as well.")
    var json: String?

    @Option(help: "Run only ops whose name contains this text.")
    var filter: String?

    func validate() throws {
        guard repeats > 0 else { throw ValidationError("--repeats must be positive") }
    }

    func run() throws {
        try BLAS.load()
        print("OpenBLAS core: \(BLAS.coreName) (chosen by PixelOoD: \(BLAS.chosenCore ?? "no, kept OpenBLAS's or the user's"))")
        print("workers: \(BLAS.workers) (OpenBLAS \(BLAS.threadsPerCall) thread per call)")
        let cases = BenchCase.all().filter { filter == nil || $0.name.contains(filter!) }
        var results: [BenchResult] = []
        var sgemmRate: Double?
        print(BenchResult.header)
        for benchCase in cases {
            let result = benchCase.measure(repeats: repeats)
            if benchCase.name.hasPrefix("sgemm") { sgemmRate = result.forwardGFLOPs }
            results.append(result)
            print(result.row(sgemmRate: sgemmRate))
        }
        if let json {
            let data = try JSONEncoder.pretty.encode(BenchReport(core: BLAS.coreName, sgemmGFLOPs: sgemmRate, results: results))
            try data.write(to: URL(fileURLWithPath: json), options: .atomic)
        }
    }
}

extension JSONEncoder {
    /// Sorted, indented output for files people read and diff.
    static var pretty: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }
}
