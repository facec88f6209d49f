import Testing
@testable import SceneData
import TensorCore

@Suite("Camouflaged outlier exposure: a pasted object in the colour of its surroundings")
struct CamouflageTests {
    /// A `width`×`height` crop of one class in one colour.
    func uniformCrop(width: Int = 96, height: Int = 64, colour: SIMD3<UInt8>, label: UInt8) -> (RGBImage, LabelMap) {
        (RGBImage(width: width, height: height, pixels: (0..<width * height).flatMap { _ in [colour.x, colour.y, colour.z] }),
         LabelMap(width: width, height: height, fill: label))
    }

    @Test("recolouring shades the one colour by the object's luminance: the masked mean is the colour (clipping at 255 counted), no new hue, unmasked pixels kept")
    func recolour() {
        let pixels: [UInt8] = [100, 50, 20, 150, 75, 30, 9, 9, 9], mask = [true, true, false]
        let out = OutlierExposure.camouflaged(pixels, mask: mask, as: Color(0.4, 0.4, 0.4))
        #expect(Array(out[6..<9]) == [9, 9, 9])
        for ch in 0..<3 { #expect(abs((Float(out[ch]) + Float(out[3 + ch])) / 2 - 102) <= 1) }
        #expect(abs(Float(out[3]) / Float(out[0]) - 1.5) < 0.02)
        #expect(out[0] == out[1] && out[1] == out[2] && out[3] == out[4] && out[4] == out[5], "a red-brown object in grey is grey, shaded")
        #expect(OutlierExposure.camouflaged(pixels, mask: [false, false, false], as: Color(1, 0, 0)) == pixels)
        let contrasted = OutlierExposure.camouflaged([20, 20, 20, 20, 20, 20, 20, 20, 20, 220, 220, 220], mask: [true, true, true, true],
                                                     as: Color(repeating: 0.5))
        let dark = Float(contrasted[0]), reached: Float = (3 * dark + 255) / 4
        #expect(contrasted[9] == 255 && abs(reached - 127.5) <= 1, "the dark part brightens further where the bright part saturates")
    }

    @Test("with camouflage 1 every pasted object wears its surroundings' colour (within the jitter); with 0 none does")
    func paste() {
        let world = SyntheticWorld(width: 256, height: 128, seed: 0)
        let road = SIMD3<UInt8>(97, 94, 102)
        for i in 0..<8 {
            for camouflage: Float in [0, 1] {
                var (image, labels) = uniformCrop(colour: road, label: TrainId.road.rawValue)
                var rng = SeededGenerator(seed: UInt64(i))
                OutlierExposure.paste(world.outlier(i), into: &image, labels: &labels, resampling: .bilinear, camouflage: camouflage, using: &rng)
                let pasted = labels.values.indices.filter { labels.values[$0] == OutlierExposure.outlierLabel }
                let mean = pasted.reduce(SIMD3<Float>(repeating: 0)) { sum, p in
                    sum + SIMD3(Float(image.pixels[3 * p]), Float(image.pixels[3 * p + 1]), Float(image.pixels[3 * p + 2]))
                } / Float(max(1, pasted.count))
                let difference = mean - SIMD3<Float>(Float(road.x), Float(road.y), Float(road.z))
                let offset = max(abs(difference.x), abs(difference.y), abs(difference.z))
                #expect((offset <= 0.06 * 255 + 2) == (camouflage == 1), "object \(i), camouflage \(camouflage): mean \(mean)")
                #expect(!pasted.isEmpty)
            }
        }
    }

    @Test("a paste without camouflage draws nothing more from the generator: worlds and runs before the option are unchanged")
    func noExtraDraws() {
        let world = SyntheticWorld(width: 256, height: 128, seed: 0)
        var (image, labels) = uniformCrop(colour: SIMD3(97, 94, 102), label: TrainId.road.rawValue)
        var (imageB, labelsB) = (image, labels)
        var a = SeededGenerator(seed: 5), b = SeededGenerator(seed: 5)
        OutlierExposure.paste(world.outlier(0), into: &image, labels: &labels, resampling: .bilinear, using: &a)
        OutlierExposure.paste(world.outlier(0), into: &imageB, labels: &labelsB, resampling: .bilinear, camouflage: 0, using: &b)
        #expect(image == imageB && labels == labelsB && a.next() == b.next())
    }

    @Test("the outlier-exposure validation set pastes with the world's camouflage, and its manifest records it")
    func validationSet() {
        let plain = SyntheticWorld(width: 256, height: 128, seed: 0), camouflaged = SyntheticWorld(width: 256, height: 128, seed: 0, outlierCamouflage: 1)
        #expect(plain.outlierExposureValidation(0).image != camouflaged.outlierExposureValidation(0).image)
        let counts = SyntheticWorld.Counts(train: 1, val: 1, outliers: 1, perAnomalySet: 1)
        #expect(WorldManifest(camouflaged, counts: counts).outlierCamouflage == 1 && WorldManifest(plain, counts: counts).outlierCamouflage == 0)
    }
}
