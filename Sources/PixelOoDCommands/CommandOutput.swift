import ArgumentParser
import Foundation
import OoDKit

// How long-running commands stop on Ctrl-C and keep their output in order.

/// Runs `body` with Ctrl-C routed to an ``InterruptFlag``: the training in flight finishes
/// its step and checkpoints, then the command prints why it stopped (and `hint`, how to
/// continue) and exits with status 130.
func interruptible<T>(hint: String? = nil, _ body: (InterruptFlag) throws -> T) throws -> T {
    let interrupt = InterruptFlag()
    interrupt.catchInterrupts()
    do {
        return try body(interrupt)
    } catch let error as TrainError {
        if case .interrupted = error {
            sayOnStandardError("\(error)" + (hint.map { "\n" + $0 } ?? ""))
            throw ExitCode(130)
        }
        throw error
    }
}

/// Prints `line` to standard output and flushes it, so that a result printed between
/// progress lines (standard error) keeps its place when both go to one log.
func printNow(_ line: String) {
    print(line)
    fflush(nil)
}

/// Writes `line` and a newline to standard error (status lines of long commands).
func sayOnStandardError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
