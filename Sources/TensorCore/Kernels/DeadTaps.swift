/// Kernel rows and columns that never touch the image: a 3×3 convolution dilated by 36 on a
/// 32-row feature map (DeepLabV3+'s ASPP on a 256-row crop) reads only padding with its top
/// and bottom kernel rows, so it is a 1×3 convolution done with 3 times the work. Such a
/// convolution runs with the live part of its kernel, forward and backward (same output and
/// input gradient, the zero products left out; the dead taps' weight gradients are zeros).
enum DeadTaps {
    /// The kernel indices along one axis of a stride-1 convolution whose input position
    /// `o − pad + k·dilation` lies inside `0..<size` for some output `o` in `outputs`.
    static func live(kernel: Int, size: Int, outputs: Range<Int>, pad: Int, dilation: Int) -> Range<Int> {
        let touches = { (k: Int) -> Bool in
            outputs.lowerBound - pad + k * dilation < size && outputs.upperBound - 1 - pad + k * dilation >= 0
        }
        let lower = (0..<kernel).first(where: touches) ?? 0
        let upper = (0..<kernel).last(where: touches).map { $0 + 1 } ?? kernel
        return lower..<max(lower, upper)
    }

    /// For a band of output rows of a stride-1 convolution: the kernel rows it reads the image
    /// with and the geometry that leaves the others out (same columns; the band's outputs
    /// gathered by ``Im2col`` with it equal the whole kernel's without the zero products).
    static func band(_ g: ConvGeometry, rows: Range<Int>) -> (kernelRows: Range<Int>, geometry: ConvGeometry) {
        guard g.strideH == 1 else { return (0..<g.kernelH, g) }
        let live = live(kernel: g.kernelH, size: g.height, outputs: rows, pad: g.padH, dilation: g.dilationH)
        guard !live.isEmpty, live.count < g.kernelH else { return (0..<g.kernelH, g) }
        var cropped = g
        cropped.kernelH = live.count
        cropped.padH -= live.lowerBound * g.dilationH
        return (live, cropped)
    }

    /// The distinct cuts of ``band(_:rows:)`` over `bands` that leave a kernel row out: each
    /// range of kernel rows kept, with its geometry.
    static func cuts(_ g: ConvGeometry, bands: [Range<Int>]) -> [Range<Int>: ConvGeometry] {
        var cuts: [Range<Int>: ConvGeometry] = [:]
        for rows in bands {
            let (kernelRows, live) = band(g, rows: rows)
            if kernelRows.count < g.kernelH { cuts[kernelRows] = live }
        }
        return cuts
    }

    /// The geometry of the live part of `g`'s kernel when dead taps can be cut symmetrically
    /// (the same number at both ends of an axis, so the padding stays symmetric and the output
    /// the same size), with the kernel rows and columns it keeps; nil when nothing is dead or
    /// the convolution is strided.
    static func cropped(_ g: ConvGeometry) -> (geometry: ConvGeometry, rows: Range<Int>, columns: Range<Int>)? {
        guard g.strideH == 1 && g.strideW == 1 else { return nil }
        func axis(kernel: Int, size: Int, outputs: Int, pad: Int, dilation: Int) -> Range<Int> {
            let live = live(kernel: kernel, size: size, outputs: 0..<outputs, pad: pad, dilation: dilation)
            let cut = min(live.lowerBound, kernel - live.upperBound)
            return cut > 0 && pad >= cut * dilation ? cut..<(kernel - cut) : 0..<kernel
        }
        let rows = axis(kernel: g.kernelH, size: g.height, outputs: g.outHeight, pad: g.padH, dilation: g.dilationH)
        let columns = axis(kernel: g.kernelW, size: g.width, outputs: g.outWidth, pad: g.padW, dilation: g.dilationW)
        guard rows.count < g.kernelH || columns.count < g.kernelW else { return nil }
        var cropped = g
        cropped.kernelH = rows.count
        cropped.kernelW = columns.count
        cropped.padH -= rows.lowerBound * g.dilationH
        cropped.padW -= columns.lowerBound * g.dilationW
        return (cropped, rows, columns)
    }

    /// `w` (`[O, C/groups, kh, kw]`) restricted to kernel rows `rows` and columns `columns`, in new storage.
    static func cropping(_ w: UnsafePointer<Float>, _ g: ConvGeometry, rows: Range<Int>, columns: Range<Int>) -> TensorStorage {
        let kernel = TensorStorage(uninitializedCount: g.outChannels * g.groupIn * rows.count * columns.count)
        crop(w, g, rows: rows, columns: columns, into: kernel.pointer)
        return kernel
    }

    /// The inverse of ``cropping(_:_:rows:columns:)``: the whole kernel `[O, C/groups, kh, kw]`
    /// with `live`'s values at rows `rows` and columns `columns`, zero elsewhere.
    static func expand(_ live: UnsafePointer<Float>, _ g: ConvGeometry, rows: Range<Int>, columns: Range<Int>,
                       into out: UnsafeMutablePointer<Float>) {
        out.initialize(repeating: 0, count: g.outChannels * g.patch)
        var index = 0
        for filter in 0..<(g.outChannels * g.groupIn) {
            let kernel = out + filter * g.kernelH * g.kernelW
            for i in rows {
                for j in columns {
                    kernel[i * g.kernelW + j] = live[index]
                    index += 1
                }
            }
        }
    }

    /// `w` (`[O, C/groups, kh, kw]`) restricted to kernel rows `rows` and columns `columns`.
    private static func crop(_ w: UnsafePointer<Float>, _ g: ConvGeometry, rows: Range<Int>, columns: Range<Int>,
                     into out: UnsafeMutablePointer<Float>) {
        var index = 0
        for filter in 0..<(g.outChannels * g.groupIn) {
            let kernel = w + filter * g.kernelH * g.kernelW
            for i in rows {
                for j in columns {
                    out[index] = kernel[i * g.kernelW + j]
                    index += 1
                }
            }
        }
    }
}

/// The kernels of one forward convolution's bands of output rows: the whole kernel, or with
/// dead-row cutting, per band the kernel rows it reads the image with (``DeadTaps/band(_:rows:)``),
/// each distinct cut cropped once before the bands run.
struct BandKernels {
    private let geometry: ConvGeometry
    private let cut: Bool
    private var cropped: [Range<Int>: (geometry: ConvGeometry, weights: TensorStorage)] = [:]

    init(_ w: UnsafePointer<Float>, _ g: ConvGeometry, bands: [Range<Int>], cut: Bool) {
        geometry = g
        self.cut = cut
        guard cut else { return }
        for (kernelRows, live) in DeadTaps.cuts(g, bands: bands) {
            cropped[kernelRows] = (live, DeadTaps.cropping(w, g, rows: kernelRows, columns: 0..<g.kernelW))
        }
    }

    /// The geometry and weights (`pointer`, the whole kernel, when nothing is cut) for the band `rows`.
    func kernel(for rows: Range<Int>, pointer: UnsafePointer<Float>) -> (ConvGeometry, UnsafePointer<Float>) {
        guard cut else { return (geometry, pointer) }
        let kernelRows = DeadTaps.band(geometry, rows: rows).kernelRows
        guard let entry = cropped[kernelRows] else { return (geometry, pointer) }
        return (entry.geometry, UnsafePointer(entry.weights.pointer))
    }
}

/// The weight gradient of a backward pass whose bands of output rows gather only the kernel
/// rows they read the image with (``DeadTaps/band(_:rows:)``): the bands with the same cut
/// accumulate into one zeroed gradient of that cut's shape, added into the whole kernel's
/// gradient at the end (``finish(into:)``); uncut bands accumulate into it directly.
struct BandWeightGradients {
    private let geometry: ConvGeometry
    private let cut: Bool
    private var cropped: [Range<Int>: (geometry: ConvGeometry, gradient: TensorStorage)] = [:]

    init(_ g: ConvGeometry, bands: [Range<Int>], cut: Bool) {
        geometry = g
        self.cut = cut
        guard cut else { return }
        for (kernelRows, live) in DeadTaps.cuts(g, bands: bands) {
            let gradient = TensorStorage(uninitializedCount: live.outChannels * live.patch)
            gradient.pointer.initialize(repeating: 0, count: gradient.count)
            cropped[kernelRows] = (live, gradient)
        }
    }

    /// The geometry to gather the band `rows` with and the gradient its product accumulates
    /// into (`whole`, the whole kernel's, when nothing is cut).
    func target(for rows: Range<Int>, whole: UnsafeMutablePointer<Float>) -> (ConvGeometry, UnsafeMutablePointer<Float>) {
        guard cut else { return (geometry, whole) }
        let kernelRows = DeadTaps.band(geometry, rows: rows).kernelRows
        guard let entry = cropped[kernelRows] else { return (geometry, whole) }
        return (entry.geometry, entry.gradient.pointer)
    }

    /// Adds every cut's gradient into `gw`, the whole kernel's, at the kernel rows it kept.
    func finish(into gw: UnsafeMutablePointer<Float>) {
        let g = geometry, taps = g.kernelH * g.kernelW
        for (kernelRows, entry) in cropped {
            let part = entry.gradient.pointer, width = kernelRows.count * g.kernelW
            for filter in 0..<(g.outChannels * g.groupIn) {
                let target = gw + filter * taps + kernelRows.lowerBound * g.kernelW, source = part + filter * width
                for k in 0..<width { target[k] += source[k] }
            }
        }
    }
}
