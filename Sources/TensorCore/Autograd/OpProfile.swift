import Dispatch
import Foundation

/// Wall time per op of what runs inside ``measure(_:)`` (`pixelood bench model --profile`,
/// `bench step --profile`): every op that records itself (``Tensor`` ops, whether or not a
/// gradient is taken) is charged the time since the previous charge — its own computation
/// and whatever ran between the two (module glue, allocation) — and every backward rule its
/// own time, under `"<op> backward"`. Callers name their other phases with ``charge(_:)``
/// (the trainer: `data`, `optimizer step`). It also counts the tensor memory alive
/// (``memoryPeak``): every buffer allocated inside is charged to the op it was made for, until
/// it dies. The profile is a task-local value, bound only inside ``measure(_:)``: nothing is
/// timed or counted, and almost nothing is spent, anywhere else.
public final class OpProfile: @unchecked Sendable {
    /// One row of the profile.
    public struct Row: Sendable, Equatable {
        /// The op (`conv2d`, `conv2d backward`, or a caller's phase).
        public var op: String
        /// Times it was charged.
        public var calls: Int
        /// Seconds charged to it.
        public var seconds: Double
    }

    @TaskLocal static var current: OpProfile?

    private let lock = NSLock()
    private var last: UInt64 = 0
    private var rows: [String: Row] = [:]
    /// Buffers allocated since the last charge (charged to the next op), live bytes per op,
    /// their total, and the largest total so far.
    private var inFlight: [ObjectIdentifier: TrackedBytes] = [:]
    private var liveByOp: [String: Int] = [:]
    private var liveBytes = 0
    private var peak = MemoryPeak(bytes: 0, after: "", byOp: [:])
    private var lastLabel = "(start)"

    /// An empty profile.
    public init() {}

    /// Runs `body` with this profile charging every op it runs.
    public func measure<T>(_ body: () throws -> T) rethrows -> T {
        try Self.$current.withValue(self) {
            lock.withLock { last = DispatchTime.now().uptimeNanoseconds }
            return try body()
        }
    }

    /// Charges `label` with the time since the previous charge, when a profile is measuring.
    public static func charge(_ label: String) { current?.charge(label, now: DispatchTime.now().uptimeNanoseconds) }

    /// A new buffer of `bytes`, counted when a profile is measuring (nil otherwise).
    static func track(bytes: Int) -> TrackedBytes? { current?.allocated(bytes) }

    /// Times a backward rule under `"<op> backward"` when a profile is measuring.
    static func backward<T>(_ op: String, _ rule: () -> T) -> T {
        guard let profile = current else { return rule() }
        profile.charge("(between ops)", now: DispatchTime.now().uptimeNanoseconds)
        let result = rule()
        profile.charge(op + " backward", now: DispatchTime.now().uptimeNanoseconds)
        return result
    }

    private func charge(_ label: String, now: UInt64) {
        lock.withLock {
            var row = rows[label] ?? Row(op: label, calls: 0, seconds: 0)
            row.calls += 1
            row.seconds += Double(now &- last) / 1e9
            rows[label] = row
            last = now
            lastLabel = label
            for tracked in inFlight.values {
                tracked.op = label
                liveByOp[label, default: 0] += tracked.bytes
            }
            inFlight = [:]
        }
    }

    /// Counts a new buffer of `bytes` as alive, charged to the next op.
    fileprivate func allocated(_ bytes: Int) -> TrackedBytes {
        let tracked = TrackedBytes(bytes: bytes, profile: self)
        lock.withLock {
            inFlight[ObjectIdentifier(tracked)] = tracked
            liveBytes += bytes
            if liveBytes > peak.bytes {
                let computing = inFlight.values.reduce(0) { $0 + $1.bytes }
                peak = MemoryPeak(bytes: liveBytes, after: lastLabel, byOp: liveByOp.merging([Self.beingComputed: computing]) { $0 + $1 })
            }
        }
        return tracked
    }

    /// Counts `tracked`'s buffer as dead.
    func released(_ tracked: TrackedBytes) {
        lock.withLock {
            liveBytes -= tracked.bytes
            if let op = tracked.op { liveByOp[op, default: 0] -= tracked.bytes } else { inFlight[ObjectIdentifier(tracked)] = nil }
        }
    }

    /// The peak of live tensor memory so far.
    public var memoryPeak: MemoryPeak { lock.withLock { peak } }

    /// The rows, most time first.
    public var table: [Row] { lock.withLock { rows.values.sorted { ($0.seconds, $1.op) > ($1.seconds, $0.op) } } }

    /// The rows as an aligned text table: op, calls, total ms, share, ms per call (`per`
    /// divides the totals, e.g. by the timed repetitions).
    public func report(per repetitions: Int = 1) -> String {
        let rows = table, total = rows.reduce(0) { $0 + $1.seconds }
        let width = max(24, rows.map(\.op.count).max() ?? 0)
        var lines = ["op".padding(toLength: width, withPad: " ", startingAt: 0) + "     calls    total ms   share   ms/call"]
        let scale = 1e3 / Double(max(1, repetitions))
        for row in rows {
            lines.append(row.op.padding(toLength: width, withPad: " ", startingAt: 0)
                         + String(format: " %9.1f %11.2f %6.1f%% %9.3f", Double(row.calls) / Double(max(1, repetitions)), row.seconds * scale,
                                  total > 0 ? 100 * row.seconds / total : 0, row.seconds * 1e3 / Double(max(1, row.calls))))
        }
        lines.append("total".padding(toLength: width, withPad: " ", startingAt: 0) + String(repeating: " ", count: 10) + String(format: " %11.2f", total * scale))
        return lines.joined(separator: "\n")
    }
}
