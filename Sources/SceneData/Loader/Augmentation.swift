import TensorCore

/// Training augmentation: random scale, random crop (padding with void where the scaled
/// image is smaller), horizontal flip, optional outlier exposure, then ImageNet
/// normalisation. Every draw comes from the generator the loader derives per sample.
public struct Augmentation: Sendable {
    /// Crop height and width.
    public var cropHeight: Int, cropWidth: Int
    /// Range of the random scale factor.
    public var scaleRange: ClosedRange<Float>
    /// Whether to flip left-right with probability ½.
    public var flip: Bool
    /// Probability of pasting an outlier object (when outliers are given).
    public var outlierProbability: Float
    /// How pasted objects are resampled to their drawn scale.
    public var outlierResampling: OutlierExposure.Resampling
    /// Probability that a pasted object takes the colour of its surroundings
    /// (``OutlierExposure/paste(_:into:labels:resampling:camouflage:using:)``).
    public var outlierCamouflage: Float
    /// Per-channel mean and std on [0, 1] pixels (ImageNet's by default).
    public var mean: SIMD3<Float>, std: SIMD3<Float>

    /// The RPL recipe's defaults, at the given crop.
    public init(cropHeight: Int = 700, cropWidth: Int = 700, scaleRange: ClosedRange<Float> = 0.5...2.0, flip: Bool = true,
                outlierProbability: Float = 1, outlierResampling: OutlierExposure.Resampling = OutlierExposure.defaultResampling,
                outlierCamouflage: Float = 0,
                mean: SIMD3<Float> = SIMD3(0.485, 0.456, 0.406), std: SIMD3<Float> = SIMD3(0.229, 0.224, 0.225)) {
        (self.cropHeight, self.cropWidth, self.scaleRange, self.flip) = (cropHeight, cropWidth, scaleRange, flip)
        (self.outlierProbability, self.outlierResampling, self.outlierCamouflage) = (outlierProbability, outlierResampling, outlierCamouflage)
        (self.mean, self.std) = (mean, std)
    }

    /// One augmented crop; the index in `outliers` of the object pasted into it, if one was.
    public func apply(_ image: RGBImage, _ labels: LabelMap, outliers: [OutlierObject], using rng: inout SeededGenerator)
        -> (image: RGBImage, labels: LabelMap, pasted: Int?) {
        let scale = rng.uniform(scaleRange.lowerBound, scaleRange.upperBound)
        let width = max(1, Int(Float(image.width) * scale)), height = max(1, Int(Float(image.height) * scale))
        let scaledImage = Geometry.resize(image, width: width, height: height)
        let scaledLabels = Geometry.resize(labels, width: width, height: height)
        let x0 = width > cropWidth ? rng.int(0...(width - cropWidth)) : -(cropWidth - width) / 2
        let y0 = height > cropHeight ? rng.int(0...(height - cropHeight)) : -(cropHeight - height) / 2
        var (cropImage, cropLabels) = Geometry.crop(scaledImage, scaledLabels, x0: x0, y0: y0, width: cropWidth, height: cropHeight)
        if flip && rng.chance(0.5) { (cropImage, cropLabels) = Geometry.flip(cropImage, cropLabels) }
        var pasted: Int?
        if !outliers.isEmpty && rng.chance(outlierProbability) {
            let index = rng.int(0...(outliers.count - 1))
            OutlierExposure.paste(outliers[index], into: &cropImage, labels: &cropLabels, resampling: outlierResampling,
                                   camouflage: outlierCamouflage, using: &rng)
            pasted = index
        }
        return (cropImage, cropLabels, pasted)
    }

    /// An outlier-context image for CoroCL at the crop size: the object's own image,
    /// centre-cropped or padded, labelled 254 on the object and 0 elsewhere. Padding is the
    /// normalisation's mean colour (≈ 0 once normalised) labelled 255, as the official code
    /// pads its normalised COCO images with 0.
    public func context(_ object: OutlierObject) -> (image: RGBImage, labels: LabelMap) {
        let x0 = (object.image.width - cropWidth) / 2, y0 = (object.image.height - cropHeight) / 2
        return Geometry.crop(object.image, object.contextLabels, x0: x0, y0: y0, width: cropWidth, height: cropHeight,
                             fillColor: SIMD3<UInt8>((mean * 255).rounded(.toNearestOrEven)))
    }

    /// Normalised CHW floats of an image: `(x/255 − mean)/std`.
    public func normalize(_ image: RGBImage, into destination: UnsafeMutablePointer<Float>) {
        let plane = image.width * image.height
        for i in 0..<plane {
            for c in 0..<3 { destination[c * plane + i] = (Float(image.pixels[3 * i + c]) / 255 - mean[c]) / std[c] }
        }
    }
}
