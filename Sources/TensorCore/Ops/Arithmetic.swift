extension Tensor {
    /// Applies `f` elementwise with broadcasting (no autograd).
    static func zipKernel<F: BinaryFunctor>(_ a: Tensor, _ b: Tensor, _ f: F, op: String) -> Tensor {
        guard let shape = Shape.broadcast(a.shape, b.shape) else {
            fatalError("\(op): shapes \(a.shape) and \(b.shape) do not broadcast")
        }
        let out = TensorStorage(uninitializedCount: Shape.count(shape))
        Elementwise.zip(a.storage.pointer, Shape.broadcastStrides(a.shape, to: shape),
                        b.storage.pointer, Shape.broadcastStrides(b.shape, to: shape),
                        out.pointer, shape: shape, f)
        return Tensor(shape: shape, storage: out)
    }

    /// Elementwise sum with broadcasting. PyTorch: `a + b`.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let (sa, sb) = (a.shape, b.shape)
        return record("add", zipKernel(a, b, AddF(), op: "add"), inputs: [a, b]) { g in
            [g.sumToShape(sa), g.sumToShape(sb)]
        }
    }

    /// Elementwise difference with broadcasting. PyTorch: `a - b`.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let (sa, sb) = (a.shape, b.shape)
        return record("sub", zipKernel(a, b, SubF(), op: "sub"), inputs: [a, b]) { g in
            [g.sumToShape(sa), (-g).sumToShape(sb)]
        }
    }

    /// Elementwise product with broadcasting. PyTorch: `a * b`.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let (ca, cb) = (a.detached(), b.detached())
        return record("mul", zipKernel(a, b, MulF(), op: "mul"), inputs: [a, b]) { g in
            [a.requiresGrad ? (g * cb).sumToShape(ca.shape) : nil,
             b.requiresGrad ? (g * ca).sumToShape(cb.shape) : nil]
        }
    }

    /// Elementwise quotient with broadcasting. PyTorch: `a / b`.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let (ca, cb) = (a.detached(), b.detached())
        return record("div", zipKernel(a, b, DivF(), op: "div"), inputs: [a, b]) { g in
            [a.requiresGrad ? (g / cb).sumToShape(ca.shape) : nil,
             b.requiresGrad ? (-(g * ca) / (cb * cb)).sumToShape(cb.shape) : nil]
        }
    }

    /// Elementwise power with broadcasting. PyTorch: `torch.pow(a, b)`.
    public func pow(_ exponent: Tensor) -> Tensor {
        let (ca, cb) = (detached(), exponent.detached())
        return Tensor.record("pow", Tensor.zipKernel(self, exponent, PowF(), op: "pow"), inputs: [self, exponent]) { g in
            [requiresGrad ? (g * Tensor.zipKernel(ca, cb, PowBaseGradF(), op: "pow")).sumToShape(ca.shape) : nil,
             exponent.requiresGrad ? (g * Tensor.zipKernel(ca, cb, PowExpGradF(), op: "pow")).sumToShape(cb.shape) : nil]
        }
    }

    /// Negation. PyTorch: `-x`.
    public static prefix func - (x: Tensor) -> Tensor { x.affine(scale: -1, shift: 0) }

    /// `x + s`. PyTorch: `x + s`.
    public static func + (x: Tensor, s: Float) -> Tensor { x.affine(scale: 1, shift: s) }
    /// `s + x`.
    public static func + (s: Float, x: Tensor) -> Tensor { x.affine(scale: 1, shift: s) }
    /// `x - s`.
    public static func - (x: Tensor, s: Float) -> Tensor { x.affine(scale: 1, shift: -s) }
    /// `s - x`.
    public static func - (s: Float, x: Tensor) -> Tensor { x.affine(scale: -1, shift: s) }
    /// `x * s`.
    public static func * (x: Tensor, s: Float) -> Tensor { x.affine(scale: s, shift: 0) }
    /// `s * x`.
    public static func * (s: Float, x: Tensor) -> Tensor { x.affine(scale: s, shift: 0) }
    /// `x / s`.
    public static func / (x: Tensor, s: Float) -> Tensor { x.affine(scale: 1 / s, shift: 0) }
    /// `s / x`.
    public static func / (s: Float, x: Tensor) -> Tensor { Tensor(s) / x }

    /// `x * scale + shift` in one pass.
    public func affine(scale: Float, shift: Float) -> Tensor {
        Tensor.record("affine", mapKernel(AffineF(scale: scale, shift: shift)), inputs: [self]) { g in
            [scale == 1 ? g : g.mapKernel(AffineF(scale: scale, shift: 0))]
        }
    }
}
