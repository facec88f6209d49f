import CHDF5
import Foundation

/// Serialises all HDF5 calls: Debian's libhdf5 is the non-thread-safe serial build,
/// and Swift tests and loaders call it from several threads.
enum HDF5Library {
    static let lock: NSLock = {
        let lock = NSLock()
        pxo_h5_silence_errors()
        return lock
    }()

    /// Runs `body` holding the library lock (re-entrant use is a programmer error).
    static func locked<R>(_ body: () throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
