import Foundation
import NeuralNet

/// The checkpoint a run starts from (its recipe's `checkpoint:`), named by the content hash
/// of its weights and kept in the run's folder (``RunLayout/startRecord``). A folder that
/// holds results is skipped or continued (by `sweep`, and by `train` continuing its own
/// folder) only while that file still holds the same weights, so results made on one
/// segmenter are never shown for, or continued on, another (a new bundled segmenter, an
/// upstream point trained again differently).
struct RunStartRecord: Codable {
    /// What the folder's record says about the weights the checkpoint holds now.
    enum Verdict: Equatable {
        /// The recorded weights, or nothing to check (no `checkpoint:`; a fresh folder, now recorded).
        case same
        /// Other weights than the folder's results were made on.
        case changed
        /// The folder holds results but no record (made before records were kept).
        case unrecorded
    }

    /// The recipe's `checkpoint:` path.
    var checkpoint: String
    /// ``TensorCore/StateDict/contentHash`` of the weights it held.
    var contentHash: String

    enum CodingKeys: String, CodingKey { case checkpoint, contentHash = "content_hash" }

    /// Records `checkpoint` in `folder` when the folder holds no results yet; otherwise
    /// compares it with the record. A missing checkpoint in a folder without results is
    /// left to the trainer, which names it.
    /// - Throws: what reading the checkpoint or writing the record throws.
    static func check(_ checkpoint: String?, folder: String, hasResults: Bool) throws -> Verdict {
        guard let checkpoint else { return .same }
        let path = RunLayout(folder).startRecord
        guard hasResults || FileManager.default.fileExists(atPath: checkpoint) else { return .same }
        let now = RunStartRecord(checkpoint: checkpoint, contentHash: try Checkpoint.load(from: checkpoint).model.contentHash)
        guard hasResults else {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try JSONEncoder.reports.encode(now).write(to: URL(fileURLWithPath: path), options: .atomic)
            return .same
        }
        guard let data = FileManager.default.contents(atPath: path),
              let recorded = try? JSONDecoder().decode(RunStartRecord.self, from: data) else { return .unrecorded }
        return recorded.contentHash == now.contentHash ? .same : .changed
    }
}
