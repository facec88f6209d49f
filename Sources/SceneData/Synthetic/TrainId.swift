/// Cityscapes' 19 evaluation classes (trainIds); 255 is void.
public enum TrainId: UInt8, CaseIterable, Sendable {
    case road = 0, sidewalk, building, wall, fence, pole, trafficLight, trafficSign, vegetation, terrain, sky,
         person, rider, car, truck, bus, train, motorcycle, bicycle
    /// The void / ignore label.
    public static let void: UInt8 = 255

    /// Cityscapes' class name.
    public var name: String {
        ["road", "sidewalk", "building", "wall", "fence", "pole", "traffic light", "traffic sign", "vegetation", "terrain",
         "sky", "person", "rider", "car", "truck", "bus", "train", "motorcycle", "bicycle"][Int(rawValue)]
    }

    /// Cityscapes' colour for label overlays.
    public var overlayColor: (UInt8, UInt8, UInt8) {
        [(128, 64, 128), (244, 35, 232), (70, 70, 70), (102, 102, 156), (190, 153, 153), (153, 153, 153), (250, 170, 30),
         (220, 220, 0), (107, 142, 35), (152, 251, 152), (70, 130, 180), (220, 20, 60), (255, 0, 0), (0, 0, 142),
         (0, 0, 70), (0, 60, 100), (0, 80, 100), (0, 0, 230), (119, 11, 32)][Int(rawValue)]
    }
}
