import SceneData

/// A head with state that follows the training batches outside the gradient (DUQ's class
/// centroids, kept by an exponential moving average). After each optimizer step the trainer
/// hands it the step's batch and the head's own output on it (the crops' half when context
/// images were forwarded too); what it updates are buffers, so checkpoints and resumes
/// carry it.
public protocol StepUpdatingHead: OoDHead {
    /// Updates the head's state from one training step.
    /// - Throws: when `output` lacks what the update reads.
    func update(after batch: TrainingBatch, output: HeadOutput) throws
    /// Whether ``update(after:output:)`` on a rank's share of a batch (a ``BatchShard``)
    /// updates from the whole batch, summing what it needs over the ranks through
    /// `batch.shard.ranks` (every rank calling it), so that every rank keeps the state one
    /// process keeps. Default: false; a data-parallel run refuses the head.
    var updatesAcrossShards: Bool { get }
}

extension StepUpdatingHead {
    public var updatesAcrossShards: Bool { false }
}
