import Foundation
import NeuralNet

/// The checkpoint a sweep point's run starts from (its recipe's `checkpoint:`), named by the
/// content hash of its weights and kept beside the point's recipe
/// (``RunLayout/startRecord``). A folder that holds results is skipped or continued only
/// while that file still holds the same weights, so results made on one segmenter are never
/// shown for, or continued on, another (a new bundled segmenter, an upstream point trained
/// again differently).
struct SweepStartRecord: Codable {
    /// The recipe's `checkpoint:` path.
    var checkpoint: String
    /// ``TensorCore/StateDict/contentHash`` of the weights it held.
    var contentHash: String

    enum CodingKeys: String, CodingKey { case checkpoint, contentHash = "content_hash" }

    /// Records `checkpoint` in `folder` when the folder holds no results yet; otherwise checks
    /// that it still holds the recorded weights. A missing checkpoint in a folder without
    /// results is left to the trainer, which names it.
    /// - Throws: ``SweepError/changedStart(name:folder:checkpoint:)`` or
    ///   ``SweepError/unrecordedStart(name:folder:checkpoint:)``; what reading the checkpoint throws.
    static func check(_ checkpoint: String?, folder: String, hasResults: Bool, point: String) throws {
        guard let checkpoint else { return }
        let path = RunLayout(folder).startRecord
        guard hasResults || FileManager.default.fileExists(atPath: checkpoint) else { return }
        let now = SweepStartRecord(checkpoint: checkpoint, contentHash: try Checkpoint.load(from: checkpoint).model.contentHash)
        guard hasResults else {
            try JSONEncoder.reports.encode(now).write(to: URL(fileURLWithPath: path), options: .atomic)
            return
        }
        guard let data = FileManager.default.contents(atPath: path),
              let recorded = try? JSONDecoder().decode(SweepStartRecord.self, from: data) else {
            throw SweepError.unrecordedStart(name: point, folder: folder, checkpoint: checkpoint)
        }
        guard recorded.contentHash == now.contentHash else {
            throw SweepError.changedStart(name: point, folder: folder, checkpoint: checkpoint)
        }
    }
}
