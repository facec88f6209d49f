import Foundation
import Testing
import HDF5Store
import TensorCore
import PixelOoDTestSupport

@Suite("HDF5 files: datasets, attributes, atomic writes, damaged files")
struct H5FileTests {
    @Test("datasets of every element type and rank round-trip")
    func datasetsRoundTrip() throws {
        let path = try scratchDirectory("h5").appendingPathComponent("data.h5").path
        try H5File.write(to: path) { file in
            try file.write("/a/b/floats", shape: [2, 3, 1, 2], float32: (0..<12).map { Float($0) * 0.5 - 2 })
            try file.write("/ints", shape: [3], int64: [-5, 0, Int64.max])
            try file.write("/mask", shape: [2, 2], uint8: [0, 1, 254, 255])
            try file.write("/scalar", shape: [], float32: [3.25])
        }
        let file = try H5File.open(path)
        let floats = try file.readFloat32("/a/b/floats")
        #expect(floats.shape == [2, 3, 1, 2])
        #expect(floats.values == (0..<12).map { Float($0) * 0.5 - 2 })
        #expect(try file.readInt64("/ints").values == [-5, 0, Int64.max])
        #expect(try file.readUInt8("/mask").values == [0, 1, 254, 255])
        #expect(try file.readFloat32("/scalar").shape == [])
        #expect(try file.info("/a/b/floats") == H5DatasetInfo(shape: [2, 3, 1, 2], isFloat: true, elementSize: 4))
        #expect(try file.children(of: "/") == ["a", "ints", "mask", "scalar"])
        #expect(file.contains("/a/b") && !file.contains("/a/c/d"))
    }

    @Test("children come back in creation order")
    func creationOrder() throws {
        let path = try scratchDirectory("h5").appendingPathComponent("order.h5").path
        let names = ["layer2.weight", "layer1.weight", "bn.running_mean", "a"]
        try H5File.write(to: path) { file in
            for name in names { try file.write("/g/" + name, shape: [1], float32: [0]) }
        }
        #expect(try H5File.open(path).children(of: "/g") == names)
    }

    @Test("groups without creation order (h5py's default) list by name")
    func nameOrder() throws {
        let path = Fixture.directory.appendingPathComponent("name_order.h5").path
        #expect(try H5File.open(path).children(of: "/g") == ["alpha", "mid", "zeta"])
    }

    @Test("string and number attributes round-trip; absent ones are nil")
    func attributes() throws {
        let path = try scratchDirectory("h5").appendingPathComponent("attrs.h5").path
        let recipe = "head:\n  type: rpl  # ünïcode\n"
        try H5File.write(to: path) { file in
            try file.write("/x", shape: [1], float32: [1])
            try file.setAttribute("recipe", .string(recipe))
            try file.setAttribute("empty", .string(""))
            try file.setAttribute("version", .int(3))
            try file.setAttribute("lr", .double(7.5e-5), on: "/x")
        }
        let file = try H5File.open(path)
        #expect(try file.attribute("recipe") == .string(recipe))
        #expect(try file.stringAttribute("empty") == "")
        #expect(try file.attribute("version") == .int(3))
        #expect(try file.attribute("lr", on: "/x") == .double(7.5e-5))
        #expect(try file.attribute("nothing") == nil)
        #expect(throws: HDF5Error.missing(path: path, name: "/y")) { try file.attribute("lr", on: "/y") }
    }

    @Test("missing objects and wrong types are named in the error")
    func namedErrors() throws {
        let path = try scratchDirectory("h5").appendingPathComponent("errors.h5").path
        try H5File.write(to: path) { file in try file.write("/g/ints", shape: [2], int64: [1, 2]) }
        let file = try H5File.open(path)
        #expect(throws: HDF5Error.missing(path: path, name: "/g/nope")) { try file.readFloat32("/g/nope") }
        #expect(throws: HDF5Error.wrongType(path: path, name: "/g/ints", expected: "a float dataset")) {
            try file.readFloat32("/g/ints")
        }
        #expect(throws: HDF5Error.wrongType(path: path, name: "/g", expected: "a dataset")) { try file.readInt64("/g") }
        let message = HDF5Error.missing(path: path, name: "/g/nope").description
        #expect(message.contains(path) && message.contains("/g/nope"))
    }

    @Test("a missing, non-HDF5, empty or truncated file is a clear error, never a crash")
    func damagedFiles() throws {
        let dir = try scratchDirectory("h5")
        let missing = dir.appendingPathComponent("missing.h5").path
        #expect(throws: HDF5Error.fileNotFound(path: missing)) { try H5File.open(missing) }

        let text = dir.appendingPathComponent("text.h5").path
        try Data("not hdf5 at all".utf8).write(to: URL(fileURLWithPath: text))
        #expect(throws: HDF5Error.notHDF5(path: text)) { try H5File.open(text) }

        let empty = dir.appendingPathComponent("empty.h5").path
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        #expect(throws: HDF5Error.notHDF5(path: empty)) { try H5File.open(empty) }

        let good = dir.appendingPathComponent("good.h5").path
        var state = StateDict()
        state.append("conv.weight", Tensor(shape: [64, 64], [Float](repeating: 0.5, count: 4096)))
        try state.save(to: good)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        for keep in [100, 600, bytes.count / 2, bytes.count - 16] {
            let cut = dir.appendingPathComponent("cut-\(keep).h5").path
            try bytes.prefix(keep).write(to: URL(fileURLWithPath: cut))
            do {
                let loaded = try StateDict.load(from: cut)
                Issue.record("truncated to \(keep) of \(bytes.count) bytes but loaded \(loaded.keys)")
            } catch let error as HDF5Error {
                #expect(error.description.contains(cut), "error names the file: \(error)")
            }
        }
    }

    @Test("a failed write leaves the existing file untouched and no temporary file behind")
    func atomicWrite() throws {
        struct Interrupted: Error {}
        let dir = try scratchDirectory("h5")
        let path = dir.appendingPathComponent("ckpt.h5").path
        try H5File.write(to: path) { try $0.write("/v", shape: [1], float32: [1]) }
        #expect(throws: Interrupted.self) {
            try H5File.write(to: path) { file in
                try file.write("/v", shape: [1], float32: [2])
                throw Interrupted()
            }
        }
        #expect(try H5File.open(path).readFloat32("/v").values == [1])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["ckpt.h5"])
        try H5File.write(to: path) { try $0.write("/v", shape: [1], float32: [3]) }
        #expect(try H5File.open(path).readFloat32("/v").values == [3])
    }
}

@Suite("Checksummed files")
struct ChecksumTests {
    @Test("a changed byte anywhere in a PixelOoD file is an error before libhdf5 parses it; h5py files still open")
    func changedByte() throws {
        let folder = try scratchDirectory("sum")
        let path = folder.appendingPathComponent("a.h5").path
        var state = StateDict()
        state.append("w", Tensor(shape: [4, 4], (0..<16).map(Float.init)))
        try state.save(to: path)
        #expect(try H5File.open(path).isSealed)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        for offset in [0, 9, 100, 511, 512, bytes.count / 2, bytes.count - 1] {
            var changed = bytes
            changed[offset] ^= 0x10
            let bad = folder.appendingPathComponent("bad-\(offset).h5").path
            try Data(changed).write(to: URL(fileURLWithPath: bad))
            #expect(throws: HDF5Error.self, "byte \(offset)") { _ = try StateDict.load(from: bad) }
        }
        let short = folder.appendingPathComponent("short.h5").path
        try Data(bytes.dropLast(7)).write(to: URL(fileURLWithPath: short))
        do {
            _ = try StateDict.load(from: short)
            Issue.record("a truncated file loaded")
        } catch let error as HDF5Error {
            #expect(error.description.contains("truncated or extended"))
        }
        let h5py = Fixture.directory.appendingPathComponent("name_order.h5").path
        #expect(try !H5File.open(h5py).isSealed)
    }
}
