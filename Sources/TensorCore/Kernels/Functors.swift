import Foundation

/// A scalar function applied elementwise; generic kernels specialise on the concrete type,
/// so the call inlines into the loop.
public protocol UnaryFunctor {
    func callAsFunction(_ x: Float) -> Float
    /// `dst[i] = self(src[i])` for `i < count`; a functor with a vector kernel replaces the
    /// element loop (with the same values).
    func apply(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int)
}

extension UnaryFunctor {
    @inline(__always)
    public func apply(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { dst[i] = self(src[i]) }
    }
}
/// A scalar function of two arguments applied elementwise with broadcasting.
public protocol BinaryFunctor { func callAsFunction(_ a: Float, _ b: Float) -> Float }

struct AddF: BinaryFunctor { @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a + b } }
struct SubF: BinaryFunctor { @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a - b } }
struct MulF: BinaryFunctor { @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a * b } }
struct DivF: BinaryFunctor { @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a / b } }
struct PowF: BinaryFunctor { @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { Foundation.pow(a, b) } }
/// d/da of a^b times upstream: b * a^(b-1).
struct PowBaseGradF: BinaryFunctor {
    @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { b * Foundation.pow(a, b - 1) }
}
/// d/db of a^b: a^b * log(a) (0 where a == 0, as PyTorch).
struct PowExpGradF: BinaryFunctor {
    @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float {
        a == 0 ? 0 : Foundation.pow(a, b) * Foundation.log(a)
    }
}
/// Upstream gradient masked by a predicate of the saved input.
struct MaskGradF<P: UnaryFunctor>: BinaryFunctor {
    let predicate: P
    @inline(__always) func callAsFunction(_ g: Float, _ x: Float) -> Float { predicate(x) != 0 ? g : 0 }
}

struct ExpF: UnaryFunctor {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { Foundation.exp(x) }
    /// The vector kernel: libm's values, bit for bit (``VectorMath/exp(_:_:count:)``).
    @inline(__always) func apply(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        VectorMath.exp(src, dst, count: count)
    }
}
struct LogF: UnaryFunctor {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { Foundation.log(x) }
    /// The vector kernel: libm's values, bit for bit (``VectorMath/log(_:_:count:)``).
    @inline(__always) func apply(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        VectorMath.log(src, dst, count: count)
    }
}
struct SqrtF: UnaryFunctor { @inline(__always) func callAsFunction(_ x: Float) -> Float { x.squareRoot() } }
struct AbsF: UnaryFunctor { @inline(__always) func callAsFunction(_ x: Float) -> Float { Swift.abs(x) } }
struct SignF: UnaryFunctor {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x > 0 ? 1 : (x < 0 ? -1 : 0) }
}
struct SigmoidF: UnaryFunctor {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { 1 / (1 + Foundation.exp(-x)) }
    /// e^−x through the vector kernel, then 1 / (1 + e): the scalar path's values, bit for bit.
    @inline(__always) func apply(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { dst[i] = -src[i] }
        VectorMath.exp(dst, dst, count: count)
        for i in 0..<count { dst[i] = 1 / (1 + dst[i]) }
    }
}
struct TanhF: UnaryFunctor { @inline(__always) func callAsFunction(_ x: Float) -> Float { Foundation.tanh(x) } }
struct PowScalarF: UnaryFunctor {
    let exponent: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float {
        exponent == 2 ? x * x : Foundation.pow(x, exponent)
    }
}
struct AffineF: UnaryFunctor {
    let scale: Float, shift: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x * scale + shift }
}
struct ClampF: UnaryFunctor {
    let low: Float, high: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { Swift.min(Swift.max(x, low), high) }
}
struct LeakyReluF: UnaryFunctor {
    let slope: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x > 0 ? x : x * slope }
}
/// 1 where low <= x <= high (inclusive bounds; PyTorch's clamp backward).
struct InsideInclusiveF: UnaryFunctor {
    let low: Float, high: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x >= low && x <= high ? 1 : 0 }
}
/// 1 where low < x < high (strict bounds; PyTorch's relu/hardtanh backward).
struct InsideStrictF: UnaryFunctor {
    let low: Float, high: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x > low && x < high ? 1 : 0 }
}
