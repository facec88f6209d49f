/// Eight channels of one image read side by side, for per-channel reductions over
/// `[N, C, plane]` buffers: lane k holds channel `first + k` (lanes past the last channel repeat
/// it, and their results are dropped).
///
/// A per-channel sum is one chain of dependent adds, so a lone loop waits on each add's latency;
/// eight lanes run eight chains at once while each lane keeps the exact order of that lone
/// loop, so every channel's result is bit for bit the scalar loop's.
struct ChannelLanes {
    /// Channels reduced together.
    static let width = 8
    private let p0, p1, p2, p3, p4, p5, p6, p7: UnsafePointer<Float>

    /// Lanes over channels `first ..< first + count` of the image whose channel 0 starts at `image`.
    init(_ image: UnsafePointer<Float>, first: Int, count: Int, plane: Int) {
        func lane(_ k: Int) -> UnsafePointer<Float> { image + (first + min(k, count - 1)) * plane }
        (p0, p1, p2, p3) = (lane(0), lane(1), lane(2), lane(3))
        (p4, p5, p6, p7) = (lane(4), lane(5), lane(6), lane(7))
    }

    /// Element `i` of each lane's plane.
    @inline(__always) subscript(i: Int) -> SIMD8<Float> {
        SIMD8(p0[i], p1[i], p2[i], p3[i], p4[i], p5[i], p6[i], p7[i])
    }

    /// Calls `body(first, count)` for every group of up to ``width`` consecutive channels,
    /// the groups split over the workers (`batch · plane` elements a channel).
    static func forEachGroup(channels: Int, batch: Int, plane: Int, _ body: (_ first: Int, _ count: Int) -> Void) {
        let groups = (channels + width - 1) / width
        parallelFor(groups, grain: max(1, 32_768 / max(batch * plane * width, 1))) { range in
            for group in range {
                let first = group * width
                body(first, min(width, channels - first))
            }
        }
    }

    /// `perChannel[first + k]` in lane k (lanes past `count` repeat the last).
    @inline(__always) static func values(_ perChannel: [Float], first: Int, count: Int) -> SIMD8<Float> {
        var v = SIMD8<Float>()
        for k in 0..<width { v[k] = perChannel[first + min(k, count - 1)] }
        return v
    }

    /// The first `count` lanes of `values` into `out[first...]`.
    @inline(__always) static func store<T>(_ values: SIMD8<T>, count: Int, into out: UnsafeMutablePointer<T>, at first: Int) {
        for k in 0..<count { out[first + k] = values[k] }
    }
}
