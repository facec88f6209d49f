/// One feature map a backbone exposes. timm: an entry of `feature_info`.
public struct FeatureInfo: Sendable, Hashable {
    /// The key in ``Backbone/features(_:)``: `"low"` (the decoder's skip input) or `"out"`.
    public let name: String
    /// Channels of the map.
    public let channels: Int
    /// Input pixels per feature pixel along each axis.
    public let stride: Int

    /// Describes a feature map.
    public init(name: String, channels: Int, stride: Int) {
        (self.name, self.channels, self.stride) = (name, channels, stride)
    }
}
