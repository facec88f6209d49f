import Foundation

/// One loss term's course over a stage, read back from the stage's `log.jsonl` and binned
/// for a chart: `report.html` draws one per term, `report.md` lists its start and end.
public struct TrainingCurve: Sendable, Codable, Equatable {
    /// The stage.
    public var stage: String
    /// The term's name as logged (`rpl.positive_energy`), or `loss` for the weighted total.
    public var term: String
    /// The last step of each bin.
    public var steps: [Int]
    /// The mean of each bin's finite values.
    public var values: [Double]

    /// Bins at most this many to a curve (a 14,800-step run keeps its shape in 200 means).
    public static let maximumPoints = 200

    /// The mean of the first and of the last tenth of the bins: where the term started and ended.
    public var startAndEnd: (start: Double, end: Double)? {
        guard !values.isEmpty else { return nil }
        let tenth = max(1, values.count / 10)
        return (values.prefix(tenth).reduce(0, +) / Double(tenth), values.suffix(tenth).reduce(0, +) / Double(tenth))
    }

    /// The curves of every stage that logged steps in the run of `layout`, in stage order and, within
    /// a stage, total first, then the terms in the log's (the recipe's) order. Stages without
    /// a log (fitted, not yet trained) give none; unreadable lines are skipped.
    public static func read(_ layout: RunLayout, stages: [String]) -> [TrainingCurve] {
        stages.flatMap { stage -> [TrainingCurve] in
            guard let text = try? String(contentsOfFile: layout.log(stage), encoding: .utf8) else { return [] }
            return parse(text, stage: stage)
        }
    }

    /// The curves of one stage's log text.
    static func parse(_ text: String, stage: String) -> [TrainingCurve] {
        var names: [String] = []
        var series: [String: [(step: Int, value: Double)]] = [:]
        for line in text.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let step = object["step"] as? Int, let terms = object["terms"] as? [String: Any] else { continue }
            if names.isEmpty { names = ["loss"] + termOrder(in: line).filter { terms[$0] != nil } }
            for name in names {
                let value = name == "loss" ? object["loss"] : terms[name]
                if let number = value as? Double, number.isFinite { series[name, default: []].append((step, number)) }
            }
        }
        return names.compactMap { name in
            guard let points = series[name], !points.isEmpty else { return nil }
            let size = (points.count + maximumPoints - 1) / maximumPoints
            let bins = stride(from: 0, to: points.count, by: size).map { points[$0..<min(points.count, $0 + size)] }
            return TrainingCurve(stage: stage, term: name, steps: bins.map { $0.last!.step },
                                 values: bins.map { bin in bin.reduce(0) { $0 + $1.value } / Double(bin.count) })
        }
    }

    /// The keys of a log line's `terms` object in the order written (JSON objects decode unordered).
    private static func termOrder(in line: Substring) -> [String] {
        guard let open = line.range(of: "\"terms\": {"), let close = line[open.upperBound...].firstIndex(of: "}") else { return [] }
        return line[open.upperBound..<close].split(separator: ",").compactMap { entry in
            let parts = entry.split(separator: "\"", omittingEmptySubsequences: false)
            return parts.count >= 2 ? String(parts[1]) : nil
        }
    }
}
