import Observability

/// The text of a visitor-counter spool: a header line, then one line per batch with its
/// own checksum, so a damaged or cut file is detected and its good prefix kept.
///
/// ```
/// barkd-visitor-counter-spool 1
/// batch 3f2a…e1 41 17 9c0d44f2
/// ```
/// (`batch INSTANCE SEQUENCE DELTA CRC32`, the CRC-32 in hex of `INSTANCE SEQUENCE DELTA`.)
/// A plain value with no I/O, tested on its own.
public enum CounterSpoolFormat {
    static let header = "barkd-visitor-counter-spool 1"

    /// What a spool file held.
    public struct Decoded: Sendable, Equatable {
        /// The batches of the good prefix, in file order.
        public var batches: [VisitBatch]
        /// Why reading stopped before the end (a bad line, a cut last line), or nil.
        public var problem: String?
        /// Bytes after the good prefix that were not used.
        public var droppedBytes: Int
    }

    /// The file's text for `batches`.
    public static func encode(_ batches: [VisitBatch]) -> [UInt8] {
        var text = header + "\n"
        for batch in batches {
            let fields = "\(batch.instance) \(batch.sequence) \(batch.delta)"
            text += "batch \(fields) \(Hex.encode(CRC32.checksum(fields.utf8)))\n"
        }
        return Array(text.utf8)
    }

    /// The batches of `bytes` up to the first line that is damaged, cut or unknown.
    public static func decode(_ bytes: [UInt8]) -> Decoded {
        var batches: [VisitBatch] = []
        var offset = 0
        var lineNumber = 0
        func stop(_ problem: String) -> Decoded {
            Decoded(batches: batches, problem: "line \(lineNumber): \(problem)", droppedBytes: bytes.count - offset)
        }
        while offset < bytes.count {
            lineNumber += 1
            guard let newline = bytes[offset...].firstIndex(of: UInt8(ascii: "\n")) else {
                return stop("cut off (no end of line)")
            }
            let line = String(decoding: bytes[offset..<newline], as: UTF8.self)
            if lineNumber == 1 {
                guard line == header else { return stop("not a barkd visitor-counter spool (header '\(line.prefix(40))')") }
            } else {
                let words = line.split(separator: " ", omittingEmptySubsequences: false)
                guard words.count == 5, words[0] == "batch" else { return stop("not a batch line") }
                let fields = words[1...3].joined(separator: " ")
                guard String(words[4]) == Hex.encode(CRC32.checksum(fields.utf8)) else { return stop("checksum mismatch") }
                guard let sequence = Int64(words[2]), let delta = Int64(words[3]), sequence >= 1, delta >= 1, !words[1].isEmpty else {
                    return stop("bad numbers")
                }
                batches.append(VisitBatch(instance: String(words[1]), sequence: sequence, delta: delta))
            }
            offset = newline + 1
        }
        if lineNumber == 0 { return Decoded(batches: [], problem: "empty file", droppedBytes: 0) }
        return Decoded(batches: batches, problem: nil, droppedBytes: 0)
    }
}
