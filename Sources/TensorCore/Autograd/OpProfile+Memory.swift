import Foundation

/// A buffer's bytes as an ``OpProfile`` counts them: charged to the op it was allocated for
/// (the next op charged after the allocation) until the buffer dies.
final class TrackedBytes: @unchecked Sendable {
    /// Bytes the buffer holds.
    let bytes: Int
    /// The op it is charged to (nil until that op is charged); guarded by the profile's lock.
    var op: String?
    /// Weak: a tensor may outlive the measurement that counted it.
    private weak var profile: OpProfile?

    init(bytes: Int, profile: OpProfile) { (self.bytes, self.profile) = (bytes, profile) }

    /// Called when the buffer dies.
    func release() { profile?.released(self) }
}

/// The most tensor memory alive at once inside an ``OpProfile``'s measurement.
public struct MemoryPeak: Sendable, Equatable {
    /// Bytes of live tensor buffers (their element bytes; views and allocator rounding not counted).
    public var bytes: Int
    /// The last op charged before the peak (the peak came while the op after it ran).
    public var after: String
    /// The live bytes at the peak per op that produced them; `"(being computed)"` holds the
    /// buffers of the op that was running.
    public var byOp: [String: Int]
}

extension OpProfile {
    /// The label of buffers allocated by an op that has not been charged yet.
    static let beingComputed = "(being computed)"

    /// The peak as text: the total, when it came, and the live bytes per producing op, most first.
    public func memoryReport() -> String {
        let peak = memoryPeak
        let megabytes = { (bytes: Int) in Double(bytes) / 1_048_576 }
        var lines = [String(format: "peak live tensor memory %.0f MB, reached after '%@'; alive then, by the op that made it:",
                            megabytes(peak.bytes), peak.after)]
        let width = max(24, peak.byOp.keys.map(\.count).max() ?? 0)
        for (op, bytes) in peak.byOp.filter({ $0.value > 0 }).sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
            lines.append(op.padding(toLength: width, withPad: " ", startingAt: 0)
                         + String(format: " %9.1f MB %6.1f%%", megabytes(bytes), 100 * Double(bytes) / Double(max(1, peak.bytes))))
        }
        return lines.joined(separator: "\n")
    }
}
