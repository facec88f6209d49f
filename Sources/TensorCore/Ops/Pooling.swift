extension Tensor {
    /// Max pooling of `[N, C, H, W]`. PyTorch: `F.max_pool2d(x, kernel, stride, padding)` (floor mode).
    public func maxPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) -> Tensor {
        let g = poolGeometry(kernel: kernel, stride: stride ?? kernel, padding: padding, op: "max_pool2d")
        let planes = g.batch * g.inChannels, outShape = [g.batch, g.inChannels, g.outHeight, g.outWidth]
        let out = TensorStorage(uninitializedCount: Shape.count(outShape))
        // The winners' indices only where a gradient will be recorded.
        let records = GradMode.isEnabled && requiresGrad
        var argmax = [Int32](repeating: 0, count: records ? out.count : 0)
        argmax.withUnsafeMutableBufferPointer { indices in
            PoolingKernels.maxForward(storage.pointer, g, planes: planes, into: out.pointer,
                                      argmax: records ? indices.baseAddress : nil)
        }
        let source = shape
        return .record("max_pool2d", Tensor(shape: outShape, storage: out), inputs: [self]) { gy in
            let gx = TensorStorage(count: Shape.count(source), repeating: 0)
            let inPlane = g.height * g.width, outPlane = g.outHeight * g.outWidth
            for p in 0..<planes {
                for i in 0..<outPlane where argmax[p * outPlane + i] >= 0 {
                    gx.pointer[p * inPlane + Int(argmax[p * outPlane + i])] += gy.storage.pointer[p * outPlane + i]
                }
            }
            return [Tensor(shape: source, storage: gx)]
        }
    }

    /// Average pooling. PyTorch: `F.avg_pool2d(x, kernel, stride, padding, count_include_pad=True)`.
    public func avgPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                          countIncludePad: Bool = true) -> Tensor {
        let g = poolGeometry(kernel: kernel, stride: stride ?? kernel, padding: padding, op: "avg_pool2d")
        let planes = g.batch * g.inChannels, outShape = [g.batch, g.inChannels, g.outHeight, g.outWidth]
        let out = TensorStorage(uninitializedCount: Shape.count(outShape))
        PoolingKernels.avgForward(storage.pointer, g, planes: planes, countIncludePad: countIncludePad, into: out.pointer)
        let source = shape
        return .record("avg_pool2d", Tensor(shape: outShape, storage: out), inputs: [self]) { gy in
            let gx = TensorStorage(uninitializedCount: Shape.count(source))
            PoolingKernels.avgBackward(gy.storage.pointer, g, planes: planes, countIncludePad: countIncludePad, into: gx.pointer)
            return [Tensor(shape: source, storage: gx)]
        }
    }

    /// Adaptive average pooling to `size`. PyTorch: `F.adaptive_avg_pool2d(x, size)`.
    public func adaptiveAvgPool2d(_ size: (Int, Int)) -> Tensor {
        require(rank == 4, "adaptive_avg_pool2d: input must be [N, C, H, W], got \(shape)")
        if size == (1, 1) { return mean(axes: [2, 3], keepDims: true) }
        let rows = PoolingKernels.adaptiveBins(input: shape[2], output: size.0)
        let cols = PoolingKernels.adaptiveBins(input: shape[3], output: size.1)
        let pieces = rows.map { r in
            Tensor.concat(cols.map { c in
                slice(axis: 2, start: r.lowerBound, end: r.upperBound).slice(axis: 3, start: c.lowerBound, end: c.upperBound)
                    .mean(axes: [2, 3], keepDims: true)
            }, axis: 3)
        }
        return Tensor.concat(pieces, axis: 2)
    }

    /// Global average pooling to `[N, C, 1, 1]`. PyTorch: `F.adaptive_avg_pool2d(x, 1)`.
    public func globalAvgPool2d() -> Tensor { adaptiveAvgPool2d((1, 1)) }

    private func poolGeometry(kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), op: String) -> ConvGeometry {
        require(rank == 4, "\(op): input must be [N, C, H, W], got \(shape)")
        require(padding.0 * 2 <= kernel.0 && padding.1 * 2 <= kernel.1, "\(op): padding \(padding) exceeds half the kernel \(kernel)")
        let g = ConvGeometry(batch: shape[0], inChannels: shape[1], height: shape[2], width: shape[3],
                             outChannels: shape[1], kernelH: kernel.0, kernelW: kernel.1, strideH: stride.0, strideW: stride.1,
                             padH: padding.0, padW: padding.1, dilationH: 1, dilationW: 1, groups: shape[1])
        require(g.outHeight > 0 && g.outWidth > 0, "\(op): kernel \(kernel) larger than padded input \(shape)")
        return g
    }
}
