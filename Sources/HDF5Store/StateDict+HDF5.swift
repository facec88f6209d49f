import TensorCore

/// Layout of PixelOoD checkpoint files.
public enum CheckpointFormat {
    /// The group holding one dataset per state-dict key (the dotted key is the dataset name).
    public static let stateDictGroup = "/state_dict"
    /// The group holding the optimizer's state (moments, step count).
    public static let optimizerGroup = "/optimizer"
    /// The group holding the trainer's state (loader position, generator state).
    public static let trainerGroup = "/trainer"
    /// Written to the root attribute `format_version`.
    public static let version: Int64 = 1
}

extension H5File {
    /// Reads a float dataset as a tensor of the stored shape.
    public func readTensor(_ name: String) throws -> Tensor {
        let (shape, values) = try readFloat32(name)
        return Tensor(shape: shape, values)
    }

    /// Writes a tensor as a float32 dataset, straight from its storage (no copy).
    public func write(_ name: String, _ tensor: Tensor) throws {
        try tensor.withUnsafeBufferPointer { try write(name, shape: tensor.shape, bytes: UnsafeRawBufferPointer($0), as: .float32) }
    }
}

extension H5File {
    /// Writes `state` as one dataset per entry under `group` (float32, or int64 for counters
    /// such as `num_batches_tracked`); the dotted key is the dataset name.
    public func write(_ state: StateDict, group: String) throws {
        for entry in state.entries {
            let name = group + "/" + entry.key
            switch entry.dtype {
            case .float32: try write(name, entry.tensor)
            case .int64: try write(name, shape: entry.tensor.shape, int64: entry.tensor.scalars.map { Int64($0) })
            }
        }
    }

    /// Reads every dataset under `group`, in the file's order. Integer datasets become
    /// `.int64` entries (values converted to Float32 in the tensor).
    /// - Throws: ``HDF5Error`` naming the file and the group or dataset.
    public func readStateDict(group: String) throws -> StateDict {
        var result = StateDict()
        for key in try children(of: group) {
            let name = group + "/" + key
            if try info(name).isFloat {
                result.append(key, try readTensor(name))
            } else {
                let (shape, values) = try readInt64(name)
                result.append(key, Tensor(shape: shape, values.map { Float($0) }), dtype: .int64)
            }
        }
        return result
    }
}

extension StateDict {
    /// Saves the entries under `/state_dict/<key>` (float32, or int64 for counters such as
    /// `num_batches_tracked`), with root attributes `format_version` and `attributes`
    /// (e.g. `toolkit_version`, `recipe`). The file is written atomically.
    ///
    /// PyTorch: `torch.save(model.state_dict(), path)`, in HDF5.
    public func save(to path: String, attributes: [(name: String, value: H5AttributeValue)] = []) throws {
        try H5File.write(to: path) { file in
            try file.write(self, group: CheckpointFormat.stateDictGroup)
            try file.setAttribute("format_version", .int(CheckpointFormat.version))
            for (name, value) in attributes { try file.setAttribute(name, value) }
        }
    }

    /// Loads every dataset under `/state_dict`, in the file's order.
    ///
    /// - Throws: ``HDF5Error`` naming the file (missing, not HDF5, truncated, no `/state_dict`).
    public static func load(from path: String) throws -> StateDict {
        try H5File.open(path).readStateDict(group: CheckpointFormat.stateDictGroup)
    }
}
