import Foundation

/// The sweep's results as one table, a paper's layout: a row per chosen report row, FPR95
/// and AuPRC per anomaly set (AUROC too in JSON), closed-set mIoU and training time. A point
/// run under several seeds is one row of means with the sample standard deviation (n − 1).
public struct SweepTable: Sendable, Codable {
    /// One row.
    public struct Row: Sendable, Codable {
        /// The label (the point's `table:` choice, or the point's name).
        public var label: String
        /// The point and the report method it comes from.
        public var point: String, method: String
        /// The seeds the numbers are over (empty: the point ran once with its recipe's seed).
        public var seeds: [UInt64]
        /// Per anomaly set, in column order: pooled FPR95, AuPRC, AUROC in percent, the mean
        /// over the seeds (nil: a report lacks the row).
        public var sets: [SetNumbers?]
        /// Per anomaly set: the standard deviation over the seeds (nil: fewer than two seeds).
        public var spread: [SetNumbers?]
        /// Per seed, in `seeds` order: that run's numbers per set.
        public var perSeed: [[SetNumbers?]]
        /// mIoU in percent on the point's validation split (mean over the seeds).
        public var meanIoU: Double?
        /// The mIoU's standard deviation over the seeds (nil: fewer than two seeds).
        public var meanIoUSpread: Double?
        /// Seconds the point trained (mean over the seeds).
        public var trainSeconds: Double

        enum CodingKeys: String, CodingKey {
            case label, point, method, seeds, sets, spread, perSeed = "per_seed", meanIoU = "mean_iou",
                 meanIoUSpread = "mean_iou_std", trainSeconds = "train_seconds"
        }
    }

    /// One set's numbers for one row, in percent.
    public struct SetNumbers: Sendable, Codable {
        public var fpr95: Double, auprc: Double, auroc: Double
    }

    /// The anomaly sets (columns), in the order the reports first name them.
    public var datasets: [String]
    /// The rows, in sweep order.
    public var rows: [Row]

    /// The table of `results`: the runs of one point (its seeds) make one row per chosen method.
    public init(_ results: [SweepPointResult]) {
        let datasets = results.flatMap { $0.report?.rows ?? [] }.map(\.dataset).distinctInOrder()
        self.datasets = datasets
        rows = results.map(\.name).distinctInOrder().flatMap { name in
            let runs = results.filter { $0.name == name }
            return runs[0].rows.map { choice in
                let perSeed = runs.map { run in
                    datasets.map { set -> SetNumbers? in
                        guard let row = run.report?.rows.first(where: { $0.dataset == set && $0.method == choice.method }) else { return nil }
                        return SetNumbers(fpr95: 100 * row.pooled.fpr, auprc: 100 * row.pooled.averagePrecision, auroc: 100 * row.pooled.auroc)
                    }
                }
                let columns = datasets.indices.map { column in perSeed.map { $0[column] } }
                let ious = runs.compactMap { $0.report?.meanIoU.map { 100 * $0 } }
                return Row(label: choice.label, point: name, method: choice.method, seeds: runs.compactMap(\.seed),
                           sets: columns.map { Self.combined($0, Self.mean) }, spread: columns.map { Self.combined($0, Self.standardDeviation) },
                           perSeed: perSeed, meanIoU: Self.mean(ious), meanIoUSpread: Self.standardDeviation(ious),
                           trainSeconds: Self.mean(runs.map(\.trainSeconds)) ?? 0)
            }
        }
    }

    /// `statistic` of each number over the runs (nil when a run lacks the set or the statistic is undefined).
    private static func combined(_ runs: [SetNumbers?], _ statistic: ([Double]) -> Double?) -> SetNumbers? {
        let present = runs.compactMap { $0 }
        guard present.count == runs.count, let fpr95 = statistic(present.map(\.fpr95)), let auprc = statistic(present.map(\.auprc)),
              let auroc = statistic(present.map(\.auroc)) else { return nil }
        return SetNumbers(fpr95: fpr95, auprc: auprc, auroc: auroc)
    }

    private static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// The sample standard deviation (n − 1); nil for fewer than two values.
    private static func standardDeviation(_ values: [Double]) -> Double? {
        guard values.count > 1, let mean = mean(values) else { return nil }
        return (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
    }

    /// Whether any row is over several seeds (the markdown then shows mean ± std and n).
    private var seeded: Bool { rows.contains { $0.seeds.count > 1 } }

    /// Markdown: `| method | <set> FPR95 ↓ | <set> AuPRC ↑ | … | mIoU ↑ | train s |`, with a
    /// `seeds` column and `mean ± std` cells when a row is over several seeds; a report row a
    /// point lacks shows as `—`.
    public var markdown: String {
        let header = ["method"] + (seeded ? ["seeds"] : []) + datasets.flatMap { ["\($0) FPR95 ↓", "\($0) AuPRC ↑"] } + ["mIoU ↑", "train s"]
        var lines = ["| " + header.joined(separator: " | ") + " |", "|" + String(repeating: "---|", count: header.count)]
        for row in rows {
            let numbers = zip(row.sets, row.spread).flatMap { set, spread in
                set.map { [format($0.fpr95, spread?.fpr95), format($0.auprc, spread?.auprc)] } ?? ["—", "—"]
            }
            let seeds = seeded ? [row.seeds.isEmpty ? "—" : "\(row.seeds.count)"] : []
            let cells = [row.label] + seeds + numbers + [row.meanIoU.map { format($0, row.meanIoUSpread) } ?? "—",
                                                         row.trainSeconds > 0 ? String(format: "%.0f", row.trainSeconds) : "—"]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func format(_ value: Double, _ spread: Double?) -> String {
        format(value) + (spread.map { " ± " + format($0) } ?? "")
    }

    private func format(_ value: Double) -> String { value.isFinite ? String(format: "%.2f", value) : "nan" }

    /// Writes `sweep.md` and `sweep.json` into `folder` (each atomically).
    public func write(to folder: String, title: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try JSONEncoder.reports.encode(self).write(to: URL(fileURLWithPath: folder + "/sweep.json"), options: .atomic)
        let seeds = seeded ? " Rows over several seeds: mean ± sample standard deviation (n − 1), each seed's numbers in sweep.json; seeds —: the point trains nothing, so it ran once (no seed spread)." : ""
        let text = "# \(title)\n\nPooled pixel metrics per set in percent (FPR95 by the nearest-recall rule; AUROC in sweep.json).\(seeds)\n\n" + markdown
        try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/sweep.md"), options: .atomic)
    }
}
