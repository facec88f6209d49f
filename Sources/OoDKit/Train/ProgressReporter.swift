import Foundation

/// How training reports progress.
public enum ProgressStyle: String, Sendable, CaseIterable {
    /// A bar redrawn in place when standard error is a terminal, plain lines otherwise.
    case auto
    /// One line every 5% of the stage (or 30 s), for logs and CI.
    case plain
    /// Nothing.
    case none
}

/// Draws the progress of one stage (or any long job) on standard error: step, rate, ETA and
/// the latest loss.
public struct ProgressReporter: Sendable {
    /// What the lines are prefixed with.
    public let stage: String
    /// The step count at which the job is done.
    public let total: Int
    /// Bar, lines or nothing.
    public let style: ProgressStyle
    private let start = Date()
    private let firstStep: Int
    private var lastPlain = Date.distantPast
    private let isTerminal: Bool

    /// A reporter for steps `firstStep + 1 … total` (a resumed stage starts past 0).
    public init(stage: String, total: Int, firstStep: Int = 0, style: ProgressStyle) {
        (self.stage, self.total, self.firstStep, self.style) = (stage, total, firstStep, style)
        isTerminal = style == .auto && isatty(STDERR_FILENO) == 1
    }

    /// Reports that `step` (1-based) finished, with its loss when there is one.
    public mutating func update(step: Int, loss: Float? = nil) {
        guard style != .none else { return }
        let elapsed = Date().timeIntervalSince(start)
        let rate = Double(step - firstStep) / max(elapsed, 1e-9)
        let eta = rate > 0 ? Double(total - step) / rate : 0
        let text = "\(stage): step \(step)/\(total)  \(String(format: "%.2f", rate)) it/s  ETA \(Self.clock(eta))"
            + (loss.map { "  loss " + String(format: "%.4f", $0) } ?? "")
        if isTerminal {
            let width = 24, filled = Int(Double(width) * Double(step) / Double(max(1, total)))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            FileHandle.standardError.write(Data("\r\(bar) \(text)\u{1B}[K".utf8))
            if step == total { FileHandle.standardError.write(Data("\n".utf8)) }
        } else {
            let every = max(1, total / 20)
            guard step == total || step % every == 0 || Date().timeIntervalSince(lastPlain) > 30 else { return }
            lastPlain = Date()
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
