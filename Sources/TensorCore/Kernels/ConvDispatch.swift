/// Which kernel computes a convolution's forward and backward products, for the algorithm the
/// forward pass ran under (``ConvolutionAlgorithm``): depthwise convolutions by their direct
/// loop; under `winograd`, a kernel with taps that only ever read padding (``DeadTaps``) by its
/// live part, stride-1 3×3 convolutions by ``Winograd`` F(4×4, 3×3) where it pays — the
/// forward product, the input gradient as the forward convolution of the output gradient by
/// the flipped, transposed kernel, and the weight gradient (``Winograd/weightGradient(_:_:_:into:)``)
/// — and a stride-1 input gradient Winograd does not take, with fewer output than input
/// channels, as that forward convolution by im2col (its columns narrower than col2im's, the
/// same products); im2col and sgemm for everything else (its weight-gradient bands gathering
/// only the kernel rows they read the image with).
enum ConvDispatch {
    /// The forward convolution of `x` by `w` into `y` (no bias).
    static func forward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ g: ConvGeometry,
                        algorithm: ConvolutionAlgorithm, into y: UnsafeMutablePointer<Float>) {
        let winograd = algorithm == .winograd
        if g.isDepthwise {
            DepthwiseConv.forward(x, w, g, into: y)
        } else if winograd, let (live, rows, columns) = DeadTaps.cropped(g) {
            let kernel = DeadTaps.cropping(w, g, rows: rows, columns: columns)
            withExtendedLifetime(kernel) { forward(x, kernel.pointer, live, algorithm: algorithm, into: y) }
        } else if winograd, Winograd.pays(for: g) {
            Winograd.forward(x, w, g, into: y)
        } else {
            ConvKernels.forward(x, w, g, cutDeadRows: winograd, into: y)
        }
    }

    /// The input gradient `gx` and the weight gradient `gw` (each overwritten; either may be
    /// nil) of the convolution of `x` by `w`, from the output gradient `gy`.
    static func backward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ gy: UnsafePointer<Float>, _ g: ConvGeometry,
                         algorithm: ConvolutionAlgorithm, gx: UnsafeMutablePointer<Float>?, gw: UnsafeMutablePointer<Float>?) {
        let winograd = algorithm == .winograd
        if g.isDepthwise {
            DepthwiseConv.backward(x, w, gy, g, gx: gx, gw: gw)
        } else if winograd, let (live, rows, columns) = DeadTaps.cropped(g) {
            // The dead taps reach only padding: the input gradient is the live part's, their weight gradients zero.
            let kernel = DeadTaps.cropping(w, g, rows: rows, columns: columns)
            let liveGradient = gw.map { _ in TensorStorage(uninitializedCount: live.outChannels * live.patch) }
            withExtendedLifetime(kernel) {
                backward(x, kernel.pointer, gy, live, algorithm: algorithm, gx: gx, gw: liveGradient?.pointer)
            }
            if let gw, let liveGradient { DeadTaps.expand(liveGradient.pointer, g, rows: rows, columns: columns, into: gw) }
        } else if winograd {
            // The input gradient as the convolution of the output gradient by the flipped kernel: by
            // Winograd where it pays, else by im2col where the output gradient has fewer channels than
            // the input (its columns are narrower than col2im's, the same products).
            let transposed = gx == nil || g.kernelH * g.kernelW == 1 ? nil : Winograd.inputGradientGeometry(g)
            let inputByWinograd = transposed.map { Winograd.pays(for: $0) } ?? false
            let inputByForward = inputByWinograd || (transposed.map { $0.inChannels < $0.outChannels } ?? false)
            let weightsByWinograd = gw != nil && Winograd.pays(for: g)
            if let gx, let transposed, inputByForward {
                let flipped = TensorStorage(uninitializedCount: g.outChannels * g.patch)
                withExtendedLifetime(flipped) {
                    Winograd.flipTransposing(w, g, into: flipped.pointer)
                    if inputByWinograd {
                        Winograd.forward(gy, flipped.pointer, transposed, into: gx)
                    } else {
                        ConvKernels.forward(gy, flipped.pointer, transposed, cutDeadRows: true, into: gx)
                    }
                }
            }
            if let gw, weightsByWinograd { Winograd.weightGradient(x, gy, g, into: gw) }
            let (restX, restW) = (inputByForward ? nil : gx, weightsByWinograd ? nil : gw)
            if restX != nil || restW != nil { ConvKernels.backward(x, w, gy, g, cutDeadRows: true, gx: restX, gw: restW) }
        } else {
            ConvKernels.backward(x, w, gy, g, cutDeadRows: false, gx: gx, gw: gw)
        }
    }
}
