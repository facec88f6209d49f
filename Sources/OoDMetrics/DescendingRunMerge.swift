/// The k-way merge of sorted run lists, highest key first, the counts of equal keys added:
/// how a ``ScoreHistogram`` that spilled streams its runs to the curves, and how its spill
/// files are compacted. The sequence equals the one the in-memory merge of the same runs
/// gives, so metrics from a spilled histogram are bitwise those of an in-memory one.
enum DescendingRunMerge {
    /// Calls `body(key, inliers, anomalies)` for every key of `files` and `memory` together,
    /// highest first.
    /// - Throws: ``MetricsError/spill(path:reason:)`` when a file cannot be read.
    static func forEach(files: [ScoreSpillFile], memory: ScoreRuns?, _ body: (UInt32, UInt64, UInt64) -> Void) throws {
        let readers = try files.map(ScoreSpillReader.init)
        var memoryIndex = (memory?.count ?? 0) - 1
        // Sources 0..<readers.count are the files; one more is `memory`.
        func next(_ source: Int) throws -> (key: UInt32, inliers: UInt64, anomalies: UInt64)? {
            if source < readers.count { return try readers[source].next() }
            guard let memory, memoryIndex >= 0 else { return nil }
            defer { memoryIndex -= 1 }
            return (memory.keys[memoryIndex], memory.inliers[memoryIndex], memory.anomalies[memoryIndex])
        }
        let sources = readers.count + (memory == nil ? 0 : 1)
        var current = [(key: UInt32, inliers: UInt64, anomalies: UInt64)](repeating: (0, 0, 0), count: sources)
        var heap = MaxKeyHeap()
        for source in 0..<sources {
            if let record = try next(source) { current[source] = record; heap.push(record.key, source) }
        }
        while let key = heap.top?.key {
            var (inliers, anomalies): (UInt64, UInt64) = (0, 0)
            while let top = heap.top, top.key == key {
                inliers += current[top.source].inliers
                anomalies += current[top.source].anomalies
                if let record = try next(top.source) {
                    current[top.source] = record
                    heap.replaceTop(record.key, top.source)
                } else {
                    heap.removeTop()
                }
            }
            body(key, inliers, anomalies)
        }
    }
}

/// A binary max-heap of (key, source) pairs: the merge's choice of the next highest key.
struct MaxKeyHeap {
    private var items: [(key: UInt32, source: Int)] = []

    /// The pair with the highest key.
    var top: (key: UInt32, source: Int)? { items.first }

    /// Adds a pair.
    mutating func push(_ key: UInt32, _ source: Int) {
        items.append((key, source))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[parent].key < items[i].key else { break }
            items.swapAt(parent, i)
            i = parent
        }
    }

    /// Replaces the top pair (its source's next key, never higher).
    mutating func replaceTop(_ key: UInt32, _ source: Int) {
        items[0] = (key, source)
        siftDown()
    }

    /// Removes the top pair.
    mutating func removeTop() {
        let last = items.removeLast()
        guard !items.isEmpty else { return }
        items[0] = last
        siftDown()
    }

    private mutating func siftDown() {
        var i = 0
        while true {
            let left = 2 * i + 1, right = left + 1
            var largest = i
            if left < items.count && items[left].key > items[largest].key { largest = left }
            if right < items.count && items[right].key > items[largest].key { largest = right }
            if largest == i { return }
            items.swapAt(i, largest)
            i = largest
        }
    }
}
