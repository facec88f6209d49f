/// Label overlays for looking at data: the image blended with Cityscapes' class colours
/// (trainIds) or with red anomalies (anomaly labels 1/254), void darkened.
public enum Overlay {
    /// Blends `labels` over `image` with opacity `alpha`.
    public static func render(_ image: RGBImage, _ labels: LabelMap, anomalyLabels: Bool, alpha: Float = 0.5) -> RGBImage {
        var out = image
        for i in 0..<labels.values.count {
            let value = labels.values[i]
            let color: (UInt8, UInt8, UInt8)?
            if value == TrainId.void { color = (0, 0, 0) }
            else if anomalyLabels { color = value == 1 || value == 254 ? (255, 30, 30) : nil }
            else { color = TrainId(rawValue: value)?.overlayColor }
            guard let color else { continue }
            out.blend(pixel: i, with: color, alpha: alpha)
        }
        return out
    }

    /// Two images side by side (same height).
    public static func sideBySide(_ a: RGBImage, _ b: RGBImage) -> RGBImage {
        precondition(a.height == b.height, "Overlay.sideBySide: heights differ")
        var pixels: [UInt8] = []
        pixels.reserveCapacity((a.width + b.width) * a.height * 3)
        for y in 0..<a.height {
            pixels += a.pixels[(y * a.width * 3)..<((y + 1) * a.width * 3)]
            pixels += b.pixels[(y * b.width * 3)..<((y + 1) * b.width * 3)]
        }
        return RGBImage(width: a.width + b.width, height: a.height, pixels: pixels)
    }
}
