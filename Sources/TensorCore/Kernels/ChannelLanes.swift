import CChannelKernels

/// Eight channels of one image reduced side by side, for per-channel reductions over
/// `[N, C, plane]` buffers: lane k holds channel `first + k` (lanes past the last channel repeat
/// it, and their results are dropped).
///
/// A per-channel sum is one chain of dependent adds, so a lone loop waits on each add's latency;
/// eight lanes run eight chains at once while each lane keeps the exact order of that lone
/// loop, so every channel's result is bit for bit the scalar loop's. The lanes are one AVX2
/// register where the CPU has it (`pxo_channel_lanes_sum`: eight consecutive elements of each
/// channel loaded and transposed), the scalar loops elsewhere.
enum ChannelLanes {
    /// Channels reduced together.
    static let width = 8

    /// What a gradient sum reads besides the gradient: the op's output and the bounds strictly
    /// inside which its activation passed the gradient (`InsideStrictF`); elsewhere the
    /// gradient counts as 0.
    struct Gate {
        let output: UnsafePointer<Float>
        let mask: InsideStrictF
    }

    /// The lanes' sums of `kind` over one image's planes (channel 0 of `x`, `g` and the gate's
    /// output at the given pointers): `a` (Σx, Σ(x − μ)² or Σg') and, for the gradient, `b`
    /// (Σg'·(x − μ)). `vectors` false runs the scalar loops (for tests).
    static func sum(_ kind: pxo_channel_sum, x: UnsafePointer<Float>, g: UnsafePointer<Float>? = nil, gate: Gate? = nil,
                    mean: SIMD8<Float> = .zero, first: Int, count: Int, plane: Int, vectors: Bool = true)
        -> (a: SIMD8<Float>, b: SIMD8<Float>) {
        func lanes(_ base: UnsafePointer<Float>?) -> [UnsafePointer<Float>?] {
            (0..<width).map { k in base.map { $0 + (first + min(k, count - 1)) * plane } }
        }
        var a = SIMD8<Float>(), b = SIMD8<Float>(), mu = mean
        let xs = lanes(x), gs = lanes(g), ys = lanes(gate?.output)
        withUnsafeMutableBytes(of: &a) { a in
            withUnsafeMutableBytes(of: &b) { b in
                withUnsafeBytes(of: &mu) { mu in
                    pxo_channel_lanes_sum(vectors ? 1 : 0, kind, xs, g == nil ? nil : gs, gate == nil ? nil : ys,
                                          gate?.mask.low ?? 0, gate?.mask.high ?? 0, mu.baseAddress?.assumingMemoryBound(to: Float.self),
                                          plane, a.baseAddress?.assumingMemoryBound(to: Float.self),
                                          b.baseAddress?.assumingMemoryBound(to: Float.self))
                }
            }
        }
        return (a, b)
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
