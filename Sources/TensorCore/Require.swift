/// Checks a programmer-error condition inside an op, keeping the message in release builds.
///
/// Swift's `precondition` drops its message under `-O`, leaving users of release builds
/// (the only builds fast enough for this engine) with "precondition failure" and no shapes.
/// `require` reports the op and shapes whatever the optimisation level.
@inlinable
package func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                     file: StaticString = #fileID, line: UInt = #line) {
    if _slowPath(!condition()) { fatalError(message(), file: file, line: line) }
}

/// Stops on a broken internal contract (a model breaking its own promise), with the message
/// kept in release builds. Never for anything user input can reach.
package func contractViolation(_ message: @autoclosure () -> String,
                               file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError(message(), file: file, line: line)
}
