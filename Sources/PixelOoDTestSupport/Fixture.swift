import Foundation
import HDF5Store
import TensorCore

/// A committed HDF5 fixture under `Tests/Fixtures`, written by a script in `scripts/fixtures/`.
public struct Fixture {
    /// The open file.
    public let file: H5File

    /// Opens `Tests/Fixtures/<name>`.
    public init(_ name: String) throws {
        file = try H5File.open(Fixture.directory.appendingPathComponent(name).path)
    }

    /// `Tests/Fixtures`, found from this source file's location.
    public static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Tests/Fixtures")
    }

    /// The float dataset at `path` as a tensor.
    public func tensor(_ path: String) throws -> Tensor { try file.readTensor(path) }

    /// The integer dataset at `path` as an index tensor.
    public func indices(_ path: String) throws -> IndexTensor {
        let (shape, values) = try file.readInt64(path)
        return IndexTensor(shape: shape, values.map { Int32($0) })
    }

    /// Names of the children of a group, or `[]` when it does not exist.
    public func names(in group: String) throws -> [String] {
        file.contains(group) ? try file.children(of: group) : []
    }

    /// The case `name` of an op fixture (`scripts/fixtures/ops.py` layout).
    public func opCase(_ name: String) throws -> OpCase {
        let root = "/" + name
        var inputs: [(String, Tensor)] = []
        for key in try names(in: root + "/in") { inputs.append((key, try tensor("\(root)/in/\(key)"))) }
        var indices: [String: IndexTensor] = [:]
        for key in try names(in: root + "/idx") { indices[key] = try self.indices("\(root)/idx/\(key)") }
        var grads: [String: Tensor] = [:]
        for key in try names(in: root + "/grad") { grads[key] = try tensor("\(root)/grad/\(key)") }
        return OpCase(name: name, inputs: inputs, indices: indices, output: try tensor(root + "/out"),
                      upstream: try tensor(root + "/gy"), gradients: grads)
    }
}

/// One op fixture: PyTorch's inputs, output, the upstream gradient it fed to backward,
/// and the resulting input gradients.
public struct OpCase {
    /// Case name (the fixture group).
    public let name: String
    /// Float inputs in the order the PyTorch function took them.
    public let inputs: [(name: String, tensor: Tensor)]
    /// Integer inputs (targets, indices, masks) by name.
    public let indices: [String: IndexTensor]
    /// PyTorch's output.
    public let output: Tensor
    /// The upstream gradient given to `backward`.
    public let upstream: Tensor
    /// PyTorch's gradient for each float input that has one.
    public let gradients: [String: Tensor]

    /// The float input `name`.
    public func input(_ name: String) -> Tensor {
        guard let found = inputs.first(where: { $0.name == name }) else {
            fatalError("fixture case \(self.name) has no input '\(name)' (has \(inputs.map(\.name)))")
        }
        return found.tensor
    }
}
