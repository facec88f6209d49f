/// Winograd F(2×2, 3×3) for stride-1 3×3 convolutions of any dilation and padding (Lavin &
/// Gray, 2016): each 2×2 output tile from a 4×4 input tile in 16 products per channel pair
/// instead of 36, as 16 independent matrix products `M_ξ = U_ξ V_ξ` (`U = G g Gᵀ` the
/// transformed weights, `V = Bᵀ d B` the transformed input tiles) and the output transform
/// `Y = Aᵀ M A`. A dilated convolution is d² interleaved undilated ones: a tile's four
/// input rows are `d` apart and so are its two output rows, so the tiles of each residue
/// class (output row mod d, column mod d) cover the output without any rearranging.
///
/// Rounding differs from the direct (im2col) product: the transforms add and subtract
/// inputs before the products, so the result is within a few ulp of the inputs' and
/// weights' magnitudes times the channel count, not of the output (``WinogradTests``
/// bounds it against the direct convolution in float64).
enum Winograd {
    /// Whether the convolution is one this kernel computes: 3×3, stride 1, one group.
    static func applies(to g: ConvGeometry) -> Bool {
        g.kernelH == 3 && g.kernelW == 3 && g.strideH == 1 && g.strideW == 1 && g.groups == 1
    }

    /// A row of 2×2 output tiles of one residue class: the output coordinates of its first
    /// tile's first element and its tiles, 2·dilation apart. Its input tiles start `pad`
    /// above and left of the outputs, rows and columns `dilation` apart.
    struct TileRow { var row: Int, column: Int, tiles: Int }

    /// Every tile row of one image's output, residue class by residue class.
    static func tileRows(_ g: ConvGeometry) -> [TileRow] {
        var rows: [TileRow] = []
        let dh = g.dilationH, dw = g.dilationW
        for a in 0..<min(dh, g.outHeight) {
            for b in 0..<min(dw, g.outWidth) {
                let tiles = (g.outWidth - b + 2 * dw - 1) / (2 * dw)
                for r in stride(from: a, to: g.outHeight, by: 2 * dh) { rows.append(TileRow(row: r, column: b, tiles: tiles)) }
            }
        }
        return rows
    }

    /// Consecutive tile rows grouped so each group holds at most `budget` tiles (or one row).
    static func blocks(_ rows: [TileRow], budget: Int) -> [Range<Int>] {
        var blocks: [Range<Int>] = [], start = 0, tiles = 0
        for (index, row) in rows.enumerated() {
            if index > start && tiles + row.tiles > budget {
                blocks.append(start..<index)
                (start, tiles) = (index, 0)
            }
            tiles += row.tiles
        }
        if start < rows.count { blocks.append(start..<rows.count) }
        return blocks
    }

    /// U_ξ[o, c] = (G g_oc Gᵀ)_ξ, written `[16, O, C]`.
    static func transformWeights(_ w: UnsafePointer<Float>, outChannels: Int, inChannels: Int, into u: UnsafeMutablePointer<Float>) {
        let pairs = outChannels * inChannels
        parallelFor(pairs, grain: 256) { range in
            for pair in range {
                let k = w + pair * 9
                var rows = SIMD16<Float>()  // G g: 4 rows of 3 (lanes 4i..4i+2)
                for j in 0..<3 {
                    let g0 = k[j], g1 = k[3 + j], g2 = k[6 + j]
                    rows[j] = g0
                    rows[4 + j] = (g0 + g1 + g2) * 0.5
                    rows[8 + j] = (g0 - g1 + g2) * 0.5
                    rows[12 + j] = g2
                }
                for i in 0..<4 {
                    let g0 = rows[4 * i], g1 = rows[4 * i + 1], g2 = rows[4 * i + 2]
                    let base = u + 4 * i * pairs + pair
                    base[0] = g0
                    base[pairs] = (g0 + g1 + g2) * 0.5
                    base[2 * pairs] = (g0 - g1 + g2) * 0.5
                    base[3 * pairs] = g2
                }
            }
        }
    }

    /// Tiles per matrix product: the transformed input `[16, C, T]` and products `[16, O, T]`
    /// of one block fill about 2 MB.
    static func blockTiles(_ g: ConvGeometry) -> Int {
        max(64, min(1024, (1 << 19) / (16 * (g.inChannels + g.outChannels))))
    }

    /// The convolution of `x` by `w` (`[O, C, 3, 3]`) into `y`, without bias.
    static func forward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ g: ConvGeometry,
                        into y: UnsafeMutablePointer<Float>) {
        let channels = g.inChannels, outs = g.outChannels
        let u = UnsafeMutablePointer<Float>.allocate(capacity: 16 * outs * channels)
        defer { u.deallocate() }
        transformWeights(w, outChannels: outs, inChannels: channels, into: u)
        let budget = blockTiles(g), rows = tileRows(g), groups = blocks(rows, budget: budget)
        let lane = (rows.map(\.tiles).max() ?? 0) + 2  // scratch row length: a tile row's tiles, plus the last tile's overhang
        let stride = max(budget, lane - 2)
        let inPlane = g.height * g.width, outPlane = g.outHeight * g.outWidth
        parallelFor(g.batch * groups.count, grain: 1) { range in
            let v = UnsafeMutablePointer<Float>.allocate(capacity: 16 * channels * stride)
            let m = UnsafeMutablePointer<Float>.allocate(capacity: 16 * outs * stride)
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 18 * lane)
            defer { v.deallocate(); m.deallocate(); scratch.deallocate() }
            for job in range {
                let n = job / groups.count, block = rows[groups[job % groups.count]]
                let count = block.reduce(0) { $0 + $1.tiles }
                transformInput(x + n * channels * inPlane, g, rows: block, stride: stride, lane: lane, scratch: scratch, into: v)
                for xi in 0..<16 {
                    Gemm.call(false, false, outs, count, channels, 1, u + xi * outs * channels, channels,
                              v + xi * channels * stride, stride, 0, m + xi * outs * stride, stride)
                }
                transformOutput(m, g, rows: block, stride: stride, lane: lane, scratch: scratch, into: y + n * outs * outPlane)
            }
        }
    }

    /// V_ξ[c, t] = (Bᵀ d_ct B)_ξ for the block's tiles (zero outside the image), row stride
    /// `stride`: per channel and tile row, each of the four input rows gathered once
    /// (`scratch`), its column transform for every tile of the row at once, then the row
    /// transform, stored contiguously along the tiles. `scratch` holds 18 rows of `lane`.
    static func transformInput(_ x: UnsafePointer<Float>, _ g: ConvGeometry, rows: ArraySlice<TileRow>, stride: Int,
                               lane: Int, scratch: UnsafeMutablePointer<Float>, into v: UnsafeMutablePointer<Float>) {
        let dh = g.dilationH, dw = g.dilationW, plane = g.height * g.width, channels = g.inChannels
        let line = scratch, columns = scratch + 2 * lane  // line: 2·lane; columns: 16 rows of `lane` (a_ij per tile)
        for c in 0..<channels {
            let source = x + c * plane
            var t0 = 0
            for tileRow in rows {
                let tiles = tileRow.tiles, column0 = tileRow.column - g.padW
                for i in 0..<4 {
                    let row = tileRow.row - g.padH + i * dh
                    let a = columns + 4 * i * lane
                    if row < 0 || row >= g.height {
                        a.initialize(repeating: 0, count: 4 * lane)
                        continue
                    }
                    gatherLine(source + row * g.width, width: g.width, first: column0, dilation: dw,
                                count: 2 * tiles + 2, into: line)
                    // Columns of tile k: x0 = line[2k], x1 = line[2k+1], x2 = line[2k+2], x3 = line[2k+3];
                    // sixteen tiles at a time from two 32-element loads split into even and odd lanes.
                    var k = 0
                    while k + 16 <= tiles {
                        let front = UnsafeRawPointer(line + 2 * k).loadUnaligned(as: SIMD32<Float>.self)
                        let back = UnsafeRawPointer(line + 2 * k + 2).loadUnaligned(as: SIMD32<Float>.self)
                        let x0 = front.evenHalf, x1 = front.oddHalf, x2 = back.evenHalf, x3 = back.oddHalf
                        UnsafeMutableRawPointer(a + k).storeBytes(of: x0 - x2, as: SIMD16<Float>.self)
                        UnsafeMutableRawPointer(a + lane + k).storeBytes(of: x1 + x2, as: SIMD16<Float>.self)
                        UnsafeMutableRawPointer(a + 2 * lane + k).storeBytes(of: x2 - x1, as: SIMD16<Float>.self)
                        UnsafeMutableRawPointer(a + 3 * lane + k).storeBytes(of: x1 - x3, as: SIMD16<Float>.self)
                        k += 16
                    }
                    while k < tiles {
                        let x0 = line[2 * k], x1 = line[2 * k + 1], x2 = line[2 * k + 2], x3 = line[2 * k + 3]
                        a[k] = x0 - x2
                        a[lane + k] = x1 + x2
                        a[2 * lane + k] = x2 - x1
                        a[3 * lane + k] = x1 - x3
                        k += 1
                    }
                }
                // Rows: V_0j = a_0j − a_2j, V_1j = a_1j + a_2j, V_2j = a_2j − a_1j, V_3j = a_1j − a_3j.
                for j in 0..<4 {
                    let a0 = columns + j * lane, a1 = a0 + 4 * lane, a2 = a1 + 4 * lane, a3 = a2 + 4 * lane
                    let out0 = v + (j * channels + c) * stride + t0
                    let out1 = out0 + 4 * channels * stride, out2 = out1 + 4 * channels * stride, out3 = out2 + 4 * channels * stride
                    for k in 0..<tiles {
                        out0[k] = a0[k] - a2[k]
                        out1[k] = a1[k] + a2[k]
                        out2[k] = a2[k] - a1[k]
                        out3[k] = a1[k] - a3[k]
                    }
                }
                t0 += tiles
            }
        }
    }

    /// `line[k] = input[first + k·dilation]` for `k < count`, 0 where that column is outside
    /// `0..<width`: the zero runs at both ends first, then the columns inside without a test each.
    @inline(__always)
    static func gatherLine(_ input: UnsafePointer<Float>, width: Int, first: Int, dilation: Int, count: Int,
                           into line: UnsafeMutablePointer<Float>) {
        let start = min(count, first >= 0 ? 0 : (dilation - 1 - first) / dilation)
        let end = max(start, min(count, first >= width ? 0 : (width - first + dilation - 1) / dilation))
        line.initialize(repeating: 0, count: start)
        if dilation == 1 {
            line.advanced(by: start).update(from: input + first + start, count: end - start)
        } else {
            for k in start..<end { line[k] = input[first + k * dilation] }
        }
        line.advanced(by: end).initialize(repeating: 0, count: count - end)
    }

    /// Y = Aᵀ M A for the block's tiles, written where the output has them (`scratch`: 4 rows of `lane`).
    static func transformOutput(_ m: UnsafePointer<Float>, _ g: ConvGeometry, rows: ArraySlice<TileRow>, stride: Int,
                                lane: Int, scratch: UnsafeMutablePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        let outs = g.outChannels, plane = g.outHeight * g.outWidth, dh = g.dilationH, dw = g.dilationW, ow = g.outWidth
        let y00 = scratch, y01 = scratch + lane, y10 = scratch + 2 * lane, y11 = scratch + 3 * lane
        for o in 0..<outs {
            var t0 = 0
            for tileRow in rows {
                let tiles = tileRow.tiles
                let q = m + o * stride + t0
                @inline(__always) func at(_ xi: Int) -> UnsafePointer<Float> { q + xi * outs * stride }
                let q00 = at(0), q01 = at(1), q02 = at(2), q03 = at(3), q10 = at(4), q11 = at(5), q12 = at(6), q13 = at(7)
                let q20 = at(8), q21 = at(9), q22 = at(10), q23 = at(11), q30 = at(12), q31 = at(13), q32 = at(14), q33 = at(15)
                for k in 0..<tiles {
                    // Aᵀ M: top_j = m0j + m1j + m2j, bottom_j = m1j − m2j − m3j; then the same on columns.
                    let top0 = q00[k] + q10[k] + q20[k], top1 = q01[k] + q11[k] + q21[k]
                    let top2 = q02[k] + q12[k] + q22[k], top3 = q03[k] + q13[k] + q23[k]
                    let bottom0 = q10[k] - q20[k] - q30[k], bottom1 = q11[k] - q21[k] - q31[k]
                    let bottom2 = q12[k] - q22[k] - q32[k], bottom3 = q13[k] - q23[k] - q33[k]
                    y00[k] = top0 + top1 + top2
                    y01[k] = top1 - top2 - top3
                    y10[k] = bottom0 + bottom1 + bottom2
                    y11[k] = bottom1 - bottom2 - bottom3
                }
                let row = tileRow.row, secondRow = row + dh < g.outHeight
                let first = y + o * plane + row * ow
                for k in 0..<tiles {
                    let column = tileRow.column + 2 * k * dw, secondColumn = column + dw < ow
                    first[column] = y00[k]
                    if secondColumn { first[column + dw] = y01[k] }
                    if secondRow {
                        first[dh * ow + column] = y10[k]
                        if secondColumn { first[dh * ow + column + dw] = y11[k] }
                    }
                }
                t0 += tiles
            }
        }
    }
}
