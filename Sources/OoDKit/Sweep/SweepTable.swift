import Foundation

/// The sweep's results as one table, a paper's layout: a row per chosen report row, FPR95
/// and AuPRC per anomaly set (AUROC too in JSON), closed-set mIoU and training time.
public struct SweepTable: Sendable, Codable {
    /// One row.
    public struct Row: Sendable, Codable {
        /// The label (the point's `table:` choice, or the point's name).
        public var label: String
        /// The point and the report method it comes from.
        public var point: String, method: String
        /// Per anomaly set, in column order: pooled FPR95, AuPRC, AUROC in percent (nil: the report lacks the row).
        public var sets: [SetNumbers?]
        /// mIoU in percent on the point's validation split.
        public var meanIoU: Double?
        /// Seconds the point trained.
        public var trainSeconds: Double

        enum CodingKeys: String, CodingKey {
            case label, point, method, sets, meanIoU = "mean_iou", trainSeconds = "train_seconds"
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

    /// The table of `results`.
    public init(_ results: [SweepPointResult]) {
        let datasets = results.flatMap { $0.report?.rows ?? [] }.map(\.dataset).distinctInOrder()
        self.datasets = datasets
        rows = results.flatMap { result in
            result.rows.map { choice in
                let sets = datasets.map { set -> SetNumbers? in
                    guard let row = result.report?.rows.first(where: { $0.dataset == set && $0.method == choice.method }) else { return nil }
                    return SetNumbers(fpr95: 100 * row.pooled.fpr, auprc: 100 * row.pooled.averagePrecision, auroc: 100 * row.pooled.auroc)
                }
                return Row(label: choice.label, point: result.name, method: choice.method, sets: sets,
                           meanIoU: result.report?.meanIoU.map { 100 * $0 }, trainSeconds: result.trainSeconds)
            }
        }
    }

    /// Markdown: `| method | <set> FPR95 ↓ | <set> AuPRC ↑ | … | mIoU ↑ | train s |`; a report
    /// row the point lacks shows as `—`.
    public var markdown: String {
        let header = ["method"] + datasets.flatMap { ["\($0) FPR95 ↓", "\($0) AuPRC ↑"] } + ["mIoU ↑", "train s"]
        var lines = ["| " + header.joined(separator: " | ") + " |", "|" + String(repeating: "---|", count: header.count)]
        for row in rows {
            let numbers = row.sets.flatMap { set in set.map { [format($0.fpr95), format($0.auprc)] } ?? ["—", "—"] }
            let cells = [row.label] + numbers + [row.meanIoU.map(format) ?? "—", row.trainSeconds > 0 ? String(format: "%.0f", row.trainSeconds) : "—"]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func format(_ value: Double) -> String { value.isFinite ? String(format: "%.2f", value) : "nan" }

    /// Writes `sweep.md` and `sweep.json` into `folder` (each atomically).
    public func write(to folder: String, title: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try JSONEncoder.reports.encode(self).write(to: URL(fileURLWithPath: folder + "/sweep.json"), options: .atomic)
        let text = "# \(title)\n\nPooled pixel metrics per set in percent (FPR95 by the nearest-recall rule; AUROC in sweep.json).\n\n" + markdown
        try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/sweep.md"), options: .atomic)
    }
}
