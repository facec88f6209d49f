import CConvKernels

/// Winograd F(4×4, 3×3) for stride-1 3×3 convolutions of any dilation and padding (Lavin &
/// Gray, 2016; interpolation points 0, ±1, ±2, ∞): each 4×4 output tile from a 6×6 input
/// tile in 36 products per channel pair instead of 144, as 36 independent matrix products
/// `M_ξ = U_ξ V_ξ` (`U = G g Gᵀ` the transformed weights, `V = Bᵀ d B` the transformed input
/// tiles) and the output transform `Y = Aᵀ M A`. A dilated convolution is d² interleaved
/// undilated ones: a tile's six input rows are `d` apart and so are its four output rows, so
/// the tiles of each residue class (output row mod d, column mod d) cover the output without
/// any rearranging; a row of tiles takes the `d` column classes together, tile by tile, so
/// its input lines are contiguous and the transforms run across the classes in vector lanes.
///
/// Rounding differs from the direct (im2col) product: the transforms add and subtract
/// multiples of the inputs before the products (and of the products after), so the error
/// scales with the magnitudes of those transformed terms, not with the output's
/// (``WinogradTests`` checks it against a float64 convolution within `γ_{C+20}` times them).
///
/// The work goes in blocks of whole tile rows (across the batch, up to 1024 tiles), each
/// block in three phases spread over the workers: the input transform by channel, the 36
/// products (OpenBLAS single-threaded inside each), the output transform by output channel.
/// Wide inputs go in chunks of 512 channels (their weights transformed chunk by chunk, block
/// by block), the products accumulating over the chunks.
enum Winograd {
    /// Channels transformed and multiplied at a time.
    static let channelChunk = 512

    /// Whether the convolution is one this kernel computes: 3×3, stride 1, one group.
    static func applies(to g: ConvGeometry) -> Bool {
        g.kernelH == 3 && g.kernelW == 3 && g.strideH == 1 && g.strideW == 1 && g.groups == 1
    }

    /// Whether Winograd is faster than im2col for this convolution, by a fixed rule from
    /// measurements (`docs/benchmarks.md`), never by timing at run time (the same recipe must
    /// give the same numbers): at least 16 input and output channels (narrower products leave
    /// the transforms as the cost; 16 → 16 pays since the transforms run in vector lanes), its
    /// products per output, `36 · tiles / outputs`, at most half of im2col's 9 — two thirds
    /// where both channel counts are 256 or more, so the products outweigh the transforms
    /// (dilations as large as the feature map waste most of each tile: ASPP's 2048 → 256 at
    /// 64×128 with dilation 24 and 36, 5.1 and 5.7 products per output, takes 0.53-0.67 of
    /// im2col's time; its 512 → 64 at 32×64 with dilation 12, 5.1, is slower in a training
    /// step), and at least 256 tiles (below that the phases' fixed costs win).
    static func pays(for g: ConvGeometry) -> Bool {
        guard applies(to: g), g.inChannels >= 16, g.outChannels >= 16 else { return false }
        let tiles = tileRows(g).count * rowTiles(g), outputs = g.batch * g.outHeight * g.outWidth
        let wide = min(g.inChannels, g.outChannels) >= 256
        return tiles >= 256 && (wide ? 6 * tiles : 8 * tiles) <= outputs
    }

    /// The geometry of the convolution whose output is `g`'s input gradient: for stride 1, one
    /// group and a `k×k` kernel dilated by `d` and padded by `p`, the input gradient is the
    /// convolution of the output gradient (`O` channels) by the flipped, transposed kernel
    /// (``flipTransposing(_:_:into:)``, `C` outputs) with the same dilation, padded by
    /// `d(k − 1) − p`; nil when that padding would be negative, for another stride or groups.
    static func inputGradientGeometry(_ g: ConvGeometry) -> ConvGeometry? {
        let padH = g.dilationH * (g.kernelH - 1) - g.padH, padW = g.dilationW * (g.kernelW - 1) - g.padW
        guard g.strideH == 1, g.strideW == 1, g.groups == 1, padH >= 0, padW >= 0 else { return nil }
        return ConvGeometry(batch: g.batch, inChannels: g.outChannels, height: g.outHeight, width: g.outWidth,
                            outChannels: g.inChannels, kernelH: g.kernelH, kernelW: g.kernelW, strideH: 1, strideW: 1,
                            padH: padH, padW: padW, dilationH: g.dilationH, dilationW: g.dilationW, groups: 1)
    }

    /// `w` (`[O, C, kh, kw]`) as the kernel of ``inputGradientGeometry(_:)``: `[C, O, kh, kw]`,
    /// each kernel rotated by half a turn.
    static func flipTransposing(_ w: UnsafePointer<Float>, _ g: ConvGeometry, into out: UnsafeMutablePointer<Float>) {
        let taps = g.kernelH * g.kernelW
        for o in 0..<g.outChannels {
            for c in 0..<g.inChannels {
                let source = w + (o * g.inChannels + c) * taps, target = out + (c * g.outChannels + o) * taps
                for t in 0..<taps { target[taps - 1 - t] = source[t] }
            }
        }
    }

    /// A row of 4×4 output tiles of one image across the output's width: the output row of its
    /// tiles' first elements and its tile count. Tile `t = k·d + b` (`d` the column dilation,
    /// `b < d` the column residue class) has its first output at column `4dk + b`, its four
    /// output rows and columns `dilation` apart, and its input tile starts `pad` above and left
    /// of that; so the `d` tiles of a group read `d` neighbouring columns, and a row's input lines
    /// are contiguous. (The C transforms' struct, so a block's rows go to them as they are.)
    typealias TileRow = pxo_tile_row

    /// Groups of `d` tiles in every tile row (column dilation `d`): ⌈W / 4d⌉.
    static func rowGroups(_ g: ConvGeometry) -> Int { (g.outWidth + 4 * g.dilationW - 1) / (4 * g.dilationW) }

    /// Tiles in every tile row: ``rowGroups(_:)`` groups of `d`, the last group holding only the
    /// residue classes that reach into the output.
    static func rowTiles(_ g: ConvGeometry) -> Int {
        let d = g.dilationW, groups = rowGroups(g)
        return d * (groups - 1) + min(d, g.outWidth - 4 * d * (groups - 1))
    }

    /// The floats of one gathered input line of a tile row, `d(4·groups + 2)`: each group's tiles
    /// read four columns `d` apart, and the last tile two more. It also bounds a row's output
    /// gradient lines and output rows (`4d·groups`).
    static func lineLength(_ g: ConvGeometry) -> Int { g.dilationW * (4 * rowGroups(g) + 2) }

    /// Every tile row of the batch's output, image by image, row residue class by class.
    static func tileRows(_ g: ConvGeometry) -> [TileRow] {
        var rows: [TileRow] = []
        let dh = g.dilationH, tiles = rowTiles(g)
        for n in 0..<g.batch {
            for a in 0..<min(dh, g.outHeight) {
                for r in stride(from: a, to: g.outHeight, by: 4 * dh) { rows.append(TileRow(image: n, row: r, tiles: tiles)) }
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

    /// Tiles per block: up to 1024, with the transformed input `[36, chunk, T]` and the
    /// products `[36, O, T]` within 64 MB.
    static func blockTiles(_ g: ConvGeometry) -> Int {
        max(32, min(1024, (1 << 24) / (36 * (min(g.inChannels, channelChunk) + g.outChannels))))
    }

    /// The convolution of `x` by `w` (`[O, C, 3, 3]`) into `y`, without bias.
    static func forward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ g: ConvGeometry,
                        into y: UnsafeMutablePointer<Float>) {
        let channels = g.inChannels, outs = g.outChannels, chunk = min(channels, channelChunk)
        let weights = TensorStorage(uninitializedCount: 36 * outs * chunk), u = weights.pointer
        if channels == chunk { transformWeights(w, g, channels: 0..<channels, into: u) }
        let budget = blockTiles(g), rows = tileRows(g), groups = blocks(rows, budget: budget)
        let lane = lineLength(g), ld = max(budget, rowTiles(g))
        let inputs = TensorStorage(uninitializedCount: 36 * chunk * ld), v = inputs.pointer
        let products = TensorStorage(uninitializedCount: 36 * outs * ld), m = products.pointer
        for group in groups {
            let block = rows[group], count = block.reduce(0) { $0 + $1.tiles }
            for c0 in stride(from: 0, to: channels, by: chunk) {
                let width = min(chunk, channels - c0)
                if channels > chunk { transformWeights(w, g, channels: c0..<(c0 + width), into: u) }
                transformInput(x, g, rows: block, channels: c0..<(c0 + width), stride: ld, lane: lane, into: v)
                parallelFor(36, grain: 1) { range in
                    for xi in range {
                        Gemm.call(false, false, outs, count, width, 1, u + xi * outs * width, width,
                                  v + xi * width * ld, ld, c0 == 0 ? 0 : 1, m + xi * outs * ld, ld)
                    }
                }
            }
            parallelFor(outs, grain: 1) { range in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: 24 * ld + 4 * lane) { scratch in
                    transformOutput(m, g, rows: block, outputs: range, stride: ld, scratch: scratch.baseAddress!, into: y)
                }
            }
        }
    }
}
