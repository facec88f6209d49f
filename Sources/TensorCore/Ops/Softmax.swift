extension Tensor {
    /// Softmax along `axis`. PyTorch: `torch.softmax(x, dim)`.
    public func softmax(axis: Int) -> Tensor {
        let axis = Shape.axis(axis, rank: rank, op: "softmax")
        let (outer, size, inner) = Shape.around(shape, axis: axis)
        let out = TensorStorage(uninitializedCount: count)
        SoftmaxKernels.forward(storage.pointer, out.pointer, outer: outer, size: size, inner: inner, log: false)
        let y = Tensor(shape: shape, storage: out)
        return .record("softmax", y, inputs: [self]) { g in
            let grad = TensorStorage(uninitializedCount: y.count)
            SoftmaxKernels.backward(y: y.storage.pointer, g: g.storage.pointer, into: grad.pointer,
                                    outer: outer, size: size, inner: inner, log: false)
            return [Tensor(shape: y.shape, storage: grad)]
        }
    }

    /// Log-softmax along `axis`. PyTorch: `torch.log_softmax(x, dim)`.
    public func logSoftmax(axis: Int) -> Tensor {
        let axis = Shape.axis(axis, rank: rank, op: "log_softmax")
        let (outer, size, inner) = Shape.around(shape, axis: axis)
        let out = TensorStorage(uninitializedCount: count)
        SoftmaxKernels.forward(storage.pointer, out.pointer, outer: outer, size: size, inner: inner, log: true)
        let y = Tensor(shape: shape, storage: out)
        return .record("log_softmax", y, inputs: [self]) { g in
            let grad = TensorStorage(uninitializedCount: y.count)
            SoftmaxKernels.backward(y: y.storage.pointer, g: g.storage.pointer, into: grad.pointer,
                                    outer: outer, size: size, inner: inner, log: true)
            return [Tensor(shape: y.shape, storage: grad)]
        }
    }
}

/// Softmax over the middle axis of [outer, size, inner], in blocks of up to ``span``
/// positions: per class the block's row goes through the vector exponential in one call
/// (``VectorMath/exp(_:_:count:)``), the rest runs sixteen positions at a time in SIMD lanes.
/// Every value is the one a scalar loop over classes would give (the same operations per
/// position, the sums in class order).
enum SoftmaxKernels {
    /// Positions per block: 19 classes of 256 positions stay in the L1/L2 caches.
    static let span = 256

    /// Calls `body(base, position, width)` for every block of up to ``span`` positions, in
    /// parallel: `base` the offset of the block's first element in `[outer, size, inner]`,
    /// `position` its offset in `[outer, inner]`, `width` its positions.
    @inline(__always)
    static func forEachBlock(outer: Int, size: Int, inner: Int,
                             _ body: (_ base: Int, _ position: Int, _ width: Int) -> Void) {
        let blocks = (inner + span - 1) / span
        parallelFor(outer * blocks, grain: max(1, 16_384 / max(size * span, 1))) { range in
            for task in range {
                let o = task / blocks, i0 = (task % blocks) * span
                body(o * size * inner + i0, o * inner + i0, min(span, inner - i0))
            }
        }
    }

    /// Calls `body(offset, count)` for each run of up to 16 of a block's `width` positions.
    @inline(__always)
    static func forEachLanes(_ width: Int, _ body: (_ offset: Int, _ count: Int) -> Void) {
        var offset = 0
        while offset < width {
            body(offset, min(16, width - offset))
            offset += 16
        }
    }

    /// Runs `body` with `rows` scratch rows of ``span`` floats each.
    @inline(__always)
    static func withScratch(rows: Int, _ body: ([UnsafeMutablePointer<Float>]) -> Void) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: rows * span) { buffer in
            guard let base = buffer.baseAddress else { return }
            body((0..<rows).map { base + $0 * span })
        }
    }

    static func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                        outer: Int, size: Int, inner: Int, log: Bool) {
        forEachBlock(outer: outer, size: size, inner: inner) { base, _, width in
            withScratch(rows: 2) { scratch in
                let peaks = scratch[0], totals = scratch[1]
                forEachLanes(width) { s, count in
                    var peak = SIMD16<Float>(repeating: -.infinity)
                    for j in 0..<size {
                        let row = VectorMath.load(x + base + j * inner + s, count: count)
                        peak = VectorMath.select(row, where: row .>= peak, else: peak)  // Swift.max's rule: NaN skipped
                    }
                    peak = VectorMath.select(peak, where: (peak - peak) .== 0, else: SIMD16(repeating: 0))
                    VectorMath.store(peak, peaks + s, count: count)
                    VectorMath.store(SIMD16(repeating: 0), totals + s, count: count)
                }
                // e^(x − peak) into the output rows (log-softmax overwrites them below).
                for j in 0..<size {
                    let source = x + base + j * inner, target = y + base + j * inner
                    forEachLanes(width) { s, count in
                        VectorMath.store(VectorMath.load(source + s, count: count) - VectorMath.load(peaks + s, count: count),
                                         target + s, count: count)
                    }
                    VectorMath.exp(target, target, count: width)
                    forEachLanes(width) { s, count in
                        VectorMath.store(VectorMath.load(totals + s, count: count) + VectorMath.load(target + s, count: count),
                                         totals + s, count: count)
                    }
                }
                if log {
                    forEachLanes(width) { s, count in
                        let shift = VectorMath.load(peaks + s, count: count) + VectorMath.log(VectorMath.load(totals + s, count: count))
                        for j in 0..<size {
                            let offset = base + j * inner + s
                            VectorMath.store(VectorMath.load(x + offset, count: count) - shift, y + offset, count: count)
                        }
                    }
                } else {
                    forEachLanes(width) { s, count in
                        let scale = 1 / VectorMath.load(totals + s, count: count)
                        for j in 0..<size {
                            let row = y + base + j * inner + s
                            VectorMath.store(VectorMath.load(row, count: count) * scale, row, count: count)
                        }
                    }
                }
            }
        }
    }

    /// softmax: gx = y (g − Σ g y); log-softmax: gx = g − exp(y) Σ g.
    static func backward(y: UnsafePointer<Float>, g: UnsafePointer<Float>, into gx: UnsafeMutablePointer<Float>,
                         outer: Int, size: Int, inner: Int, log: Bool) {
        forEachBlock(outer: outer, size: size, inner: inner) { base, _, width in
            if !log {
                // No exponential: both passes over the classes sixteen positions at a time.
                forEachLanes(width) { s, count in
                    var dot = SIMD16<Float>(repeating: 0)
                    for j in 0..<size {
                        let offset = base + j * inner + s
                        dot += VectorMath.load(g + offset, count: count) * VectorMath.load(y + offset, count: count)
                    }
                    for j in 0..<size {
                        let offset = base + j * inner + s
                        let upstream = VectorMath.load(g + offset, count: count), output = VectorMath.load(y + offset, count: count)
                        VectorMath.store(output * (upstream - dot), gx + offset, count: count)
                    }
                }
                return
            }
            withScratch(rows: 1) { scratch in
                let sums = scratch[0]
                forEachLanes(width) { s, count in
                    var sum = SIMD16<Float>(repeating: 0)
                    for j in 0..<size { sum += VectorMath.load(g + base + j * inner + s, count: count) }
                    VectorMath.store(sum, sums + s, count: count)
                }
                for j in 0..<size {
                    let row = base + j * inner
                    VectorMath.exp(y + row, gx + row, count: width)
                    forEachLanes(width) { s, count in
                        let offset = row + s
                        let grad = VectorMath.load(g + offset, count: count)
                            - VectorMath.load(gx + offset, count: count) * VectorMath.load(sums + s, count: count)
                        VectorMath.store(grad, gx + offset, count: count)
                    }
                }
            }
        }
    }
}
