import TensorCore

/// Nearest-neighbour resampling of label maps to a feature map's size, as PyTorch's
/// `interpolate(mode="nearest")`: output pixel `(y, x)` takes input `(⌊y·H/h⌋, ⌊x·W/w⌋)`.
public enum NearestResampling {
    /// The input offsets (`row · width + column`) each output pixel reads, row-major.
    public static func sourceOffsets(from input: (height: Int, width: Int), to output: (height: Int, width: Int)) -> [Int] {
        var result = [Int](repeating: 0, count: output.height * output.width)
        for y in 0..<output.height {
            let sy = min(input.height - 1, y * input.height / output.height)
            for x in 0..<output.width { result[y * output.width + x] = sy * input.width + min(input.width - 1, x * input.width / output.width) }
        }
        return result
    }

    /// `[N, H, W]` labels at `height × width`, image by image, flattened.
    public static func labels(_ labels: IndexTensor, height: Int, width: Int) -> [Int32] {
        let (n, inputHeight, inputWidth) = (labels.shape[0], labels.shape[1], labels.shape[2])
        let offsets = sourceOffsets(from: (inputHeight, inputWidth), to: (height, width))
        let plane = inputHeight * inputWidth, values = labels.values
        return (0..<n).flatMap { image in offsets.map { values[image * plane + $0] } }
    }
}
