/// A 128-bit content hash of a state dict (keys, dtypes, shapes and every element's bits,
/// in order), as 32 hex digits: names a checkpoint's contents in results tables and keys
/// the feature store, so a changed weight is a different model. Not cryptographic.
extension StateDict {
    /// The hash of every entry; equal state dicts give equal hashes in every process.
    public var contentHash: String {
        var hasher = ContentHasher()
        for entry in entries {
            hasher.combine(bytes: Array(entry.key.utf8))
            hasher.combine(entry.dtype == .int64 ? 1 : 0)
            hasher.combine(UInt64(entry.tensor.rank))
            for extent in entry.tensor.shape { hasher.combine(UInt64(extent)) }
            entry.tensor.withUnsafeBufferPointer { values in
                var i = 0
                while i + 1 < values.count {
                    hasher.combine(UInt64(values[i].bitPattern) | UInt64(values[i + 1].bitPattern) << 32)
                    i += 2
                }
                if i < values.count { hasher.combine(UInt64(values[i].bitPattern)) }
            }
        }
        return hasher.hex
    }
}

/// A 128-bit content hash: two independent 64-bit multiply-rotate lanes with a final
/// avalanche (murmur3's fmix64). The same input gives the same hash in every process
/// (unlike Swift's seeded `Hasher`). Not cryptographic.
public struct ContentHasher {
    private var a: UInt64 = 0x9E37_79B9_7F4A_7C15, b: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private var length: UInt64 = 0

    /// An empty hasher.
    public init() {}

    /// Adds 64 bits.
    public mutating func combine(_ word: UInt64) {
        a = (a ^ (word &* 0x87C3_7B91_1142_53D5)).rotatedLeft(31) &* 0x4CF5_AD43_2745_937F
        b = (b ^ (word &* 0x4CF5_AD43_2745_937F)).rotatedLeft(27) &* 0x87C3_7B91_1142_53D5 &+ a
        length &+= 1
    }

    /// Adds an integer.
    public mutating func combine(_ value: Int) { combine(UInt64(bitPattern: Int64(value))) }

    /// Adds a byte string (its length first).
    public mutating func combine(bytes: [UInt8]) {
        combine(UInt64(bytes.count))
        var word: UInt64 = 0
        for (i, byte) in bytes.enumerated() {
            word |= UInt64(byte) << (8 * UInt64(i % 8))
            if i % 8 == 7 { combine(word); word = 0 }
        }
        if bytes.count % 8 != 0 { combine(word) }
    }

    /// The hash as 32 hex digits.
    public var hex: String {
        func fmix(_ k: UInt64) -> UInt64 {
            var k = k
            k ^= k >> 33; k &*= 0xFF51_AFD7_ED55_8CCD; k ^= k >> 33; k &*= 0xC4CE_B9FE_1A85_EC53; k ^= k >> 33
            return k
        }
        let h1 = fmix(a ^ length), h2 = fmix(b &+ h1)
        return [fmix(h1 &+ h2), h2].map { String($0, radix: 16).leftPadded(to: 16) }.joined()
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(_ n: UInt64) -> UInt64 { (self << n) | (self >> (64 - n)) }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
