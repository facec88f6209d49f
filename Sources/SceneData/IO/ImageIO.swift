import CImageIO
import Foundation

/// Why an image could not be read or written; names the file.
public enum ImageIOError: Error, CustomStringConvertible, Equatable {
    /// The file does not exist.
    case fileNotFound(path: String)
    /// The decoder rejected the file (not an image, truncated, corrupt).
    case unreadable(path: String, reason: String)
    /// The file decoded but is not what was asked for (e.g. RGB where a label map was expected).
    case unexpectedFormat(path: String, reason: String)
    /// Writing failed.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path): return "\(path): no such file"
        case .unreadable(let path, let reason): return "\(path): cannot decode image: \(reason)"
        case .unexpectedFormat(let path, let reason): return "\(path): \(reason)"
        case .writeFailed(let path, let reason): return "\(path): cannot write PNG: \(reason)"
        }
    }
}

/// PNG (8-bit RGB/gray, 16-bit gray), JPEG and WebP decoding (by content, not by file
/// name), PNG writing, through Debian's libpng, libjpeg-turbo and libwebp. Errors name the file; nothing here crashes on bad input.
public enum ImageIO {
    /// Decodes an RGB image (PNG, JPEG or WebP, by content); gray files are expanded to RGB.
    public static func readRGB(_ path: String) throws -> RGBImage {
        let decoded = try decode(path)
        guard decoded.bytesPerSample == 1 else {
            throw ImageIOError.unexpectedFormat(path: path, reason: "16-bit image where an 8-bit RGB image was expected")
        }
        if decoded.channels == 3 { return RGBImage(width: decoded.width, height: decoded.height, pixels: decoded.samples) }
        return RGBImage(width: decoded.width, height: decoded.height, pixels: decoded.samples.flatMap { [$0, $0, $0] })
    }

    /// Decodes a single-channel label PNG (8-bit, or 16-bit with every value below 256).
    public static func readLabels(_ path: String) throws -> LabelMap {
        let decoded = try decode(path)
        guard decoded.channels == 1 else {
            throw ImageIOError.unexpectedFormat(path: path, reason: "RGB image where a single-channel label map was expected")
        }
        if decoded.bytesPerSample == 1 { return LabelMap(width: decoded.width, height: decoded.height, values: decoded.samples) }
        let wide = decoded.samples.withUnsafeBytes { Array($0.bindMemory(to: UInt16.self)) }
        if let tooLarge = wide.first(where: { $0 > 255 }) {
            throw ImageIOError.unexpectedFormat(path: path, reason: "16-bit label value \(tooLarge) does not fit 8 bits")
        }
        return LabelMap(width: decoded.width, height: decoded.height, values: wide.map { UInt8($0) })
    }

    /// Writes an RGB image as PNG, atomically (temporary file, then rename).
    public static func writePNG(_ image: RGBImage, to path: String) throws {
        try write(path, width: image.width, height: image.height, channels: 3, image.pixels)
    }

    /// The PNG file of `image`, in memory (for embedding in an HTML report).
    /// - Throws: ``ImageIOError/writeFailed(path:reason:)`` (path `<memory>`) when libpng fails.
    public static func encodePNG(_ image: RGBImage) throws -> Data {
        var error = [CChar](repeating: 0, count: 256)
        var buffer: UnsafeMutablePointer<UInt8>?
        var size = 0
        guard pxo_png_encode(Int32(image.width), Int32(image.height), 3, image.pixels, &buffer, &size, &error) == 0, let buffer else {
            throw ImageIOError.writeFailed(path: "<memory>", reason: message(error))
        }
        defer { pxo_free(buffer) }
        return Data(bytes: buffer, count: size)
    }

    /// Writes a label map as an 8-bit gray PNG, atomically.
    public static func writePNG(_ labels: LabelMap, to path: String) throws {
        try write(path, width: labels.width, height: labels.height, channels: 1, labels.values)
    }

    private struct Decoded {
        var width: Int, height: Int, channels: Int, bytesPerSample: Int
        var samples: [UInt8]
    }

    private static func decode(_ path: String) throws -> Decoded {
        guard FileManager.default.fileExists(atPath: path) else { throw ImageIOError.fileNotFound(path: path) }
        let signature = (try? FileHandle(forReadingFrom: URL(fileURLWithPath: path)).read(upToCount: 12)) ?? Data()
        var error = [CChar](repeating: 0, count: 256)
        var width: Int32 = 0, height: Int32 = 0, channels: Int32 = 0, bytes: Int32 = 1
        if signature.count == 12 && signature.prefix(4) == Data("RIFF".utf8) && signature.suffix(4) == Data("WEBP".utf8) {
            var pixels: UnsafeMutablePointer<UInt8>?
            guard pxo_webp_read(path, &width, &height, &pixels, &error) == 0, let pixels else {
                throw ImageIOError.unreadable(path: path, reason: message(error))
            }
            defer { pxo_free(pixels) }
            return Decoded(width: Int(width), height: Int(height), channels: 3, bytesPerSample: 1,
                           samples: Array(UnsafeBufferPointer(start: pixels, count: Int(width) * Int(height) * 3)))
        }
        if signature.starts(with: [0xFF, 0xD8, 0xFF]) {
            var pixels: UnsafeMutablePointer<UInt8>?
            guard pxo_jpeg_read(path, &width, &height, &channels, &pixels, &error) == 0, let pixels else {
                throw ImageIOError.unreadable(path: path, reason: message(error))
            }
            defer { pxo_free(pixels) }
            let count = Int(width) * Int(height) * Int(channels)
            return Decoded(width: Int(width), height: Int(height), channels: Int(channels), bytesPerSample: 1,
                           samples: Array(UnsafeBufferPointer(start: pixels, count: count)))
        }
        var pixels: UnsafeMutableRawPointer?
        guard pxo_png_read(path, &width, &height, &channels, &bytes, &pixels, &error) == 0, let pixels else {
            throw ImageIOError.unreadable(path: path, reason: message(error))
        }
        defer { pxo_free(pixels) }
        let count = Int(width) * Int(height) * Int(channels) * Int(bytes)
        return Decoded(width: Int(width), height: Int(height), channels: Int(channels), bytesPerSample: Int(bytes),
                       samples: Array(UnsafeRawBufferPointer(start: pixels, count: count).bindMemory(to: UInt8.self)))
    }

    /// The NUL-terminated message a C reader wrote into `buffer`.
    private static func message(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func write(_ path: String, width: Int, height: Int, channels: Int, _ samples: [UInt8]) throws {
        let url = URL(fileURLWithPath: path)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
        var error = [CChar](repeating: 0, count: 256)
        guard pxo_png_write(temporary, Int32(width), Int32(height), Int32(channels), samples, &error) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw ImageIOError.writeFailed(path: path, reason: message(error))
        }
        guard rename(temporary, path) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw ImageIOError.writeFailed(path: path, reason: String(cString: strerror(errno)))
        }
    }
}
