/// A recipe compiled against a registry, the one value every verb starts from: every node's
/// config decoded and validated (a typo in the last stage, in `eval.scores` or in a dataset
/// fails here, located, before anything is built or trained), the run's folders named
/// (``layout``), and its model assembled by ``model(weights:)``. `train`, `eval`, `infer`,
/// `check`, `inspect` and every sweep point take one (a sweep compiles all its points before
/// the first trains), so no verb runs an unchecked recipe.
///
/// ```swift
/// let run = try RecipeLoader.load("rpl.yaml").compiled(registry)
/// let results = try Trainer(run).run()
/// let report = try Evaluator(run).run()
/// ```
public struct CompiledRun: Sendable {
    /// The recipe as loaded (its resolved text, the files it came from).
    public let loaded: LoadedRecipe
    /// The registry its names resolve in.
    public let registry: Registry
    /// Every folder and file name of the run.
    public let layout: RunLayout

    /// The decoded recipe.
    public var recipe: Recipe { loaded.recipe }

    /// Checks every node's config of `loaded` in `registry`; the run's folder is `workDir`,
    /// else the recipe's (`work_dir`, else `runs/<name>`).
    /// - Throws: ``RecipeError`` located at the node.
    public init(_ loaded: LoadedRecipe, registry: Registry, workDir: String? = nil) throws {
        try loaded.recipe.checkConfigs(registry: registry)
        (self.loaded, self.registry, layout) = (loaded, registry, RunLayout(workDir ?? loaded.workDir))
    }

    /// The run's model: the recipe's segmenter with the `segmenter.` keys of `weights` (a
    /// checkpoint path) loaded, ready for heads (``RunModel``).
    /// - Throws: ``RecipeError`` for its node, checkpoint and `StateDictError`s.
    public func model(weights: String? = nil) throws -> RunModel {
        try RunModel(recipe, registry: registry, weights: weights)
    }
}

extension LoadedRecipe {
    /// This recipe compiled against `registry` (``CompiledRun``), writing to `workDir` when
    /// given.
    /// - Throws: ``RecipeError`` located at the node.
    public func compiled(_ registry: Registry, workDir: String? = nil) throws -> CompiledRun {
        try CompiledRun(self, registry: registry, workDir: workDir)
    }
}
