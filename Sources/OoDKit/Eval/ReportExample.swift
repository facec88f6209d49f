import SceneData

/// One evaluated image kept for the HTML report's figures: the image, its anomaly labels and
/// every method's score map, in the order of the report's methods for its set.
public struct ReportExample: Sendable {
    /// The anomaly set.
    public var dataset: String
    /// The image's position in the set.
    public var index: Int
    /// The image and its labels (0 inlier, 1 anomaly, 255 void).
    public var image: RGBImage, labels: LabelMap
    /// Per method, `height·width` scores (higher = more anomalous).
    public var maps: [[Float]]
}
