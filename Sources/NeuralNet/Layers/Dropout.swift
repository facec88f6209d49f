import TensorCore

/// Zeroes elements with probability `p` in training mode and rescales the rest by 1/(1−p);
/// the identity in evaluation mode. The mask comes from the layer's own generator, seeded
/// by the caller, so runs are reproducible without global random state.
///
/// PyTorch: `torch.nn.Dropout` (same distribution, not the same random stream).
public final class Dropout: Module, UnaryLayer {
    /// Drop probability.
    public let p: Float
    private var generator: SeededGenerator

    /// Creates a dropout layer drawing its masks from a generator seeded with `seed`.
    public init(p: Float = 0.5, seed: UInt64) {
        require(p >= 0 && p <= 1, "Dropout: probability \(p) outside [0, 1]")
        self.p = p
        generator = SeededGenerator(seed: seed)
    }

    public override var extraDescription: String { "p=\(p)" }

    /// Shape: unchanged.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.dropout(p: p, training: isTraining, using: &generator)
    }
}
