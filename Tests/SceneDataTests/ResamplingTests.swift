import Foundation
import Testing
@testable import SceneData
import PixelOoDTestSupport
import TensorCore

@Suite("Shrinking outlier-exposure objects: Geometry against OpenCV, and the three paste resamplings")
struct ResamplingTests {
    static let sizes = [(2, 3), (9, 12), (14, 18), (21, 27)]

    func fixtureImage() throws -> (Fixture, RGBImage, LabelMap) {
        let fixture = try Fixture("resampling.h5")
        let image = try fixture.tensor("/image"), mask = try fixture.tensor("/mask")
        return (fixture, RGBImage(width: 37, height: 29, pixels: image.scalars.map { UInt8($0) }),
                LabelMap(width: 37, height: 29, values: mask.scalars.map { UInt8($0) }))
    }

    /// The largest difference in intensity levels between `image` and a fixture's pixels.
    func largestDifference(_ image: RGBImage, _ expected: Tensor) -> Float {
        zip(image.pixels, expected.scalars).map { abs(Float($0) - $1) }.max() ?? .infinity
    }

    @Test("area averaging equals cv2.INTER_AREA within one level (rounding), at integer and fractional ratios", arguments: 0..<4)
    func area(_ index: Int) throws {
        let (fixture, image, _) = try fixtureImage()
        let (h, w) = Self.sizes[index]
        let ours = Geometry.resizeArea(image, width: w, height: h)
        #expect(largestDifference(ours, try fixture.tensor("/area_\(h)x\(w)")) <= 1)
    }

    @Test("bilinear equals cv2.INTER_LINEAR within one level, masks equal cv2.INTER_NEAREST exactly", arguments: 0..<4)
    func linearAndNearest(_ index: Int) throws {
        let (fixture, image, mask) = try fixtureImage()
        let (h, w) = Self.sizes[index]
        #expect(largestDifference(Geometry.resize(image, width: w, height: h), try fixture.tensor("/linear_\(h)x\(w)")) <= 1)
        #expect(Geometry.resize(mask, width: w, height: h).values.map(Float.init) == (try fixture.tensor("/nearest_\(h)x\(w)")).scalars)
    }

    @Test("area weights of every target pixel sum to one and cover the source exactly once")
    func areaWeights() {
        for (source, target) in [(37, 12), (29, 9), (128, 12), (10, 10), (7, 3)] {
            let weights = Geometry.areaWeights(source: source, target: target)
            var coverage = [Double](repeating: 0, count: source)
            for row in weights {
                #expect(abs(row.reduce(0) { $0 + Double($1.weight) } - 1) < 1e-5)
                for (i, weight) in row { coverage[i] += Double(weight) * Double(source) / Double(target) }
            }
            #expect(coverage.allSatisfy { abs($0 - 1) < 1e-4 }, "\(source) → \(target)")
        }
    }

    @Test("bilinear and area paste the same mask pixels; area smooths a texture shrunk to 0.1 most (no prefilter: bilinear aliases as nearest does)")
    func pastedTexture() {
        let world = SyntheticWorld(width: 256, height: 128, seed: 0)
        var spread: [OutlierExposure.Resampling: Double] = [:]
        for resampling in OutlierExposure.Resampling.allCases {
            var total = 0.0, count = 0.0
            for i in 0..<12 {
                let object = world.outlier(i)
                let (pixels, mask) = OutlierExposure.resized(object, width: 12, height: 12, scale: 0.1, resampling: resampling)
                // Mean absolute difference between horizontal neighbours inside the object: aliasing noise.
                for y in 0..<12 {
                    for x in 0..<11 where mask[y * 12 + x] && mask[y * 12 + x + 1] {
                        for c in 0..<3 { total += abs(Double(pixels[(y * 12 + x) * 3 + c]) - Double(pixels[(y * 12 + x + 1) * 3 + c])); count += 1 }
                    }
                }
            }
            spread[resampling] = total / max(1, count)
        }
        // Measured: nearest 10.5, bilinear 12.6, area 8.5 levels (part edges inside the objects stay).
        #expect(spread[.area]! < spread[.bilinear]! && spread[.area]! < spread[.nearest]!, "\(spread)")
        let object = world.outlier(0)
        #expect(OutlierExposure.resized(object, width: 12, height: 12, scale: 0.1, resampling: .bilinear).mask
                == OutlierExposure.resized(object, width: 12, height: 12, scale: 0.1, resampling: .area).mask)
    }
}
