extension Recipe {
    /// Decodes and validates the config of every node the recipe names (the segmenter, each
    /// stage's head, loss terms, optimizer and schedule, `eval.heads`, scores, baselines and
    /// every dataset) without building anything: a typo in the last stage, in `eval.scores`
    /// or in a sweep's last point fails, located, before the first step trains. Compiling a
    /// run (``CompiledRun``) runs it.
    /// - Throws: ``RecipeError`` located at the node.
    func checkConfigs(registry: Registry) throws {
        try registry.segmenters.check(segmenter, registry: registry)
        for stage in stages {
            if let head = stage.head { try registry.heads.check(head, registry: registry) }
            guard let training = stage.gradient else { continue }
            for loss in training.losses { try registry.losses.check(loss, registry: registry, alsoRead: ["weight"]) }
            try registry.optimizers.check(training.optimizer, registry: registry)
            if let schedule = training.schedule { try registry.schedules.check(schedule, registry: registry) }
        }
        for head in eval?.heads ?? [] { try registry.heads.check(head, registry: registry) }
        for score in eval?.scores ?? [] { try registry.scores.check(score, registry: registry) }
        for baseline in eval?.baselines ?? [] { try registry.baselines.check(baseline, registry: registry) }
        for node in [data?.train, data?.val].compactMap({ $0 }) + (eval?.datasets ?? []) {
            try registry.datasets.check(node, registry: registry)
        }
    }
}
