import TensorCore

/// The outlier-exposure validation set: the world's validation scenes with two *held-out*
/// outlier-exposure objects pasted into each exactly as training pastes them
/// (``OutlierExposure/paste(_:into:labels:resampling:camouflage:using:)`` with the world's
/// ``outlierResampling`` and ``outlierCamouflage``, the training defaults unless given), labelled 1 on the pasted pixels, 0 on
/// the scene and 255 where the scene is void.
///
/// A head that scores well here has learned what it was trained on; the gap to the test sets
/// (whose anomalies come from other families, drawn into the scene) is what did not transfer.
/// Its objects come from the outlier-exposure families but from a generator stream of their
/// own, so no object of the training set appears.
///
/// Layout under the world's folder: `oe_val/original/NNNNNN.png`, `oe_val/labels/NNNNNN.png`
/// (RoadAnomaly's), read by ``outlierExposureValidationReader(in:)``.
extension SyntheticWorld {
    /// Objects pasted into each validation image.
    public static let outlierExposureValidationObjects = 2

    /// Held-out outlier-exposure object `index` (a stream apart from ``outlier(_:)``'s).
    public func heldOutOutlier(_ index: Int) -> OutlierObject {
        var rng = generator("outliers/held-out", index)
        return OutlierObject.generate(size: min(width, height), families: outlierFamilies.families, using: &rng)
    }

    /// Image `index` of the outlier-exposure validation set: validation scene `index` with
    /// held-out objects `2·index` and `2·index + 1` pasted.
    public func outlierExposureValidation(_ index: Int) -> (image: RGBImage, labels: LabelMap) {
        var (image, sceneLabels) = cityScene("val", index)
        var rng = generator("oe_val/paste", index)
        let perImage = Self.outlierExposureValidationObjects
        for k in 0..<perImage {
            OutlierExposure.paste(heldOutOutlier(perImage * index + k), into: &image, labels: &sceneLabels,
                                  resampling: outlierResampling, camouflage: outlierCamouflage, using: &rng)
        }
        let labels = sceneLabels.values.map { value -> UInt8 in
            value == OutlierExposure.outlierLabel ? 1 : (value == TrainId.void ? TrainId.void : 0)
        }
        return (image, LabelMap(width: width, height: height, values: labels))
    }

    /// Where image `index` of the outlier-exposure validation set and its labels go, relative
    /// to the world's folder.
    static func outlierExposureValidationPaths(_ index: Int) -> (image: String, labels: String) {
        let stem = String(format: "%06d", index)
        return ("oe_val/original/\(stem).png", "oe_val/labels/\(stem).png")
    }

    /// The reader of the outlier-exposure validation set written under `directory`.
    public static func outlierExposureValidationReader(in directory: String) throws -> LabelledImages {
        try BenchmarkLayouts.roadAnomaly(root: directory + "/oe_val").named("synthetic oe_val")
    }
}
