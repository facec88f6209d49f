import Foundation
import TensorCore

/// A separable Gaussian blur of per-pixel score maps with reflect padding, as torchvision's
/// `GaussianBlur(kernel_size, sigma)` applies it to RPL's and PEBAL's energy maps: the
/// kernel is `exp(−x²/2σ²)` for `x = −k/2 … k/2`, normalised to sum 1. Differentiable
/// (reflect padding is an index selection, each pass a convolution), so losses may blur too.
///
/// Recipe: `smoothing: {kernel: 7, sigma: 1.0}`.
public struct GaussianSmoothing: Sendable, Equatable, RecipeConfig {
    /// The kernel's width and height, odd.
    public var kernel: Int
    /// The standard deviation in pixels.
    public var sigma: Float

    /// RPL's blur: kernel 7, σ = 1.
    public init(kernel: Int = 7, sigma: Float = 1) { (self.kernel, self.sigma) = (kernel, sigma) }

    enum CodingKeys: String, CodingKey { case kernel, sigma }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(kernel: try c.decodeIfPresent(Int.self, forKey: .kernel) ?? 7,
                  sigma: try c.decodeIfPresent(Float.self, forKey: .sigma) ?? 1)
    }

    public func validate() throws {
        guard kernel > 0, kernel % 2 == 1, kernel <= 99 else {
            throw ConfigError(key: "kernel", "must be an odd size from 1 to 99, got \(kernel)")
        }
        guard sigma > 0 else { throw ConfigError(key: "sigma", "must be positive, got \(sigma)") }
    }

    /// The normalised 1-D kernel.
    public var weights: [Float] {
        let half = kernel / 2
        let raw = (-half...half).map { Foundation.exp(-Double($0 * $0) / (2 * Double(sigma) * Double(sigma))) }
        let total = raw.reduce(0, +)
        return raw.map { Float($0 / total) }
    }

    /// Blurs each map. Shape: `[N, H, W]` → `[N, H, W]`.
    public func callAsFunction(_ maps: Tensor) -> Tensor {
        let (n, h, w) = (maps.shape[0], maps.shape[1], maps.shape[2])
        let half = kernel / 2
        let k = weights
        var x = maps.reshaped([n, 1, h, w]).indexSelect(axis: 3, indices: Self.reflectIndices(w, pad: half))
        x = x.conv2d(weight: Tensor(shape: [1, 1, 1, kernel], k))
        x = x.indexSelect(axis: 2, indices: Self.reflectIndices(h, pad: half))
        x = x.conv2d(weight: Tensor(shape: [1, 1, kernel, 1], k))
        return x.reshaped([n, h, w])
    }

    /// Source indices of a reflect-padded axis (`dcb|abcd|cba`), mirrored as often as a short
    /// axis needs.
    static func reflectIndices(_ size: Int, pad: Int) -> [Int] {
        guard size > 1 else { return Array(repeating: 0, count: size + 2 * pad) }
        let period = 2 * (size - 1)
        return (-pad..<(size + pad)).map { i in
            let m = ((i % period) + period) % period
            return m < size ? m : period - m
        }
    }
}
