/// An 8-bit RGB image, row-major, channels interleaved (HWC), as decoded from PNG/JPEG.
public struct RGBImage: Sendable, Equatable {
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    /// `height·width·3` samples: R, G, B per pixel.
    public var pixels: [UInt8]

    /// Wraps pixels; preconditions that the count matches.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 3, "RGBImage: \(pixels.count) samples for \(width)x\(height)")
        (self.width, self.height, self.pixels) = (width, height, pixels)
    }

    /// A uniform image.
    public init(width: Int, height: Int, fill: (UInt8, UInt8, UInt8) = (0, 0, 0)) {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) { (pixels[3 * i], pixels[3 * i + 1], pixels[3 * i + 2]) = fill }
        self.init(width: width, height: height, pixels: pixels)
    }

    /// Pixel `index` (row-major) blended towards `colour` with opacity `alpha` (0 keeps it, 1 replaces it).
    public mutating func blend(pixel index: Int, with colour: (UInt8, UInt8, UInt8), alpha: Float) {
        for (channel, value) in [colour.0, colour.1, colour.2].enumerated() {
            pixels[3 * index + channel] = UInt8(Float(pixels[3 * index + channel]) * (1 - alpha) + Float(value) * alpha)
        }
    }
}

/// A single-channel 8-bit map: class ids (Cityscapes trainIds, 255 void) or anomaly labels
/// (0 inlier, 1 anomaly, 255 void; 254 marks pasted outliers in training crops).
public struct LabelMap: Sendable, Equatable {
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    /// `height·width` values, row-major.
    public var values: [UInt8]

    /// Wraps values; preconditions that the count matches.
    public init(width: Int, height: Int, values: [UInt8]) {
        precondition(values.count == width * height, "LabelMap: \(values.count) values for \(width)x\(height)")
        (self.width, self.height, self.values) = (width, height, values)
    }

    /// A uniform map.
    public init(width: Int, height: Int, fill: UInt8) {
        self.init(width: width, height: height, values: [UInt8](repeating: fill, count: width * height))
    }

    /// The value at (row, column).
    public subscript(y: Int, x: Int) -> UInt8 {
        get { values[y * width + x] }
        set { values[y * width + x] = newValue }
    }
}
