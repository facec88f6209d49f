import Dispatch
import Foundation

/// Set when the user presses Ctrl-C (SIGINT) while training runs: the trainer finishes the
/// current step, writes a checkpoint and stops. Owned by the command, handed to the trainer;
/// no global state (a dispatch signal source captures the flag object).
public final class InterruptFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false
    private var source: (any DispatchSourceSignal)?

    /// A flag nothing raises until ``catchInterrupts()``.
    public init() {}

    /// Whether an interrupt arrived.
    public var isRaised: Bool { lock.lock(); defer { lock.unlock() }; return raised }

    /// Raises the flag (tests; the signal handler).
    public func raise() { lock.lock(); raised = true; lock.unlock() }

    /// Routes SIGINT to this flag instead of killing the process. A second Ctrl-C while the
    /// checkpoint is written still waits for it; the process exits after.
    public func catchInterrupts() {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [weak self] in self?.raise() }
        source.resume()
        self.source = source
    }

    deinit {
        source?.cancel()
    }
}
