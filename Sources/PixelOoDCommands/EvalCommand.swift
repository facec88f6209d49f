import ArgumentParser
import Foundation
import OoDKit
import TensorCore

/// `pixelood eval RECIPE`: anomaly metrics of the recipe's scores, baselines and trained heads on its eval sets.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate anomaly scores and trained heads on the recipe's eval.datasets; writes report.md, report.json and report.html.",
        discussion: """
            Rows: eval.scores (the four logit scores by default), eval.baselines (colour rarity by \
            default, fitted to data.train) and the head of every stage that has one, with the weights \
            of that stage's final.h5. Per set and row: pooled FPR95 (nearest-recall rule), AuPRC and \
            AUROC, with the strict FPR95 rule and per-image means in report.json, and the closed-set \
            mIoU on data.val. \
            Backbone maps are cached in a feature store keyed by the segmenter's content hash, the \
            dataset, the preprocessing and the feature names, so later runs skip the backbone.
            """)

    @OptionGroup var recipeArguments: RecipeArguments

    @Option(help: "A checkpoint whose segmenter. weights to evaluate (default: the last stage's final.h5 when trained, else the recipe's checkpoint).")
    var checkpoint: String?

    @OptionGroup var storeArguments: StoreArguments

    @OptionGroup var metricsMemoryArgument: MetricsMemoryArgument

    @Option(help: "Where report.md, report.json and report.html go (default: <work_dir>/eval).")
    var out: String?

    @Option(help: "Read the trained stages from (and write into) this folder instead of the recipe's work_dir, as train --work-dir wrote them.")
    var workDir: String?

    @OptionGroup var progressArgument: ProgressArgument

    func run() throws {
        try BLAS.load()
        let compiled = try recipeArguments.load().compiled(CommandContext.registry, workDir: workDir)
        let group = CommandContext.group  // several ranks under pixelood-mpi: each scores its share, rank 0 reports
        let options = EvalOptions(checkpoint: checkpoint, storeDirectory: storeArguments.directory(workDir: compiled.layout.workDir),
                                  progress: group.rank == 0 ? progressArgument.style : .none,
                                  metricsMemoryBytes: metricsMemoryArgument.bytes, group: group)
        guard let report = try Evaluator(compiled, options: options).runInGroup() else { return }
        let folder = out ?? compiled.layout.evalFolder
        try report.write(to: folder)
        print(report.markdown)
        print("wrote \(folder)/report.md, report.json and report.html (open it in a browser: tables, heat maps, curves, histograms)")
    }
}
