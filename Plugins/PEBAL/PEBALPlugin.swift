import OoDKit

/// PEBAL (Tian et al., ECCV 2022, "Pixel-wise Energy-biased Abstention Learning"): the
/// segmenter's final block retrained (`trains: segmenter.final`) with an abstention output
/// (`segmenter.abstention: true`) under the abstention loss `pebal.gambler`, plus `0.1 ·`
/// (`energy_hinge` + `pebal.regulariser`). Its score is the blurred energy over the
/// classes, `{type: energy, smoothing: {kernel: 7, sigma: 1}}`.
public enum PEBALPlugin: Plugin {
    public static func register(into registry: inout Registry) throws {
        try registry.losses.register("pebal.gambler",
                                     summary: "PEBAL's abstention loss: -log(p_y + p_abstain/reward), reward = blur(logsumexp²); outliers abstain",
                                     config: GamblerConfig.self) { c, _ in GamblerLoss(outlierWeight: c.outlierWeight, reward: c.reward) }
        try registry.losses.register("pebal.regulariser",
                                     summary: "PEBAL's energy regulariser: 5e-4·‖E_out‖₂ + 3e-6·Σ squared neighbour differences / 2",
                                     config: EnergyRegulariserConfig.self) { c, _ in
            EnergyRegulariser(sparsity: c.sparsity, smoothness: c.smoothness, logits: c.logits)
        }
    }
}
