import ModelZoo
import NeuralNet
import SceneData
import TensorCore

/// What one stage needs to train split over the ranks of a ``ProcessGroup``: each rank
/// forwards its equal share of every global batch (``TrainingBatch/shard(_:of:)``), its loss
/// terms return their shares (``LossTerm/splitsOverShards``), the shares' gradients are
/// summed across the ranks before one identical optimizer step on every rank, batch norm in
/// training normalises with the whole batch's statistics (`batch_norm: synchronised`) and
/// dropout draws the whole batch's masks. So the step equals one process's on the whole
/// batch, up to float summation order.
struct DataParallel {
    /// The ranks.
    let group: any ProcessGroup

    /// Refuses a stage whose loss terms or head cannot be split over the ranks.
    /// - Throws: ``TrainError/notDataParallel(stage:reason:)`` naming the term or head.
    func check(_ plan: StagePlan) throws {
        if let term = plan.losses.first(where: { !$0.term.splitsOverShards })?.term {
            throw TrainError.notDataParallel(stage: plan.name, reason: "its loss term '\(term.name)' does not compute its share of a "
                                             + "split batch (LossTerm.splitsOverShards)")
        }
        if let head = plan.head as? any StepUpdatingHead, !head.updatesAcrossShards {
            throw TrainError.notDataParallel(stage: plan.name, reason: "its head updates itself from each rank's batch alone "
                                             + "(StepUpdatingHead.updatesAcrossShards: \(head.typeName))")
        }
    }

    /// Batch norm of the segmenter and head normalising over the whole global batch
    /// (`synchronised`) or each rank's share (`per_rank`).
    func attachBatchNorm(_ plan: StagePlan, segmenter: any Segmenter) {
        let reducer: (any StatisticsReducer)? = plan.training.batchNorm == .synchronised ? group : nil
        let modules = segmenter.namedModules() + (plan.head?.namedModules() ?? [])
        for case let (_, norm as BatchNorm2d) in modules { norm.synchronizer = reducer }
    }

    /// Where this rank's forward stands in the one process's forward of `batch` (crops, and
    /// context images after them when the step forwards them).
    func positions(of batch: TrainingBatch, withContext: Bool) -> BatchPositions? {
        guard let shard = batch.shard else { return nil }
        let crops = Array(shard.images)
        return BatchPositions(whole: shard.wholeCount * (withContext ? 2 : 1),
                              kept: crops + (withContext ? crops.map { $0 + shard.wholeCount } : []))
    }

    /// Every rank's term values summed (each is its share), with one more value: how many
    /// ranks saw their interrupt flag raised.
    func summed(_ values: [Float], interrupted: Bool) throws -> (values: [Float], interrupted: Bool) {
        let total = try group.allReduceSum(values + [interrupted ? 1 : 0])
        return (Array(total.dropLast()), (total.last ?? 0) > 0)
    }

    /// Replaces every trainable parameter's gradient by its sum over the ranks (zero where a
    /// rank's share left it without one).
    func sumGradients(_ plan: StagePlan) throws {
        var flat: [Float] = []
        flat.reserveCapacity(plan.trainable.reduce(0) { $0 + $1.parameter.count })
        for (_, parameter) in plan.trainable {
            if let grad = parameter.grad { flat.append(contentsOf: grad.scalars) } else { flat.append(contentsOf: repeatElement(0, count: parameter.count)) }
        }
        let summed = try group.allReduceSum(flat)
        var offset = 0
        for (_, parameter) in plan.trainable {
            let count = parameter.count
            parameter.replaceGradient(with: Tensor(shape: parameter.value.shape, Array(summed[offset..<(offset + count)])))
            offset += count
        }
    }
}
