import CHDF5
import Foundation

/// Serialises all HDF5 calls: Debian's libhdf5 is the non-thread-safe serial build,
/// and tests and loaders call it from several threads.
enum HDF5Library {
    /// The process-wide lock; creating it also silences HDF5's own stderr error printing
    /// (errors are reported by the Swift layer, naming the file and object).
    static let lock: NSRecursiveLock = {
        let lock = NSRecursiveLock()
        pxo_h5_silence_errors()
        return lock
    }()

    /// Runs `body` holding the library lock.
    static func locked<R>(_ body: () throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
