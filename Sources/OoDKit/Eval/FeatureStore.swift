import Foundation
import HDF5Store
import TensorCore

/// What identifies cached features: the model's content hash, the dataset (name, root and
/// sample list), the preprocessing and the feature names. Any change is a different key,
/// so a changed checkpoint is a miss, never a stale hit.
package struct FeatureStoreKey: Sendable, Hashable {
    /// ``StateDict/contentHash`` of the segmenter.
    package var modelHash: String
    /// The dataset's name and root.
    package var dataset: String
    /// A hash of the dataset's sample names, in order.
    package var samples: String
    /// The preprocessing (normalisation, resolution).
    package var preprocessing: String
    /// The cached maps (``Segmenter/encodedFeatureNames``).
    package var features: [String]

    /// A key.
    package init(modelHash: String, dataset: String, samples: String, preprocessing: String, features: [String]) {
        (self.modelHash, self.dataset, self.samples, self.preprocessing, self.features) = (modelHash, dataset, samples, preprocessing, features)
    }

    /// The canonical text of the key, stored in the file and compared on every hit.
    package var text: String {
        "pixelood-feature-store v1\nmodel \(modelHash)\ndataset \(dataset)\nsamples \(samples)\n"
            + "preprocessing \(preprocessing)\nfeatures \(features.joined(separator: ","))\n"
    }

    /// The store file's name: a hash of ``text``.
    package var fileName: String {
        var hasher = ContentHasher()
        hasher.combine(bytes: Array(text.utf8))
        return hasher.hex + ".h5"
    }
}

/// An HDF5 cache of backbone features per image, so N heads and scores on one backbone cost
/// one backbone pass, also across runs. One file per key in `directory`: `/images/<i>/<map>`
/// (float32 `[1, C, h, w]`), root attributes `store_key` (the key text) and `images`.
/// A file is written atomically as it streams (temporary name, renamed when every image is
/// in), so an interrupted write is never read back; memory stays at one image's maps.
package struct FeatureStore: Sendable {
    /// The folder of store files.
    package let directory: String

    /// A store in `directory` (created on first write).
    package init(directory: String) { self.directory = directory }

    /// The file for `key`.
    package func path(for key: FeatureStoreKey) -> String { directory + "/" + key.fileName }

    /// The cached features of `key`, or nil on a miss (no file, or a file whose stored key or
    /// image count differs).
    /// - Throws: ``HDF5Error`` for a present but unreadable file.
    package func open(_ key: FeatureStoreKey, images: Int) throws -> FeatureStoreReader? {
        let path = path(for: key)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let file = try H5File.open(path)
        guard try file.stringAttribute("store_key") == key.text, try file.attribute("images") == .int(Int64(images)) else {
            return nil
        }
        return FeatureStoreReader(file: file, features: key.features)
    }

    /// Writes the store file of `key` while `body` hands it each image's maps in order.
    /// - Throws: what `body` throws (the file is then not created), ``HDF5Error``.
    package func write(_ key: FeatureStoreKey, images: Int, _ body: (FeatureStoreWriter) throws -> Void) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try H5File.write(to: path(for: key)) { file in
            let writer = FeatureStoreWriter(file: file, features: key.features)
            try body(writer)
            guard writer.written == images else {
                throw HDF5Error.writeFailed(path: path(for: key), name: "images: \(writer.written) of \(images) written")
            }
            try file.setAttribute("store_key", .string(key.text))
            try file.setAttribute("images", .int(Int64(images)))
        }
    }
}

/// Reads one image's cached maps.
package final class FeatureStoreReader {
    let file: H5File
    let features: [String]

    init(file: H5File, features: [String]) { (self.file, self.features) = (file, features) }

    /// The maps of image `index`.
    /// - Throws: ``HDF5Error`` naming the dataset when one is missing or unreadable.
    package func maps(_ index: Int) throws -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for name in features { result[name] = try file.readTensor("/images/\(index)/\(name)") }
        return result
    }
}

/// Appends images' maps to a store file being written.
package final class FeatureStoreWriter {
    let file: H5File
    let features: [String]
    /// Images written so far.
    package private(set) var written = 0

    init(file: H5File, features: [String]) { (self.file, self.features) = (file, features) }

    /// Appends the next image's maps (straight from their storage).
    /// - Throws: ``HDF5Error``; a map named by the key but absent is an error too.
    package func append(_ maps: [String: Tensor]) throws {
        for name in features {
            guard let map = maps[name] else { throw HDF5Error.writeFailed(path: file.path, name: "/images/\(written)/\(name): no such map") }
            try file.write("/images/\(written)/\(name)", map)
        }
        written += 1
    }
}
