import Foundation
import Testing
@testable import SceneData
import PixelOoDTestSupport

@Suite("The world manifest: which writings of a world can be written over")
struct WorldManifestTests {
    static let world = SyntheticWorld(width: 64, height: 32, seed: 5)

    @Test("a world with fewer images of the same generator is part of a larger one; another seed, size or more images is not")
    func smallerWriting() {
        let larger = WorldManifest(Self.world, counts: .init(train: 3, val: 2, outliers: 2, perAnomalySet: 1))
        let smaller = WorldManifest(Self.world, counts: .init(train: 1, val: 2, outliers: 2, perAnomalySet: 1))
        #expect(larger.isSmallerWriting(of: smaller) && !larger.isSmallerWriting(of: larger) && !smaller.isSmallerWriting(of: larger))
        var otherSeed = smaller
        otherSeed.seed = 6
        var otherSize = smaller
        otherSize.width = 128
        var moreValidation = smaller
        moreValidation.val = 3
        #expect(!larger.isSmallerWriting(of: otherSeed) && !larger.isSmallerWriting(of: otherSize) && !larger.isSmallerWriting(of: moreValidation))
    }

    @Test("writing a world over a smaller writing of it leaves the files a fresh writing has, byte for byte")
    func writingOverASmallerOne() throws {
        let over = try scratchDirectory("world-over").path, fresh = try scratchDirectory("world-fresh").path
        let larger = SyntheticWorld.Counts(train: 3, val: 1, outliers: 1, perAnomalySet: 1)
        try Self.world.write(to: over, counts: .init(train: 1, val: 1, outliers: 1, perAnomalySet: 1))
        try Self.world.write(to: over, counts: larger)
        try Self.world.write(to: fresh, counts: larger)
        #expect(try Self.files(in: over) == Self.files(in: fresh))
    }

    /// Every file under `root` by relative path, with its bytes.
    static func files(in root: String) throws -> [String: Data] {
        let paths = try FileManager.default.subpathsOfDirectory(atPath: root)
        var files: [String: Data] = [:]
        for path in paths {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[path] = try Data(contentsOf: URL(fileURLWithPath: root + "/" + path))
            }
        }
        return files
    }
}
