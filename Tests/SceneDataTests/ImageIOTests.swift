import Foundation
import Testing
import SceneData
import PixelOoDTestSupport

/// Integers of a whitespace-separated fixture text file.
func fixtureIntegers(_ name: String) throws -> [Int] {
    try String(contentsOfFile: Fixture.directory.appendingPathComponent(name).path, encoding: .utf8)
        .split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int($0) }
}

@Suite("Image decoding and writing")
struct ImageIOTests {
    @Test("JPEG decodes to the same samples as Pillow (libjpeg-turbo both)")
    func jpeg() throws {
        let image = try ImageIO.readRGB(Fixture.directory.appendingPathComponent("images/rgb.jpg").path)
        #expect(image.width == 16 && image.height == 12)
        let expected = try fixtureIntegers("images/rgb_jpg.txt")
        let worst = zip(image.pixels, expected).map { abs(Int($0) - $1) }.max() ?? 99
        #expect(worst <= 1, "largest difference \(worst)")
    }

    @Test("16-bit and 8-bit gray label PNGs decode exactly; gray RGB is expanded")
    func labels() throws {
        let labels = try ImageIO.readLabels(Fixture.directory.appendingPathComponent("images/labels16.png").path)
        #expect(labels.values.map(Int.init) == (try fixtureIntegers("images/labels16.txt")))
        let gray = try ImageIO.readRGB(Fixture.directory.appendingPathComponent("images/gray.png").path)
        #expect(gray.pixels[0] == gray.pixels[1] && gray.pixels[1] == gray.pixels[2])
    }

    @Test("PNG round trip of RGB images and label maps")
    func roundTrip() throws {
        let dir = try scratchDirectory()
        let image = RGBImage(width: 5, height: 3, pixels: (0..<45).map { UInt8($0 * 5) })
        let labels = LabelMap(width: 5, height: 3, values: [0, 1, 2, 255, 254, 18, 7, 7, 7, 0, 0, 1, 1, 13, 255])
        try ImageIO.writePNG(image, to: dir.appendingPathComponent("a/image.png").path)
        try ImageIO.writePNG(labels, to: dir.appendingPathComponent("a/labels.png").path)
        #expect(try ImageIO.readRGB(dir.appendingPathComponent("a/image.png").path) == image)
        #expect(try ImageIO.readLabels(dir.appendingPathComponent("a/labels.png").path) == labels)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("a").path).sorted() == ["image.png", "labels.png"])
        // The in-memory encoding (report.html's pictures) is the file's bytes.
        let encoded = try ImageIO.encodePNG(image)
        #expect(encoded == (try Data(contentsOf: dir.appendingPathComponent("a/image.png"))))
        #expect(encoded.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
    }

    @Test("heat maps: inferno from dark to bright yellow, clamped to the range, NaN black; the overlay keeps inlier pixels")
    func heatMaps() throws {
        #expect(HeatMap.colour(0) == (0, 0, 4) && HeatMap.colour(1) == (252, 255, 164) && HeatMap.colour(.nan) == (0, 0, 0))
        #expect(HeatMap.colour(-3) == HeatMap.colour(0) && HeatMap.colour(7) == HeatMap.colour(1))
        #expect(HeatMap.range(of: [3, .nan, -1, .infinity, 2]) == -1...3 && HeatMap.range(of: [5, 5]) == 0...1)
        let map = HeatMap.render([0, 1, 2, 4], width: 2, height: 2, range: 0...4)
        #expect(Array(map.pixels[0..<3]) == [0, 0, 4] && Array(map.pixels[9..<12]) == [252, 255, 164])
        let image = RGBImage(width: 2, height: 2, pixels: [UInt8](repeating: 100, count: 12))
        let overlay = HeatMap.overlay(image, [0, 0, 0, 4], range: 0...4)
        #expect(Array(overlay.pixels[0..<9]) == [UInt8](repeating: 100, count: 9) && overlay.pixels[9] > 100)
    }

    @Test("missing, unreadable, truncated and wrong-kind files are errors naming the file")
    func errors() throws {
        let dir = try scratchDirectory()
        let missing = dir.appendingPathComponent("none.png").path
        #expect(throws: ImageIOError.fileNotFound(path: missing)) { try ImageIO.readRGB(missing) }
        let text = dir.appendingPathComponent("text.png").path
        try Data("hello".utf8).write(to: URL(fileURLWithPath: text))
        let jpeg = try Data(contentsOf: Fixture.directory.appendingPathComponent("images/rgb.jpg"))
        let cutJPEG = dir.appendingPathComponent("cut.jpg").path
        try jpeg.prefix(jpeg.count / 2).write(to: URL(fileURLWithPath: cutJPEG))
        let png = try Data(contentsOf: Fixture.directory.appendingPathComponent("images/labels16.png"))
        let cutPNG = dir.appendingPathComponent("cut.png").path
        try png.prefix(60).write(to: URL(fileURLWithPath: cutPNG))
        for path in [text, cutPNG] {
            do {
                _ = try ImageIO.readLabels(path)
                Issue.record("\(path) decoded")
            } catch let error as ImageIOError {
                #expect(error.description.hasPrefix(path))
            }
        }
        // libjpeg decodes a truncated JPEG with a warning (grey bottom rows), as PIL does; it must not crash.
        _ = try? ImageIO.readRGB(cutJPEG)
        let rgbPath = Fixture.directory.appendingPathComponent("images/rgb.jpg").path
        #expect(throws: ImageIOError.self) { try ImageIO.readLabels(rgbPath) }
    }
}
