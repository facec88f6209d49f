import HDF5Store
import TensorCore

/// Everything a training run saves: the model's state under its roots (`segmenter.…`,
/// `head.…`), the optimizer's state, the trainer's own state (loader position, generator
/// state) and typed metadata. Saved atomically: an interrupted save leaves the previous
/// file as it was.
///
/// Layout: `/state_dict/<key>`, `/optimizer/<key>`, `/trainer/<key>`, root attributes of
/// ``CheckpointMetadata``. PyTorch: the dict passed to `torch.save` by training scripts.
public struct Checkpoint: Sendable {
    /// The model, keys under their roots (``StateDict/merging(_:)``).
    public var model: StateDict
    /// The optimizer's state (``Optimizer/stateDict()``), empty when none was saved.
    public var optimizer: StateDict
    /// The trainer's own state, empty when none was saved.
    public var trainer: StateDict
    /// Where the checkpoint came from.
    public var metadata: CheckpointMetadata

    /// Assembles a checkpoint.
    public init(model: StateDict, optimizer: StateDict = StateDict(), trainer: StateDict = StateDict(),
                metadata: CheckpointMetadata = CheckpointMetadata()) {
        (self.model, self.optimizer, self.trainer, self.metadata) = (model, optimizer, trainer, metadata)
    }

    /// Writes the file atomically (temporary file, then rename).
    /// - Throws: ``HDF5Error`` naming the file.
    public func save(to path: String) throws {
        try H5File.write(to: path) { file in
            try file.write(model, group: CheckpointFormat.stateDictGroup)
            if optimizer.count > 0 { try file.write(optimizer, group: CheckpointFormat.optimizerGroup) }
            if trainer.count > 0 { try file.write(trainer, group: CheckpointFormat.trainerGroup) }
            for (name, value) in metadata.attributes { try file.setAttribute(name, value) }
        }
    }

    /// Reads a checkpoint; a file without `/optimizer` or `/trainer` (a converted release,
    /// a plain state dict) loads with those empty.
    /// - Throws: ``HDF5Error`` naming the file, or ``CheckpointError``.
    public static func load(from path: String) throws -> Checkpoint {
        let file = try H5File.open(path)
        func optional(_ group: String) throws -> StateDict {
            file.contains(group) ? try file.readStateDict(group: group) : StateDict()
        }
        return Checkpoint(model: try file.readStateDict(group: CheckpointFormat.stateDictGroup),
                          optimizer: try optional(CheckpointFormat.optimizerGroup),
                          trainer: try optional(CheckpointFormat.trainerGroup),
                          metadata: try CheckpointMetadata(reading: file))
    }
}
