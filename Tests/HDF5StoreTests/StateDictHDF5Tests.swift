import Testing
import HDF5Store
import TensorCore
import PixelOoDTestSupport

@Suite("State dicts in HDF5 checkpoints")
struct StateDictHDF5Tests {
    @Test("keys, order, shapes, dtypes and attributes round-trip")
    func roundTrip() throws {
        let path = try scratchDirectory("h5").appendingPathComponent("sd.h5").path
        var state = StateDict()
        state.append("layer1.0.conv1.weight", Tensor(shape: [2, 1, 3, 3], (0..<18).map { Float($0) }))
        state.append("bn1.running_mean", Tensor(shape: [2], [0.5, -0.5]))
        state.append("bn1.num_batches_tracked", Tensor(shape: [], [7]), dtype: .int64)
        try state.save(to: path, attributes: [("toolkit_version", .string("0.1.0")), ("recipe", .string("a: 1\n"))])
        let loaded = try StateDict.load(from: path)
        #expect(loaded.keys == state.keys)
        #expect(loaded["layer1.0.conv1.weight"]?.shape == [2, 1, 3, 3])
        #expect(loaded["layer1.0.conv1.weight"]?.scalars == state["layer1.0.conv1.weight"]?.scalars)
        #expect(loaded.entry("bn1.num_batches_tracked")?.dtype == .int64)
        #expect(loaded["bn1.num_batches_tracked"]?.item == 7)
        let file = try H5File.open(path)
        #expect(try file.attribute("format_version") == .int(CheckpointFormat.version))
        #expect(try file.stringAttribute("toolkit_version") == "0.1.0")
        #expect(try file.info("/state_dict/bn1.num_batches_tracked").isFloat == false)
    }

    @Test("a file without /state_dict names the missing group")
    func missingGroup() throws {
        let path = try scratchDirectory("h5").appendingPathComponent("none.h5").path
        try H5File.write(to: path) { try $0.write("/other", shape: [1], float32: [0]) }
        #expect(throws: HDF5Error.missing(path: path, name: "/state_dict")) { try StateDict.load(from: path) }
    }
}
