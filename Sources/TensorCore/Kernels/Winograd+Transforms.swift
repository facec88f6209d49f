import CConvKernels

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
    /// per channel, `pxo_winograd_input_channel` gathers each tile row's six input rows
    /// (`scratch`: 12 lines of `lane`), combines them down the columns, then across each tile's
    /// six columns, stored contiguously along the tiles (in AVX-512 or AVX2 lanes where the CPU
    /// has them, the same values on every path).
    static func transformInput(_ x: UnsafePointer<Float>, _ g: ConvGeometry, rows: ArraySlice<TileRow>,
                               channels: Range<Int>, offset: Int, chunk: Int, stride: Int,
                               lane: Int, scratch: UnsafeMutablePointer<Float>, into v: UnsafeMutablePointer<Float>) {
        let plane = g.height * g.width
        var geometry = pxo_tile_plane(input: g)
        rows.withUnsafeBufferPointer { rows in
            for c in channels {
                pxo_winograd_input_channel(transformISA, x + (offset + c) * plane, &geometry, rows.baseAddress, rows.count,
                                           lane, scratch, v + c * stride, chunk * stride)
            }
        }
    }

    /// Y = Aᵀ M A for the output channels `outputs` of the block's tiles (`m`: `[36, O,
    /// stride]`), written where the output has them (`pxo_winograd_output_channel`, in AVX-512 or
    /// AVX2 lanes where the CPU has them); `scratch` holds 24 lines of `stride` and a tile row's
    /// four output rows (4 · ``lineLength(_:)``).
    static func transformOutput(_ m: UnsafePointer<Float>, _ g: ConvGeometry, rows: ArraySlice<TileRow>,
                                outputs: Range<Int>, stride: Int,
                                scratch: UnsafeMutablePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        let plane = g.outHeight * g.outWidth
        var geometry = pxo_tile_plane(output: g)
        rows.withUnsafeBufferPointer { rows in
            for o in outputs {
                pxo_winograd_output_channel(transformISA, m + o * stride, g.outChannels * stride, rows.baseAddress, rows.count,
                                            scratch, stride, y + o * plane, &geometry)
            }
        }
    }

    /// The instruction set the data transforms run on: the widest this CPU has.
    static let transformISA = pxo_conv_isa_best()
}

extension pxo_tile_plane {
    /// `g`'s input plane as the C transforms read it: padded, dilated, one image's channels apart.
    init(input g: ConvGeometry) {
        self.init(height: g.height, width: g.width, padH: g.padH, padW: g.padW, dilationH: g.dilationH,
                  dilationW: g.dilationW, imageStride: g.inChannels * g.height * g.width)
    }

    /// `g`'s output plane (and its gradient's): no padding, the tiles' outputs `dilation` apart.
    init(output g: ConvGeometry) {
        self.init(height: g.outHeight, width: g.outWidth, padH: 0, padW: 0, dilationH: g.dilationH,
                  dilationW: g.dilationW, imageStride: g.outChannels * g.outHeight * g.outWidth)
    }
}
