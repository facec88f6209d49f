import Foundation
import OoDKit

/// A ``ProcessGroup`` of threads in one process, for testing what runs split over MPI ranks:
/// ``run(ranks:_:)`` calls `body` on `ranks` threads, each with its rank's group.
public final class ThreadGroup: @unchecked Sendable {
    private let condition = NSCondition()
    private let size: Int
    private var slots: [[UInt8]?]
    private var arrived = 0, round = 0
    private var gathered: [[UInt8]] = []

    private init(size: Int) {
        self.size = size
        slots = Array(repeating: nil, count: size)
    }

    /// Runs `body(group)` for every rank at once and returns the results in rank order
    /// (rethrowing the first rank's error).
    public static func run<T: Sendable>(ranks: Int, _ body: @escaping @Sendable (any ProcessGroup) throws -> T) throws -> [T] {
        let shared = ThreadGroup(size: ranks)
        let results = Results<T>(count: ranks)
        let finished = DispatchGroup()
        for rank in 0..<ranks {  // a thread each: every rank must run at once to meet in gather
            finished.enter()
            Thread {
                results.set(rank, Result { try body(Rank(shared: shared, rank: rank)) })
                finished.leave()
            }.start()
        }
        finished.wait()
        return try results.values.map { try $0.get() }
    }

    fileprivate func gather(_ bytes: [UInt8], rank: Int) -> [[UInt8]]? {
        condition.lock()
        defer { condition.unlock() }
        let mine = round
        slots[rank] = bytes
        arrived += 1
        if arrived == size {
            gathered = slots.compactMap { $0 }
            (slots, arrived, round) = (Array(repeating: nil, count: size), 0, round + 1)
            condition.broadcast()
        } else {
            while round == mine { condition.wait() }
        }
        return rank == 0 ? gathered : nil
    }

    private struct Rank: ProcessGroup {
        let shared: ThreadGroup
        let rank: Int
        var size: Int { shared.size }
        func gather(_ bytes: [UInt8]) throws -> [[UInt8]]? { shared.gather(bytes, rank: rank) }
        func barrier() throws { _ = shared.gather([], rank: rank) }  // every rank waits for the round to complete
    }

    private final class Results<T>: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [Result<T, any Error>?]
        init(count: Int) { stored = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: Result<T, any Error>) { lock.lock(); stored[index] = value; lock.unlock() }
        var values: [Result<T, any Error>] { stored.compactMap { $0 } }
    }
}
