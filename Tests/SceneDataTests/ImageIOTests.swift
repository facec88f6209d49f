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
