import TensorCore

/// One outlier-exposure object: an image and the mask of the object's pixels (the COCO
/// stand-in's object + segmentation).
public struct OutlierObject: Sendable, Equatable {
    /// The object over a random background.
    public var image: RGBImage
    /// `true` on the object's pixels.
    public var mask: [Bool]
    /// The family it was drawn from (synthetic objects: always an outlier-exposure family;
    /// nil for objects read from COCO).
    public var family: ObjectFamily?

    /// Wraps an object image and its mask.
    public init(image: RGBImage, mask: [Bool], family: ObjectFamily?) {
        precondition(mask.count == image.width * image.height, "OutlierObject: mask of \(mask.count) for \(image.width)x\(image.height)")
        (self.image, self.mask, self.family) = (image, mask, family)
    }

    /// Draws one object of one of `families` filling about `size`×`size` pixels.
    public static func generate(size: Int, families: [ObjectFamily] = ObjectFamily.outlierExposure,
                                using rng: inout SeededGenerator) -> OutlierObject {
        let family = rng.pick(families)
        var canvas = Canvas(width: size, height: size, light: rng.jitter(Color(repeating: 1), 0.1), noise: ValueNoise(seed: rng.next()),
                            fillLabel: 0)
        canvas.rect(0, 0, size, size, rng.jitter(Color(0.6, 0.55, 0.5), 0.25), label: 0, texture: 0.3, scale: 8)
        family.draw(&canvas, cx: Float(size) / 2, bottom: Float(size) * 0.95, size: Float(size) * 0.8, label: 1, using: &rng)
        return OutlierObject(image: canvas.image, mask: canvas.labels.values.map { $0 == 1 }, family: family)
    }

    /// The outlier-context image for CoroCL: the object in its own (non-driving) scene,
    /// labelled 254 on the object and 0 elsewhere.
    public var contextLabels: LabelMap {
        LabelMap(width: image.width, height: image.height, values: mask.map { $0 ? OutlierExposure.outlierLabel : 0 })
    }
}
