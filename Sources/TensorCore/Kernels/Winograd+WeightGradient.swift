/// The weight gradient of a stride-1 3×3 convolution by Winograd F(4×4, 3×3) read backwards.
/// For every pair of kernel `g` and input tile `d` the forward pass computes the output tile
/// `Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A` exactly (in exact arithmetic), so the gradient of `Σ GY ⊙ Y`
/// with respect to `g`, the tile's share of the weight gradient, is
/// `Gᵀ[(A GY Aᵀ) ⊙ (Bᵀ d B)]G`; summed over the tiles of the batch that is `Gᵀ M G` per kernel
/// with `M_ξ[o, c] = Σ_t U_ξ[o, t] V_ξ[c, t]`: the output-gradient tiles transformed by `A`
/// (`U`), the input tiles by `Bᵀ` as in the forward pass (`V`), 36 products over the tiles and
/// one product with `G ⊗ G` at the end.
extension Winograd {
    /// The weight gradient `gw` (`[O, C, 3, 3]`, overwritten) of the convolution of `x` by a
    /// 3×3 kernel in geometry `g`, from the output gradient `gy`.
    static func weightGradient(_ x: UnsafePointer<Float>, _ gy: UnsafePointer<Float>, _ g: ConvGeometry,
                               into gw: UnsafeMutablePointer<Float>) {
        let channels = g.inChannels, outs = g.outChannels, chunk = min(channels, channelChunk), pairs = outs * channels
        let budget = blockTiles(g), rows = tileRows(g), groups = blocks(rows, budget: budget)
        let widest = rows.map(\.tiles).max() ?? 0
        let lane = 4 * widest + 2
        let ld = max(budget, widest)
        let inputs = TensorStorage(uninitializedCount: 36 * chunk * ld), v = inputs.pointer
        let gradients = TensorStorage(uninitializedCount: 36 * outs * ld), u = gradients.pointer
        let sums = TensorStorage(uninitializedCount: 36 * pairs), m = sums.pointer
        m.initialize(repeating: 0, count: 36 * pairs)
        withExtendedLifetime((inputs, gradients, sums)) {
            for group in groups {
                let block = rows[group], count = block.reduce(0) { $0 + $1.tiles }
                parallelFor(outs, grain: 1) { range in
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: 10 * lane) { scratch in
                        transformOutputGradient(gy, g, rows: block, outputs: range, stride: ld, lane: lane,
                                                scratch: scratch.baseAddress!, into: u)
                    }
                }
                for c0 in stride(from: 0, to: channels, by: chunk) {
                    let width = min(chunk, channels - c0)
                    transformInput(x, g, rows: block, channels: c0..<(c0 + width), stride: ld, lane: lane, into: v)
                    parallelFor(36, grain: 1) { range in
                        for xi in range {
                            Gemm.call(false, true, outs, width, count, 1, u + xi * outs * ld, ld, v + xi * width * ld, ld,
                                      1, m + xi * pairs + c0, channels)
                        }
                    }
                }
            }
            // Gᵀ M G for every kernel at once: [9, 36] (G ⊗ G transposed) times M as [36, O·C], then [9, O·C] → [O·C, 9].
            let kernels = TensorStorage(uninitializedCount: 9 * pairs), k = kernels.pointer
            withExtendedLifetime(kernels) {
                weightTransform.withUnsafeBufferPointer { t in
                    Gemm.call(true, false, 9, pairs, 36, 1, t.baseAddress!, 9, m, pairs, 0, k, pairs)
                }
                parallelFor(pairs, grain: 4096) { range in
                    for pair in range {
                        for tap in 0..<9 { gw[pair * 9 + tap] = k[tap * pairs + pair] }
                    }
                }
            }
        }
    }

    /// U_ξ[o, t] = (A GY_ot Aᵀ)_ξ for the output channels `outputs` of the block's tiles (zero
    /// where a tile reaches past the output), written `[36, O, stride]`: per channel and tile
    /// row, the four output-gradient rows gathered (`scratch`: 4 lines of `lane`), combined down
    /// the columns (6 more lines), then across each tile's four columns.
    static func transformOutputGradient(_ gy: UnsafePointer<Float>, _ g: ConvGeometry, rows: ArraySlice<TileRow>,
                                        outputs: Range<Int>, stride: Int, lane: Int,
                                        scratch: UnsafeMutablePointer<Float>, into u: UnsafeMutablePointer<Float>) {
        let outs = g.outChannels, plane = g.outHeight * g.outWidth, dh = g.dilationH, dw = g.dilationW
        let plane36 = outs * stride
        for o in outputs {
            var t0 = 0
            for tileRow in rows {
                let source = gy + (tileRow.image * outs + o) * plane
                let tiles = tileRow.tiles, length = 4 * tiles
                for r in 0..<4 {
                    let row = tileRow.row + r * dh, line = scratch + r * lane
                    if row >= g.outHeight {
                        line.initialize(repeating: 0, count: length)
                    } else {
                        gatherLine(source + row * g.outWidth, width: g.outWidth, first: tileRow.column, dilation: dw,
                                   count: length, into: line)
                    }
                }
                let y0 = scratch, y1 = y0 + lane, y2 = y1 + lane, y3 = y2 + lane
                let e0 = y3 + lane, e1 = e0 + lane, e2 = e1 + lane, e3 = e2 + lane, e4 = e3 + lane, e5 = e4 + lane
                for p in 0..<length {
                    (e0[p], e1[p], e2[p], e3[p], e4[p], e5[p]) = gradientTransform(y0[p], y1[p], y2[p], y3[p])
                }
                for i in 0..<6 {
                    let e = e0 + i * lane
                    let target = u + 6 * i * plane36 + o * stride + t0
                    let u0 = target, u1 = u0 + plane36, u2 = u1 + plane36, u3 = u2 + plane36, u4 = u3 + plane36, u5 = u4 + plane36
                    for k in 0..<tiles {
                        let q = e + 4 * k
                        (u0[k], u1[k], u2[k], u3[k], u4[k], u5[k]) = gradientTransform(q[0], q[1], q[2], q[3])
                    }
                }
                t0 += tiles
            }
        }
    }

    /// `A` applied to four values along one axis of an output-gradient tile (the transpose of
    /// ``outputTransform(_:_:_:_:_:_:)``).
    @inline(__always)
    static func gradientTransform(_ a: Float, _ b: Float, _ c: Float, _ d: Float) -> (Float, Float, Float, Float, Float, Float) {
        let even1 = a + c, odd1 = b + d, even2 = a + 4 * c, odd2 = 2 * b + 8 * d
        return (a, even1 + odd1, even1 - odd1, even2 + odd2, even2 - odd2, d)
    }
}
