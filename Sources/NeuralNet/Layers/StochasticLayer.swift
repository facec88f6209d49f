import TensorCore

/// A layer that draws random numbers in training mode (dropout). The trainer reseeds every
/// such layer before each step from the recipe's seed, the step and the layer's key path,
/// so a resumed run draws the same masks as an uninterrupted one.
///
/// In a data-parallel step each rank forwards a share of the global batch; given the
/// share's ``BatchPositions`` a layer draws the masks of the whole batch, in the order one
/// process draws them, and keeps its images' rows, so the ranks' masks are one process's.
public protocol StochasticLayer: Module {
    /// Replaces the layer's generator, and where the next forwards' images stand in the whole
    /// batch (nil: the forward holds the whole batch).
    func reseed(_ generator: SeededGenerator, positions: BatchPositions?)
}


extension Module {
    /// Reseeds every ``StochasticLayer`` below this module with a generator derived from
    /// `seed`, `step` and the layer's dotted path (so two layers never share a stream), and
    /// tells it the `positions` of the forwards to come in the whole batch (data-parallel).
    public func reseedStochasticLayers(seed: UInt64, step: Int, positions: BatchPositions? = nil) {
        let base = SeededGenerator(seed: seed).derived(UInt64(step))
        for (path, module) in namedModules() {
            guard let layer = module as? any StochasticLayer else { continue }
            layer.reseed(base.derived(stablePathHash(path)), positions: positions)
        }
    }
}

/// FNV-1a of a key path: the same value in every process (Swift's `Hasher` is seeded per run).
func stablePathHash(_ path: String) -> UInt64 {
    path.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
}
