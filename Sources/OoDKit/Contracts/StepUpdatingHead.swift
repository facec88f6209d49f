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
}
