/// Distinct score keys, ascending, with the number of inlier and anomaly pixels at each:
/// a run-length encoded, sorted list of (score, label) pixels.
struct ScoreRuns {
    /// Order-preserving keys (``ScoreKey``), strictly ascending.
    private(set) var keys: [UInt32]
    /// Inlier pixels per key.
    private(set) var inliers: [UInt64]
    /// Anomaly pixels per key.
    private(set) var anomalies: [UInt64]
    /// Inlier pixels in all.
    let negatives: UInt64
    /// Anomaly pixels in all.
    let positives: UInt64

    /// Distinct keys.
    var count: Int { keys.count }
    /// Bytes held by the runs: 20 per distinct key. The arrays are allocated at their exact
    /// size; the allocator's rounding (which `capacity` reports and which varies with the
    /// heap's state from run to run) is not counted, so the figure is reproducible.
    var memoryBytes: Int { keys.count * 4 + (inliers.count + anomalies.count) * 8 }

    /// The runs of one image's pixels labelled 0 (inlier) or 1 (anomaly); other labels are
    /// skipped.
    /// - Throws: ``MetricsError/nanScore(image:pixel:)`` (with `image` = -1: callers know it)
    ///   for a NaN score at an evaluated pixel.
    init(scores: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<UInt8>) throws {
        var negative = [UInt32](), positive = [UInt32]()
        negative.reserveCapacity(scores.count)
        for i in 0..<scores.count where labels[i] <= 1 {
            let score = scores[i]
            if score.isNaN { throw MetricsError.nanScore(image: -1, pixel: i) }
            if labels[i] == 1 { positive.append(ScoreKey.key(score)) } else { negative.append(ScoreKey.key(score)) }
        }
        RadixSort.sort(&negative)
        RadixSort.sort(&positive)
        let capacity = negative.withUnsafeBufferPointer { a in
            positive.withUnsafeBufferPointer { b in Self.distinctCount(a, b, duplicatesWithin: true) }
        }
        self.init(capacity: capacity, negatives: UInt64(negative.count), positives: UInt64(positive.count)) { k, n, p in
            negative.withUnsafeBufferPointer { a in
                positive.withUnsafeBufferPointer { b in
                    var (i, j, out) = (0, 0, 0)
                    while i < a.count || j < b.count {
                        let key = j == b.count || (i < a.count && a[i] <= b[j]) ? a[i] : b[j]
                        var (ni, pj): (UInt64, UInt64) = (0, 0)
                        while i < a.count && a[i] == key { ni += 1; i += 1 }
                        while j < b.count && b[j] == key { pj += 1; j += 1 }
                        (k[out], n[out], p[out]) = (key, ni, pj)
                        out += 1
                    }
                    return out
                }
            }
        }
    }

    /// Runs read back from a message, `count` records highest key first (as
    /// ``forEachDescending(_:)`` gives them).
    /// - Throws: ``MetricsError/malformedMessage(_:)`` when the keys do not strictly descend.
    init(descending count: Int, from reader: inout MessageReader) throws {
        var (keys, inliers, anomalies) = ([UInt32](repeating: 0, count: count), [UInt64](repeating: 0, count: count), [UInt64](repeating: 0, count: count))
        var (negatives, positives): (UInt64, UInt64) = (0, 0)
        for i in stride(from: count - 1, through: 0, by: -1) {
            (keys[i], inliers[i], anomalies[i]) = (try reader.read(UInt32.self), try reader.read(UInt64.self), try reader.read(UInt64.self))
            guard i == count - 1 || keys[i] < keys[i + 1] else { throw MetricsError.malformedMessage("score keys do not strictly descend") }
            negatives &+= inliers[i]
            positives &+= anomalies[i]
        }
        (self.keys, self.inliers, self.anomalies, self.negatives, self.positives) = (keys, inliers, anomalies, negatives, positives)
    }

    /// Fills up to `capacity` runs through `fill`, which returns how many it wrote.
    private init(capacity: Int, negatives: UInt64, positives: UInt64,
                 _ fill: (UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<UInt64>, UnsafeMutablePointer<UInt64>) -> Int) {
        var used = 0
        var inliers: [UInt64] = [], anomalies: [UInt64] = []
        keys = Array(unsafeUninitializedCapacity: max(1, capacity)) { k, keyCount in
            inliers = Array(unsafeUninitializedCapacity: max(1, capacity)) { n, inlierCount in
                anomalies = Array(unsafeUninitializedCapacity: max(1, capacity)) { p, anomalyCount in
                    used = fill(k.baseAddress!, n.baseAddress!, p.baseAddress!)
                    anomalyCount = used
                }
                inlierCount = used
            }
            keyCount = used
        }
        (self.inliers, self.anomalies) = (inliers, anomalies)
        (self.negatives, self.positives) = (negatives, positives)
    }

    /// Distinct values in the union of two ascending lists (which may repeat values when
    /// `duplicatesWithin`), so merged arrays are allocated at their exact size.
    private static func distinctCount(_ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>,
                                      duplicatesWithin: Bool) -> Int {
        var (i, j, distinct) = (0, 0, 0)
        while i < a.count || j < b.count {
            let key = j == b.count || (i < a.count && a[i] <= b[j]) ? a[i] : b[j]
            if duplicatesWithin {
                while i < a.count && a[i] == key { i += 1 }
                while j < b.count && b[j] == key { j += 1 }
            } else {
                if i < a.count && a[i] == key { i += 1 }
                if j < b.count && b[j] == key { j += 1 }
            }
            distinct += 1
        }
        return distinct
    }

    /// The runs of `a` and `b` together (counts of equal keys add).
    static func merged(_ a: ScoreRuns, _ b: ScoreRuns) -> ScoreRuns {
        let capacity = a.keys.withUnsafeBufferPointer { ak in
            b.keys.withUnsafeBufferPointer { bk in distinctCount(ak, bk, duplicatesWithin: false) }
        }
        return ScoreRuns(capacity: capacity, negatives: a.negatives + b.negatives, positives: a.positives + b.positives) { k, n, p in
            var (i, j, out) = (0, 0, 0)
            a.keys.withUnsafeBufferPointer { ak in b.keys.withUnsafeBufferPointer { bk in
            a.inliers.withUnsafeBufferPointer { an in b.inliers.withUnsafeBufferPointer { bn in
            a.anomalies.withUnsafeBufferPointer { ap in b.anomalies.withUnsafeBufferPointer { bp in
                while i < ak.count && j < bk.count {
                    if ak[i] < bk[j] {
                        (k[out], n[out], p[out]) = (ak[i], an[i], ap[i]); i += 1
                    } else if bk[j] < ak[i] {
                        (k[out], n[out], p[out]) = (bk[j], bn[j], bp[j]); j += 1
                    } else {
                        (k[out], n[out], p[out]) = (ak[i], an[i] + bn[j], ap[i] + bp[j]); i += 1; j += 1
                    }
                    out += 1
                }
                while i < ak.count { (k[out], n[out], p[out]) = (ak[i], an[i], ap[i]); i += 1; out += 1 }
                while j < bk.count { (k[out], n[out], p[out]) = (bk[j], bn[j], bp[j]); j += 1; out += 1 }
            } } } } } }
            return out
        }
    }

    /// Calls `body(key, inliers, anomalies)` from the highest score down.
    func forEachDescending(_ body: (UInt32, UInt64, UInt64) -> Void) {
        keys.withUnsafeBufferPointer { k in
            inliers.withUnsafeBufferPointer { n in
                anomalies.withUnsafeBufferPointer { p in
                    for i in stride(from: k.count - 1, through: 0, by: -1) { body(k[i], n[i], p[i]) }
                }
            }
        }
    }
}

/// LSD radix sort of 32-bit keys in three passes of 11 bits (linear time, one extra buffer).
enum RadixSort {
    static func sort(_ values: inout [UInt32]) {
        guard values.count > 64 else { values.sort(); return }
        var buffer = [UInt32](repeating: 0, count: values.count)
        var histogram = [Int](repeating: 0, count: 2048)
        for shift in [0, 11, 22] as [UInt32] {
            values.withUnsafeBufferPointer { source in
                buffer.withUnsafeMutableBufferPointer { target in
                    histogram.withUnsafeMutableBufferPointer { counts in
                        for i in 0..<2048 { counts[i] = 0 }
                        for v in source { counts[Int((v >> shift) & 0x7FF)] += 1 }
                        var total = 0
                        for i in 0..<2048 { let c = counts[i]; counts[i] = total; total += c }
                        for v in source {
                            let digit = Int((v >> shift) & 0x7FF)
                            target[counts[digit]] = v
                            counts[digit] += 1
                        }
                    }
                }
            }
            swap(&values, &buffer)
        }
    }
}
