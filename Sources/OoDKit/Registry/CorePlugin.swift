/// The entries OoDKit itself provides: backbones, segmenters, the four logit scores, the
/// colour-rarity baseline, the segmentation loss, dataset readers, optimizers and schedules. Registered first by
/// ``Registry/init(plugins:)``.
public enum CorePlugin: Plugin {
    public static func register(into registry: inout Registry) throws {
        try registerBackbones(into: &registry)
        try registerSegmenters(into: &registry)
        try registerScores(into: &registry)
        try registerBaselines(into: &registry)
        try registerLosses(into: &registry)
        try registerDatasets(into: &registry)
        try registerOptimization(into: &registry)
    }
}
