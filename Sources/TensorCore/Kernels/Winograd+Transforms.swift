/// The three transforms of ``Winograd`` F(4×4, 3×3): the weights' `G g Gᵀ`, the input tiles'
/// `Bᵀ d B` and the products' `Aᵀ M A`, with
///
///     Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1]
///     G  = [1/4 0 0; −1/6 −1/6 −1/6; −1/6 1/6 −1/6; 1/24 1/12 1/6; 1/24 −1/12 1/6; 0 0 1]
///     Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1]
extension Winograd {
    /// `G ⊗ G` as a `[36, 9]` matrix: row ξ = 6i + j, column 3a + b holds `G_ia G_jb` (the
    /// products of G's entries in double precision, rounded once).
    static let weightTransform: [Float] = {
        let sixth: Double = 1.0 / 6
        let g: [[Double]] = [[0.25, 0, 0], [-sixth, -sixth, -sixth], [-sixth, sixth, -sixth],
                             [sixth / 4, sixth / 2, sixth], [sixth / 4, -sixth / 2, sixth], [0, 0, 1]]
        var matrix = [Float](repeating: 0, count: 36 * 9)
        for xi in 0..<36 {
            for ab in 0..<9 { matrix[9 * xi + ab] = Float(g[xi / 6][ab / 3] * g[xi % 6][ab % 3]) }
        }
        return matrix
    }()

    /// U_ξ[o, c] = (G g_oc Gᵀ)_ξ for the input channels `channels` of `w` (`[O, C, 3, 3]`),
    /// written `[36, O, channels.count]`: per output channel one product of `G ⊗ G` with
    /// the channels' 3×3 kernels, read as a `[channels, 9]` matrix transposed.
    static func transformWeights(_ w: UnsafePointer<Float>, _ g: ConvGeometry, channels: Range<Int>, into u: UnsafeMutablePointer<Float>) {
        let width = channels.count, outs = g.outChannels
        weightTransform.withUnsafeBufferPointer { t in
            parallelFor(outs, grain: max(1, 4096 / width)) { range in
                for o in range {
                    Gemm.call(false, true, 36, width, 9, 1, t.baseAddress!, 9, w + (o * g.inChannels + channels.lowerBound) * 9, 9,
                              0, u + o * width, outs * width)
                }
            }
        }
    }

    /// ``transformInput(_:_:rows:channels:offset:chunk:stride:lane:scratch:into:)`` for the
    /// input channels `channels` (one chunk, written at indices from 0), spread over the workers.
    static func transformInput(_ x: UnsafePointer<Float>, _ g: ConvGeometry, rows: ArraySlice<TileRow>, channels: Range<Int>,
                               stride: Int, lane: Int, into v: UnsafeMutablePointer<Float>) {
        parallelFor(channels.count, grain: 1) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 12 * lane) { scratch in
                transformInput(x, g, rows: rows, channels: range, offset: channels.lowerBound, chunk: channels.count, stride: stride,
                               lane: lane, scratch: scratch.baseAddress!, into: v)
            }
        }
    }

    /// V_ξ[c, t] = (Bᵀ d_ct B)_ξ for the channels `offset + channels` of the block's tiles
    /// (zero outside the image), written `[36, chunk, stride]` at channel index `c − offset`:
    /// per channel and tile row, the six input rows gathered (`scratch`: 6 lines of `lane`),
    /// combined down the columns elementwise along the lines (6 more lines), then across each
    /// tile's six columns, stored contiguously along the tiles.
    static func transformInput(_ x: UnsafePointer<Float>, _ g: ConvGeometry, rows: ArraySlice<TileRow>,
                               channels: Range<Int>, offset: Int, chunk: Int, stride: Int,
                               lane: Int, scratch: UnsafeMutablePointer<Float>, into v: UnsafeMutablePointer<Float>) {
        let dh = g.dilationH, dw = g.dilationW, plane = g.height * g.width
        let plane36 = chunk * stride
        for c in channels {
            var t0 = 0
            for tileRow in rows {
                let source = x + (tileRow.image * g.inChannels + offset + c) * plane
                let tiles = tileRow.tiles, column0 = tileRow.column - g.padW, length = 4 * tiles + 2
                for i in 0..<6 {
                    let row = tileRow.row - g.padH + i * dh, line = scratch + i * lane
                    if row < 0 || row >= g.height {
                        line.initialize(repeating: 0, count: length)
                    } else {
                        gatherLine(source + row * g.width, width: g.width, first: column0, dilation: dw,
                                            count: length, into: line)
                    }
                }
                let x0 = scratch, x1 = x0 + lane, x2 = x1 + lane, x3 = x2 + lane, x4 = x3 + lane, x5 = x4 + lane
                let s0 = x5 + lane, s1 = s0 + lane, s2 = s1 + lane, s3 = s2 + lane, s4 = s3 + lane, s5 = s4 + lane
                for p in 0..<length {
                    (s0[p], s1[p], s2[p], s3[p], s4[p], s5[p]) = inputTransform(x0[p], x1[p], x2[p], x3[p], x4[p], x5[p])
                }
                for i in 0..<6 {
                    let s = s0 + i * lane
                    let o = v + 6 * i * plane36 + c * stride + t0
                    let o0 = o, o1 = o0 + plane36, o2 = o1 + plane36, o3 = o2 + plane36, o4 = o3 + plane36, o5 = o4 + plane36
                    for k in 0..<tiles {
                        let q = s + 4 * k
                        (o0[k], o1[k], o2[k], o3[k], o4[k], o5[k]) = inputTransform(q[0], q[1], q[2], q[3], q[4], q[5])
                    }
                }
                t0 += tiles
            }
        }
    }

    /// Y = Aᵀ M A for the output channels `outputs` of the block's tiles (`m`: `[36, O,
    /// stride]`), written where the output has them; `scratch` holds 24 lines of `stride`.
    static func transformOutput(_ m: UnsafePointer<Float>, _ g: ConvGeometry, rows: ArraySlice<TileRow>,
                                outputs: Range<Int>, stride: Int,
                                scratch: UnsafeMutablePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        let outs = g.outChannels, plane = g.outHeight * g.outWidth, dh = g.dilationH, dw = g.dilationW, ow = g.outWidth
        let plane36 = outs * stride
        for o in outputs {
            var t0 = 0
            for tileRow in rows {
                let tiles = tileRow.tiles
                let q = m + o * stride + t0
                // Down the columns (Aᵀ over ξ = 6i + l's row index i): line 4l + r holds z_rl for every tile.
                for l in 0..<6 {
                    let m0 = q + l * plane36, m1 = m0 + 6 * plane36, m2 = m1 + 6 * plane36
                    let m3 = m2 + 6 * plane36, m4 = m3 + 6 * plane36, m5 = m4 + 6 * plane36
                    let z = scratch + l * 4 * stride
                    for k in 0..<tiles {
                        (z[k], z[stride + k], z[2 * stride + k], z[3 * stride + k]) = outputTransform(m0[k], m1[k], m2[k], m3[k], m4[k], m5[k])
                    }
                }
                // Across (Aᵀ over l) for each of the tile's four output rows inside the image.
                let row = tileRow.row
                for r in 0..<4 where row + r * dh < g.outHeight {
                    let out = y + (tileRow.image * outs + o) * plane + (row + r * dh) * ow
                    let z0 = scratch + r * stride, z1 = z0 + 4 * stride, z2 = z1 + 4 * stride
                    let z3 = z2 + 4 * stride, z4 = z3 + 4 * stride, z5 = z4 + 4 * stride
                    for k in 0..<tiles {
                        let column = tileRow.column + 4 * k * dw
                        let values = outputTransform(z0[k], z1[k], z2[k], z3[k], z4[k], z5[k])
                        if column + 3 * dw < ow {
                            out[column] = values.0; out[column + dw] = values.1
                            out[column + 2 * dw] = values.2; out[column + 3 * dw] = values.3
                        } else {
                            out[column] = values.0
                            if column + dw < ow { out[column + dw] = values.1 }
                            if column + 2 * dw < ow { out[column + 2 * dw] = values.2 }
                        }
                    }
                }
                t0 += tiles
            }
        }
    }

    /// `Bᵀ` applied to six values along one axis of an input tile.
    @inline(__always)
    static func inputTransform(_ a: Float, _ b: Float, _ c: Float, _ d: Float, _ e: Float, _ f: Float)
        -> (Float, Float, Float, Float, Float, Float) {
        (4 * a - 5 * c + e, (d + e) - 4 * (b + c), (e - d) + 4 * (b - c), (e - c) + 2 * (d - b), (e - c) + 2 * (b - d), 4 * b - 5 * d + f)
    }

    /// `Aᵀ` applied to six values along one axis of a product tile.
    @inline(__always)
    static func outputTransform(_ a: Float, _ b: Float, _ c: Float, _ d: Float, _ e: Float, _ f: Float) -> (Float, Float, Float, Float) {
        let p1 = b + c, n1 = b - c, p2 = d + e, n2 = d - e
        return (a + p1 + p2, n1 + 2 * n2, p1 + 4 * p2, n1 + 8 * n2 + f)
    }
}
