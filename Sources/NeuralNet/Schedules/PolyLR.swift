import Foundation
import TensorCore

/// Polynomial decay `lr = base · (1 − iteration / maxIterations)^power`, the DeepLab / RPL
/// schedule (power 0.9). PyTorch: `torch.optim.lr_scheduler.PolynomialLR(total_iters, power)`.
public struct PolyLR: Sendable, Equatable {
    /// The learning rate at iteration 0.
    public var baseLearningRate: Float
    /// Iterations until the rate reaches 0.
    public var maxIterations: Int
    /// The exponent.
    public var power: Float

    /// Creates the schedule.
    public init(baseLearningRate: Float, maxIterations: Int, power: Float = 0.9) {
        require(maxIterations > 0, "PolyLR: maxIterations must be positive, got \(maxIterations)")
        (self.baseLearningRate, self.maxIterations, self.power) = (baseLearningRate, maxIterations, power)
    }

    /// The learning rate for `iteration` (0-based; clamped to 0 past the end).
    public func learningRate(at iteration: Int) -> Float {
        let progress = min(1, Double(max(0, iteration)) / Double(maxIterations))
        return baseLearningRate * Float(Foundation.pow(1 - progress, Double(power)))
    }

    /// Sets `optimizer.learningRate` for `iteration`.
    public func apply(to optimizer: any Optimizer, iteration: Int) {
        optimizer.learningRate = learningRate(at: iteration)
    }
}
