/// The two SegmentMeIfYouCan tracks; recipes name them `anomaly` and `obstacle`.
public enum SMIYCTrack: String, Sendable, Codable, CaseIterable {
    /// RoadAnomaly21: anomalies anywhere in the scene.
    case anomaly
    /// RoadObstacle21: obstacles on the road, void off the road.
    case obstacle

    /// The track's folder under the SMIYC root.
    var folder: String { self == .obstacle ? "dataset_ObstacleTrack" : "dataset_AnomalyTrack" }
    /// What precedes the digits in the track's image names.
    var imagePrefix: String { self == .obstacle ? "validation_" : "validation" }
}
