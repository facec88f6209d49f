extension Tensor {
    /// Applies `f` elementwise (no autograd).
    func mapKernel<F: UnaryFunctor>(_ f: F) -> Tensor {
        let out = TensorStorage(uninitializedCount: count)
        Elementwise.map(storage.pointer, out.pointer, count: count, f)
        return Tensor(shape: shape, storage: out)
    }

    /// Upstream gradient `g` kept where `predicate(input) != 0`, zero elsewhere.
    static func maskedGrad<P: UnaryFunctor>(_ g: Tensor, where predicate: P, of input: Tensor) -> Tensor {
        zipKernel(g, input, MaskGradF(predicate: predicate), op: "mask")
    }

    /// Exponential. PyTorch: `torch.exp`.
    public func exp() -> Tensor {
        let y = mapKernel(ExpF())
        return Tensor.record("exp", y, inputs: [self]) { g in [g * y] }
    }

    /// Natural logarithm. PyTorch: `torch.log`.
    public func log() -> Tensor {
        let x = detached()
        return Tensor.record("log", mapKernel(LogF()), inputs: [self]) { g in [g / x] }
    }

    /// Square root. PyTorch: `torch.sqrt`.
    public func sqrt() -> Tensor {
        let y = mapKernel(SqrtF())
        return Tensor.record("sqrt", y, inputs: [self]) { g in [g / (y * 2)] }
    }

    /// `x^p` for a scalar exponent. PyTorch: `torch.pow(x, p)`.
    public func pow(_ p: Float) -> Tensor {
        let x = detached()
        return Tensor.record("pow", mapKernel(PowScalarF(exponent: p)), inputs: [self]) { g in
            [g * x.mapKernel(PowScalarF(exponent: p - 1)) * p]
        }
    }

    /// Absolute value (gradient `sign(x)`, 0 at 0). PyTorch: `torch.abs`.
    public func abs() -> Tensor {
        let x = detached()
        return Tensor.record("abs", mapKernel(AbsF()), inputs: [self]) { g in [g * x.mapKernel(SignF())] }
    }

    /// Clamps into `[low, high]`; the gradient passes where `low <= x <= high`. PyTorch: `torch.clamp`.
    public func clamp(min low: Float = -.infinity, max high: Float = .infinity) -> Tensor {
        let x = detached()
        return Tensor.record("clamp", mapKernel(ClampF(low: low, high: high)), inputs: [self]) { g in
            [Tensor.maskedGrad(g, where: InsideInclusiveF(low: low, high: high), of: x)]
        }
    }

    /// max(x, 0), in place when nothing can observe it (see ``InPlace``). PyTorch: `torch.relu`.
    public consuming func relu() -> Tensor {
        mapReusing(ClampF(low: 0, high: .infinity)) { input, y in
            let x = input.detached()
            return Tensor.record("relu", y, inputs: [input]) { g in
                [Tensor.maskedGrad(g, where: InsideStrictF(low: 0, high: .infinity), of: x)]
            }
        }
    }

    /// min(max(x, 0), 6), in place when nothing can observe it. PyTorch: `torch.nn.functional.relu6`.
    public consuming func relu6() -> Tensor {
        mapReusing(ClampF(low: 0, high: 6)) { input, y in
            let x = input.detached()
            return Tensor.record("relu6", y, inputs: [input]) { g in
                [Tensor.maskedGrad(g, where: InsideStrictF(low: 0, high: 6), of: x)]
            }
        }
    }

    /// x for x > 0, `slope * x` otherwise. PyTorch: `torch.nn.functional.leaky_relu`.
    public func leakyRelu(slope: Float = 0.01) -> Tensor {
        let x = detached()
        return Tensor.record("leaky_relu", mapKernel(LeakyReluF(slope: slope)), inputs: [self]) { g in
            [Tensor.zipKernel(g, x, LeakyGradF(slope: slope), op: "leaky_relu")]
        }
    }

    /// Logistic sigmoid. PyTorch: `torch.sigmoid`.
    public func sigmoid() -> Tensor {
        let y = mapKernel(SigmoidF())
        return Tensor.record("sigmoid", y, inputs: [self]) { g in [g * y * (1 - y)] }
    }

    /// Hyperbolic tangent. PyTorch: `torch.tanh`.
    public func tanh() -> Tensor {
        let y = mapKernel(TanhF())
        return Tensor.record("tanh", y, inputs: [self]) { g in [g * (1 - y * y)] }
    }
}

/// g for x > 0, g * slope otherwise.
struct LeakyGradF: BinaryFunctor {
    let slope: Float
    @inline(__always) func callAsFunction(_ g: Float, _ x: Float) -> Float { x > 0 ? g : g * slope }
}
