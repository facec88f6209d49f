import CConvKernels

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
        let lane = lineLength(g), ld = max(budget, rowTiles(g))
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
    /// where a tile reaches past the output), written `[36, O, stride]`: per channel,
    /// `pxo_winograd_gradient_channel` gathers each tile row's four output-gradient rows
    /// (`scratch`: 10 lines of `lane`), combines them down the columns, then across each tile's
    /// four columns (in AVX-512 or AVX2 lanes where the CPU has them).
    static func transformOutputGradient(_ gy: UnsafePointer<Float>, _ g: ConvGeometry, rows: ArraySlice<TileRow>,
                                        outputs: Range<Int>, stride: Int, lane: Int,
                                        scratch: UnsafeMutablePointer<Float>, into u: UnsafeMutablePointer<Float>) {
        let plane = g.outHeight * g.outWidth
        var geometry = pxo_tile_plane(output: g)
        rows.withUnsafeBufferPointer { rows in
            for o in outputs {
                pxo_winograd_gradient_channel(transformISA, gy + o * plane, &geometry, rows.baseAddress, rows.count,
                                              lane, scratch, u + o * stride, g.outChannels * stride)
            }
        }
    }
}
