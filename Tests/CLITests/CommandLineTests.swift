import ArgumentParser
import Foundation
import Testing
@testable import PixelOoDCommands
import NeuralNet
import TensorCore
import SceneData
import PixelOoDTestSupport

@Suite("The pixelood command line")
struct CommandLineTests {
    @Test("help lists every subcommand")
    func help() {
        let text = PixelOoD.helpMessage()
        for command in ["list", "check", "fuzz", "bench", "inspect", "data"] { #expect(text.contains(command)) }
        #expect(PixelOoD.helpMessage(for: DataCommand.Synth.self).contains("--out"))
    }

    @Test("bad arguments are validation errors with exit code 64, naming the option")
    func validation() throws {
        do {
            var command = try PixelOoD.parseAsRoot(["data", "synth", "--out", "/tmp/x", "--size", "12by5"])
            try command.run()
            Issue.record("a malformed --size ran")
        } catch {
            #expect(PixelOoD.exitCode(for: error) == .validationFailure)
            #expect(PixelOoD.message(for: error).contains("--size"))
        }
        #expect(throws: (any Error).self) { try PixelOoD.parseAsRoot(["bench", "metrics", "--pixels", "0"]) }
        #expect(throws: (any Error).self) { try PixelOoD.parseAsRoot(["train", "r.yaml", "--allow-recipe-change"]) }
    }

    @Test("--store and --no-store mean the same on train, eval and sweep; together they are a validation error")
    func storeFlags() throws {
        let stores: [(verb: String, directory: (any ParsableCommand) -> String?)] = [
            ("train", { ($0 as? TrainCommand)?.storeArguments.directory(workDir: "w") }),
            ("eval", { ($0 as? EvalCommand)?.storeArguments.directory(workDir: "w") }),
            ("sweep", { ($0 as? SweepCommand)?.storeArguments.directory(workDir: "w") }),
        ]
        for (verb, directory) in stores {
            #expect(directory(try PixelOoD.parseAsRoot([verb, "r.yaml"])) == "w/feature-store", "\(verb)")
            #expect(directory(try PixelOoD.parseAsRoot([verb, "r.yaml", "--store", "/tmp/s"])) == "/tmp/s", "\(verb)")
            #expect(directory(try PixelOoD.parseAsRoot([verb, "r.yaml", "--no-store"])) == nil, "\(verb)")
            do {
                _ = try PixelOoD.parseAsRoot([verb, "r.yaml", "--store", "/tmp/s", "--no-store"])
                Issue.record("\(verb) took --store with --no-store")
            } catch {
                #expect(PixelOoD.exitCode(for: error) == .validationFailure && PixelOoD.message(for: error).contains("--no-store"), "\(verb)")
            }
        }
    }

    @Test("--metrics-memory takes bytes or K/M/G (powers of 1024) on eval and sweep, 1G by default; anything else is a validation error")
    func metricsMemory() throws {
        let budgets: [(verb: String, bytes: (any ParsableCommand) -> Int?)] = [
            ("eval", { ($0 as? EvalCommand)?.metricsMemoryArgument.bytes }),
            ("sweep", { ($0 as? SweepCommand)?.metricsMemoryArgument.bytes }),
        ]
        for (verb, bytes) in budgets {
            #expect(bytes(try PixelOoD.parseAsRoot([verb, "r.yaml"])) == 1 << 30, "\(verb)")
            #expect(bytes(try PixelOoD.parseAsRoot([verb, "r.yaml", "--metrics-memory", "512m"])) == 512 << 20, "\(verb)")
            #expect(bytes(try PixelOoD.parseAsRoot([verb, "r.yaml", "--metrics-memory", "4096"])) == 4096, "\(verb)")
            for bad in ["-1G", "1T", "G", "1.5G", "99999999999G"] {
                do {
                    _ = try PixelOoD.parseAsRoot([verb, "r.yaml", "--metrics-memory", bad])
                    Issue.record("\(verb) took --metrics-memory \(bad)")
                } catch {
                    #expect(PixelOoD.exitCode(for: error) == .validationFailure && PixelOoD.message(for: error).contains("--metrics-memory"), "\(verb) \(bad)")
                }
            }
        }
    }

    @Test("PIXELOOD_STORAGE_CACHE takes bytes or K/M/G (0 turns the cache off), a quarter of physical memory by default; anything else names the variable")
    func storageCacheLimit() throws {
        #expect(try PixelOoD.storageCacheLimit([:]) == Int(ProcessInfo.processInfo.physicalMemory / 4))
        #expect(try PixelOoD.storageCacheLimit(["PIXELOOD_STORAGE_CACHE": "0"]) == 0)
        #expect(try PixelOoD.storageCacheLimit(["PIXELOOD_STORAGE_CACHE": "512M"]) == 512 << 20)
        for bad in ["lots", "-1", "2T"] {
            do {
                _ = try PixelOoD.storageCacheLimit(["PIXELOOD_STORAGE_CACHE": bad])
                Issue.record("PIXELOOD_STORAGE_CACHE=\(bad) was taken")
            } catch {
                #expect(error is ValidationError && "\(error)".contains("PIXELOOD_STORAGE_CACHE '\(bad)'"), "\(error)")
            }
        }
    }

    @Test("PIXELOOD_CONV chooses im2col (default) or winograd; anything else names the variable and the choices")
    func convolutionAlgorithm() throws {
        #expect(try ConvolutionAlgorithm.chosen(environment: [:]) == .im2col)
        #expect(try ConvolutionAlgorithm.chosen(environment: ["PIXELOOD_CONV": "im2col"]) == .im2col)
        #expect(try ConvolutionAlgorithm.chosen(environment: ["PIXELOOD_CONV": "winograd"]) == .winograd)
        do {
            _ = try ConvolutionAlgorithm.chosen(environment: ["PIXELOOD_CONV": "fft"])
            Issue.record("PIXELOOD_CONV=fft was taken")
        } catch {
            #expect("\(error)" == "PIXELOOD_CONV 'fft' is not a convolution algorithm (choices: im2col, winograd)")
        }
    }

    @Test("inspect reads a converted checkpoint and fails cleanly, naming the file, on a corrupt one")
    func inspect() throws {
        let checkpoint = Fixture.directory.appendingPathComponent("models/converted_rpl_wrn38.h5").path
        var command = try PixelOoD.parseAsRoot(["inspect", checkpoint, "--summary"])
        try command.run()
        let bad = try scratchDirectory("cli").appendingPathComponent("bad.h5").path
        try Data("not a checkpoint".utf8).write(to: URL(fileURLWithPath: bad))
        var broken = try PixelOoD.parseAsRoot(["inspect", bad])
        do {
            try broken.run()
            Issue.record("a corrupt checkpoint was inspected")
        } catch {
            #expect(PixelOoD.message(for: error).contains(bad))
            #expect(PixelOoD.exitCode(for: error) == .failure)
        }
    }

    @Test("inspect prints the classifier margin of the bundled quick-start segmenter from its recorded recipe: +0.0107, small")
    func inspectMargin() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Examples/quickstart/segmenter.h5")
            .standardized.path
        let command = try #require(try PixelOoD.parseAsRoot(["inspect", path, "--summary"]) as? Inspect)
        let loaded = try Checkpoint.load(from: path)
        let line = try #require(command.classifierMargin(loaded.model, metadata: loaded.metadata))
        #expect(line.contains("segmenter.final.6.weight (19×128): +0.0107") && line.contains("small"), "\(line)")
        let converted = Fixture.directory.appendingPathComponent("models/converted_rpl_wrn38.h5").path
        let bare = try #require(try PixelOoD.parseAsRoot(["inspect", converted]) as? Inspect)
        let convertedState = try Checkpoint.load(from: converted)
        #expect(bare.classifierMargin(convertedState.model, metadata: convertedState.metadata)?.contains("--against") == true)
    }

    @Test("data synth writes a world the readers load back")
    func synth() throws {
        let out = try scratchDirectory("cli").path
        var command = try PixelOoD.parseAsRoot(["data", "synth", "--out", out, "--train", "2", "--val", "1", "--outliers", "2",
                                                "--test", "1", "--size", "48x64"])
        try command.run()
        #expect(try BenchmarkLayouts.cityscapes(root: out + "/cityscapes", split: "val").count == 1)
        #expect(try SyntheticWorld.reader(.country, in: out).count == 1)
        #expect(try SyntheticWorld.outlierExposureValidationReader(in: out).count == 1, "--oe-val defaults to --test")
        #expect(throws: (any Error).self) { try PixelOoD.parseAsRoot(["data", "synth", "--out", out, "--oe-resampling", "cubic"]) }
        #expect(throws: (any Error).self) { try PixelOoD.parseAsRoot(["data", "synth", "--out", out, "--oe-camouflage", "1.5"]) }
    }
}
