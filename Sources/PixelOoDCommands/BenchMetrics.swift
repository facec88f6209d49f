import ArgumentParser
import Foundation
import OoDMetrics

/// `pixelood bench metrics`: scores synthetic pixels with the exact streaming metrics and
/// prints time and peak memory, for comparison with `scripts/bench/sklearn_metrics.py`.
struct BenchMetrics: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Benchmark AUROC/AuPRC/FPR95 over synthetic pixels (time and peak memory).",
        discussion: """
            Pixels come from the splitmix64 stream of scripts/fixtures/metrics.py (scores with \
            24-bit resolution, 10% anomalies, 5% void), fed as images of --image-pixels. Only \
            the metric work is timed; peak memory is the process's (VmHWM). --distinct draws \
            all-distinct scores instead (the worst case for memory); --metrics-memory spills \
            sorted runs to $TMPDIR past that size (same numbers).
            """)

    @Option(help: "Pixels to score.")
    var pixels = 100_000_000

    @Option(help: "Pixels per image.")
    var imagePixels = 2_097_152

    @Flag(help: "Every score distinct (SyntheticPixels.distinctPixel; at most 2^30 pixels).")
    var distinct = false

    @Option(help: ArgumentHelp("Spill sorted runs to temporary files past this size (bytes, or with K, M or G); default: never.",
                               valueName: "size"))
    var metricsMemory: String?

    func validate() throws {
        guard pixels > 0, imagePixels > 0 else { throw ValidationError("--pixels and --image-pixels must be positive") }
        if distinct, pixels > SyntheticPixels.distinctPixels { throw ValidationError("--distinct draws at most 2^30 pixels") }
        if let metricsMemory, MetricsMemoryArgument.bytes(metricsMemory) == nil {
            throw ValidationError("--metrics-memory '\(metricsMemory)' is not a size (e.g. 1073741824, 512M, 2G)")
        }
    }

    func run() throws {
        let spill = metricsMemory.flatMap(MetricsMemoryArgument.bytes).map { SpillPolicy(budgetBytes: $0) }
        let pixel = distinct ? SyntheticPixels.distinctPixel : SyntheticPixels.pixel
        var evaluation = try AnomalyEvaluation(spill: spill)
        var scores = [Float](repeating: 0, count: imagePixels), labels = [UInt8](repeating: 0, count: imagePixels)
        var seconds = 0.0
        var start = 0
        while start < pixels {
            let count = min(imagePixels, pixels - start)
            for i in 0..<count { (scores[i], labels[i]) = pixel(UInt64(start + i)) }
            let begin = DispatchTime.now()
            try evaluation.add(scores: Array(scores[..<count]), labels: Array(labels[..<count]))
            seconds += Double(DispatchTime.now().uptimeNanoseconds - begin.uptimeNanoseconds) / 1e9
            start += count
        }
        let begin = DispatchTime.now()
        let report = try evaluation.report()
        seconds += Double(DispatchTime.now().uptimeNanoseconds - begin.uptimeNanoseconds) / 1e9
        print(String(format: "pixels %d in %d images: AUROC %.9f  AuPRC %.9f  FPR95 %.9f (%@)", pixels, evaluation.imageCount,
                     report.auroc, report.averagePrecision, report.fpr, report.aggregation.rawValue))
        print(String(format: "metric time %.2f s (%.1f ns/pixel); histogram in memory %.0f MB, %d spill files; peak memory %.0f MB",
                     seconds, seconds * 1e9 / Double(pixels), Double(evaluation.memoryBytes) / 1e6, evaluation.spillFiles,
                     PeakMemory.megabytes))
    }
}
