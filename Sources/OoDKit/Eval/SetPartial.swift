import OoDMetrics
import SceneData

/// One rank's results on its share of a set (every method's accumulator and the example
/// images it scored), sent to rank 0 as bytes and merged there into the whole set's.
struct SetPartial {
    /// Per method, the pixel metrics of this share.
    var evaluations: [AnomalyEvaluation]
    /// The report's example images among this share, by their index in the whole set.
    var examples: [ReportExample]

    /// On rank 0, the whole set's results (every rank's accumulators merged, the examples in
    /// set order); nil on the other ranks. Alone in its group, itself.
    /// - Throws: the group's errors; ``OoDMetrics/MetricsError/malformedMessage(_:)``.
    func gathered(in group: any ProcessGroup, spill: SpillPolicy) throws -> SetPartial? {
        guard group.size > 1 else { return self }
        guard let parts = try group.gather(try encoded()) else { return nil }
        var whole = SetPartial(evaluations: [], examples: [])
        for (rank, bytes) in parts.enumerated() {
            let part = try SetPartial(decoding: bytes, spill: spill)
            if rank == 0 { whole.evaluations = part.evaluations } else {
                guard part.evaluations.count == whole.evaluations.count else {
                    throw MetricsError.malformedMessage("rank \(rank) sent \(part.evaluations.count) methods, rank 0 \(whole.evaluations.count)")
                }
                for index in whole.evaluations.indices { try whole.evaluations[index].merge(part.evaluations[index]) }
            }
            whole.examples += part.examples
        }
        whole.examples.sort { $0.index < $1.index }
        return whole
    }

    /// The results as bytes.
    func encoded() throws -> [UInt8] {
        var message = MessageWriter()
        message.write(Int64(evaluations.count))
        for evaluation in evaluations { message.write(try evaluation.serialized()) }
        message.write(Int64(examples.count))
        for example in examples {
            message.write(example.dataset)
            message.write(Int64(example.index))
            message.write(Int64(example.image.width)); message.write(Int64(example.image.height)); message.write(example.image.pixels)
            message.write(Int64(example.labels.width)); message.write(Int64(example.labels.height)); message.write(example.labels.values)
            message.write(Int64(example.maps.count))
            for map in example.maps { message.write(map) }
        }
        return message.bytes
    }

    init(evaluations: [AnomalyEvaluation], examples: [ReportExample]) {
        (self.evaluations, self.examples) = (evaluations, examples)
    }

    /// Results read back from ``encoded()``.
    init(decoding bytes: [UInt8], spill: SpillPolicy) throws {
        var message = MessageReader(bytes)
        evaluations = try (0..<message.readCount(bytesEach: 8)).map { _ in try AnomalyEvaluation(serialized: try message.readBytes(), spill: spill) }
        examples = try (0..<message.readCount(bytesEach: 8)).map { _ in
            let dataset = try message.readString(), index = Int(try message.read(Int64.self))
            let (imageWidth, imageHeight, pixels) = (Int(try message.read(Int64.self)), Int(try message.read(Int64.self)), try message.readBytes())
            let (width, height, values) = (Int(try message.read(Int64.self)), Int(try message.read(Int64.self)), try message.readBytes())
            let maps = try (0..<message.readCount(bytesEach: 8)).map { _ in try message.readFloats() }
            func holds(_ count: Int, _ width: Int, _ height: Int, channels: Int) -> Bool {
                guard width >= 0, height >= 0 else { return false }
                let (area, overflow) = width.multipliedReportingOverflow(by: height)
                return !overflow && area <= count && area * channels == count
            }
            guard holds(pixels.count, imageWidth, imageHeight, channels: 3), holds(values.count, width, height, channels: 1),
                  maps.allSatisfy({ $0.count == values.count }) else {
                throw MetricsError.malformedMessage("example \(index) of \(dataset): sizes do not agree")
            }
            return ReportExample(dataset: dataset, index: index, image: RGBImage(width: imageWidth, height: imageHeight, pixels: pixels),
                                 labels: LabelMap(width: width, height: height, values: values), maps: maps)
        }
        guard message.isAtEnd else { throw MetricsError.malformedMessage("trailing bytes after a set's results") }
    }
}
