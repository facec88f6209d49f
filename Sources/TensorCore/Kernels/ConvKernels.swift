/// Dense (grouped) convolution through sgemm: 1x1 convolutions multiply directly, the rest
/// go through im2col over tiles of output rows, so column buffers stay bounded whatever
/// the image size. The forward pass gives each worker its own cache-sized tile; the
/// backward pass walks bands of `columnBudget` floats (8 MB, the fastest of 2-32 MB
/// measured on conv3x3 64→64 at 128x256 and 256→256 at 64x128), each band's im2col,
/// sgemm and col2im split across the workers.
///
/// Products with large weights keep at least `minimumColumns` columns: with very deep
/// patches (ASPP's 3x3 on 2048 channels has 18 432 rows per column) a cache-sized tile
/// would hold a single output row, and an 18 MB weight matrix would be streamed from memory
/// once per row. Such convolutions use the shared-band path in the forward pass too, with
/// bands widened to `minimumColumns` columns.
enum ConvKernels {
    static let columnBudget = 1 << 21
    /// Fewest columns (output pixels) per sgemm when the weights do not fit in cache; below
    /// this they are re-read from memory too often (512 measured best of 512/1024/2048).
    static let minimumColumns = 512
    /// Weights up to this many floats (1 MB) stay in cache across tiles, so narrow per-worker
    /// tiles cost nothing extra (LDN-121's dense layers: 32×1152).
    static let cachedWeightBudget = 1 << 18

    /// Output rows per shared im2col band.
    static func bandRows(_ g: ConvGeometry) -> Int {
        let widest = (minimumColumns + g.outWidth - 1) / g.outWidth
        return max(1, min(g.outHeight, max(widest, columnBudget / max(1, g.patch * g.outWidth))))
    }

    /// Floats of one worker's forward column tile: 512 KB, so im2col writes and sgemm reads
    /// it while it sits in the core's L2 cache instead of streaming it through memory.
    static let forwardTileBudget = 1 << 17

    /// The convolution of `x` by `w` into `y` (no bias). With `cutDeadRows`, each tile or band
    /// of output rows multiplies only by the kernel rows it reads the image with
    /// (``DeadTaps/band(_:rows:)``): the same sums without the zero products, rounded
    /// differently, so only ``ConvolutionAlgorithm/winograd`` asks for it.
    static func forward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ g: ConvGeometry,
                        cutDeadRows: Bool = false, into y: UnsafeMutablePointer<Float>) {
        let inPlane = g.height * g.width, outPlane = g.outHeight * g.outWidth
        if g.isPointwise {
            for n in 0..<g.batch {
                for grp in 0..<g.groups {
                    Gemm.sgemm(m: g.groupOut, n: outPlane, k: g.groupIn, a: w + grp * g.groupOut * g.patch, lda: g.groupIn,
                               b: x + (n * g.inChannels + grp * g.groupIn) * inPlane, ldb: inPlane,
                               c: y + (n * g.outChannels + grp * g.groupOut) * outPlane, ldc: outPlane)
                }
            }
            return
        }
        let tile = max(1, min(g.outHeight, forwardTileBudget / max(1, g.patch * g.outWidth)))
        if tile * g.outWidth < minimumColumns && tile < g.outHeight && g.groupOut * g.patch > cachedWeightBudget {
            forwardInBands(x, w, g, cutDeadRows: cutDeadRows, into: y)
            return
        }
        // Independent tiles of output rows, each gathered and multiplied by one worker.
        let tilesPerPlane = (g.outHeight + tile - 1) / tile
        let kernels = BandKernels(w, g, bands: stride(from: 0, to: g.outHeight, by: tile).map { $0..<min(g.outHeight, $0 + tile) },
                                  cut: cutDeadRows)
        let tasks = g.batch * g.groups * tilesPerPlane
        parallelFor(tasks, grain: 1) { range in
            let col = UnsafeMutablePointer<Float>.allocate(capacity: g.patch * tile * g.outWidth)
            defer { col.deallocate() }
            for task in range {
                let plane = task / tilesPerPlane, n = plane / g.groups, grp = plane % g.groups
                let r0 = (task % tilesPerPlane) * tile
                let rows = r0..<min(g.outHeight, r0 + tile), cols = rows.count * g.outWidth
                let (band, weights) = kernels.kernel(for: rows, pointer: w)
                Im2col.gather(x + (n * g.inChannels + grp * g.groupIn) * inPlane, band, rows: rows,
                              patchRows: 0..<band.patch, into: col)
                Gemm.call(false, false, g.groupOut, cols, band.patch, 1, weights + grp * g.groupOut * band.patch, band.patch,
                          col, cols, 0, y + (n * g.outChannels + grp * g.groupOut) * outPlane + r0 * g.outWidth, outPlane)
            }
        }
    }

    /// The forward pass for deep patches: bands of ``bandRows(_:)`` rows (at least
    /// ``minimumColumns`` columns, so the weights are read once per band), each gathered and
    /// multiplied by the same calls (the product cut into ``Gemm``'s pieces), so the same values
    /// either way: where a band's buffer is at most ``parallelBandBudget`` floats the bands are
    /// spread over the workers, each with its own buffer; larger bands go one at a time through
    /// one buffer, each product's pieces spread over the workers (memory: ASPP's 3×3 on 4096
    /// channels needs 75 MB a band).
    private static func forwardInBands(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ g: ConvGeometry,
                                       cutDeadRows: Bool, into y: UnsafeMutablePointer<Float>) {
        let inPlane = g.height * g.width, outPlane = g.outHeight * g.outWidth
        let band = bandRows(g), bandSize = g.patch * band * g.outWidth
        let bands = stride(from: 0, to: g.outHeight, by: band).map { $0..<min(g.outHeight, $0 + band) }
        let kernels = BandKernels(w, g, bands: bands, cut: cutDeadRows)
        let tasks = g.batch * g.groups * bands.count, perWorker = bandSize <= parallelBandBudget
        parallelFor(tasks, grain: perWorker ? 1 : tasks) { range in
            let col = UnsafeMutablePointer<Float>.allocate(capacity: bandSize)
            defer { col.deallocate() }
            for task in range {
                let plane = task / bands.count, n = plane / g.groups, grp = plane % g.groups, rows = bands[task % bands.count]
                let cols = rows.count * g.outWidth
                let (live, weights) = kernels.kernel(for: rows, pointer: w)
                Im2col.gather(x + (n * g.inChannels + grp * g.groupIn) * inPlane, live, rows: rows, into: col)
                Gemm.sgemm(m: g.groupOut, n: cols, k: live.patch, a: weights + grp * g.groupOut * live.patch, lda: live.patch,
                           b: col, ldb: cols, c: y + (n * g.outChannels + grp * g.groupOut) * outPlane + rows.lowerBound * g.outWidth,
                           ldc: outPlane, onWorkers: !perWorker)
            }
        }
    }

    /// Floats of a deep-patch band buffer up to which each worker gets its own (16 MB).
    static let parallelBandBudget = 1 << 22

    /// Input gradient (overwritten) and weight gradient (overwritten); either may be nil. With
    /// `cutDeadRows`, each band's weight-gradient product gathers only the kernel rows the band
    /// reads the image with (``BandWeightGradients``; the others' contributions are zeros), as
    /// ``forward(_:_:_:cutDeadRows:into:)`` does.
    static func backward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ gy: UnsafePointer<Float>,
                         _ g: ConvGeometry, cutDeadRows: Bool = false,
                         gx: UnsafeMutablePointer<Float>?, gw: UnsafeMutablePointer<Float>?) {
        let inPlane = g.height * g.width, outPlane = g.outHeight * g.outWidth
        let band = bandRows(g)
        let gradients = BandWeightGradients(g, bands: stride(from: 0, to: g.outHeight, by: band).map { $0..<min(g.outHeight, $0 + band) },
                                            cut: cutDeadRows && gw != nil && !g.isPointwise)
        defer { if let gw { gradients.finish(into: gw) } }
        let bandSize = g.patch * band * g.outWidth
        let col = g.isPointwise || gw == nil ? nil : UnsafeMutablePointer<Float>.allocate(capacity: bandSize)
        let gcol = g.isPointwise || gx == nil ? nil : UnsafeMutablePointer<Float>.allocate(capacity: bandSize)
        defer { col?.deallocate(); gcol?.deallocate() }
        gx?.initialize(repeating: 0, count: g.batch * g.inChannels * inPlane)
        gw?.initialize(repeating: 0, count: g.outChannels * g.patch)
        for n in 0..<g.batch {
            for grp in 0..<g.groups {
                let xg = x + (n * g.inChannels + grp * g.groupIn) * inPlane
                let gyg = gy + (n * g.outChannels + grp * g.groupOut) * outPlane
                let wg = w + grp * g.groupOut * g.patch
                let gwg = gw.map { $0 + grp * g.groupOut * g.patch }
                let gxg = gx.map { $0 + (n * g.inChannels + grp * g.groupIn) * inPlane }
                if g.isPointwise {
                    if let gxg {
                        Gemm.sgemm(transA: true, m: g.groupIn, n: inPlane, k: g.groupOut, a: wg, lda: g.groupIn,
                                   b: gyg, ldb: outPlane, c: gxg, ldc: inPlane)
                    }
                    if let gwg {
                        Gemm.sgemm(transB: true, m: g.groupOut, n: g.groupIn, k: inPlane, a: gyg, lda: outPlane,
                                   b: xg, ldb: inPlane, beta: 1, c: gwg, ldc: g.groupIn)
                    }
                    continue
                }
                for r0 in stride(from: 0, to: g.outHeight, by: band) {
                    let rows = r0..<min(g.outHeight, r0 + band), cols = rows.count * g.outWidth
                    let gyBand = gyg + r0 * g.outWidth
                    if let gw, let col {
                        let (live, target) = gradients.target(for: rows, whole: gw)
                        Im2col.gather(xg, live, rows: rows, into: col)
                        Gemm.sgemm(transB: true, m: g.groupOut, n: live.patch, k: cols, a: gyBand, lda: outPlane,
                                   b: col, ldb: cols, beta: 1, c: target + grp * g.groupOut * live.patch, ldc: live.patch)
                    }
                    if let gxg, let gcol {
                        Gemm.sgemm(transA: true, m: g.patch, n: cols, k: g.groupOut, a: wg, lda: g.patch,
                                   b: gyBand, ldb: outPlane, c: gcol, ldc: cols)
                        Im2col.scatterAdd(gcol, g, rows: rows, into: gxg)
                    }
                }
            }
        }
    }
}
