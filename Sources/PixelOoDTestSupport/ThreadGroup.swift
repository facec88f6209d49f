import Foundation
import OoDKit

/// A ``ProcessGroup`` of threads in one process, for testing what runs split over MPI ranks:
/// ``run(ranks:_:)`` calls `body` on `ranks` threads, each with its rank's group.
public final class ThreadGroup: @unchecked Sendable {
    private let condition = NSCondition()
    private let size: Int
    private var slots: [(any Sendable)?]
    private var arrived = 0, round = 0
    private var exchanged: [any Sendable] = []

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

    /// Every rank's `value` in rank order, on every rank, once all have called it.
    fileprivate func exchange<T: Sendable>(_ value: T, rank: Int) -> [T] {
        condition.lock()
        defer { condition.unlock() }
        let mine = round
        slots[rank] = value
        arrived += 1
        if arrived == size {
            exchanged = slots.compactMap { $0 }
            (slots, arrived, round) = (Array(repeating: nil, count: size), 0, round + 1)
            condition.broadcast()
        } else {
            while round == mine { condition.wait() }
        }
        return exchanged.compactMap { $0 as? T }
    }

    private struct Rank: ProcessGroup {
        let shared: ThreadGroup
        let rank: Int
        var size: Int { shared.size }
        func gather(_ bytes: [UInt8]) throws -> [[UInt8]]? {
            let all = shared.exchange(bytes, rank: rank)
            return rank == 0 ? all : nil
        }
        func barrier() throws { _ = shared.exchange(0, rank: rank) }  // every rank waits for the round to complete
        func allReduceSum(_ values: [Float]) throws -> [Float] { Self.summed(shared.exchange(values, rank: rank)) }
        func sum(_ values: [Double]) -> [Double] { Self.summed(shared.exchange(values, rank: rank)) }

        /// The element-wise sum in rank order: the same on every rank.
        private static func summed<T: AdditiveArithmetic>(_ arrays: [[T]]) -> [T] {
            arrays.dropFirst().reduce(arrays.first ?? []) { total, next in zip(total, next).map { $0 + $1 } }
        }
    }

    private final class Results<T>: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [Result<T, any Error>?]
        init(count: Int) { stored = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: Result<T, any Error>) { lock.lock(); stored[index] = value; lock.unlock() }
        var values: [Result<T, any Error>] { stored.compactMap { $0 } }
    }
}
