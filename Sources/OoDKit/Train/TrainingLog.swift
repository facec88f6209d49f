import Foundation

/// One JSON line per step in `<work_dir>/<stage>/log.jsonl`: stage, step, learning rate,
/// total loss, every term by name (in the recipe's order) and seconds. Appended and flushed
/// per line, so a crash loses at most the line being written; a resumed run truncates the
/// lines past its checkpoint first, so the file always equals an uninterrupted run's.
final class TrainingLog {
    private let handle: FileHandle
    let path: String

    /// Opens (creating) the log and keeps the first `keepSteps` step lines.
    init(path: String, keepSteps: Int) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        var kept = ""
        if keepSteps > 0, let old = try? String(contentsOf: url, encoding: .utf8) {
            kept = old.split(separator: "\n").prefix(keepSteps).map { $0 + "\n" }.joined()
        }
        try Data(kept.utf8).write(to: url, options: .atomic)
        handle = try FileHandle(forWritingTo: url)
        handle.seekToEndOfFile()
    }

    deinit { try? handle.close() }

    /// Appends one step.
    func append(stage: String, step: Int, learningRate: Float, loss: Float, terms: [(String, Float)], seconds: Double) {
        let termText = terms.map { "\"\(Self.escaped($0.0))\": \(Self.number($0.1))" }.joined(separator: ", ")
        let line = "{\"stage\": \"\(Self.escaped(stage))\", \"step\": \(step), \"lr\": \(Self.number(learningRate)), "
            + "\"loss\": \(Self.number(loss)), \"terms\": {\(termText)}, \"seconds\": \(String(format: "%.4f", seconds))}\n"
        handle.write(Data(line.utf8))
    }

    /// A float in JSON: shortest round-trip text; non-finite values as strings.
    static func number(_ value: Float) -> String { value.isFinite ? "\(value)" : "\"\(value)\"" }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
