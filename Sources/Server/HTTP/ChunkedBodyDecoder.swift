import Glibc
import Observability

/// Decodes a chunked request body incrementally (RFC 9112 §7.1): chunk-size lines of at
/// most 16 hex digits with optional extensions, chunk data followed by exactly CRLF, and
/// trailer fields (validated like header fields, then dropped). Every line ends in CRLF.
/// The trailer section is held to ``HTTPLimits/maxHeaderBytes`` wherever the reads split
/// it: bytes past the limit are never examined, so the verdict is the same in one read
/// or many.
struct ChunkedBodyDecoder: Sendable, Equatable {
    /// Offset of the next undecoded byte in the message buffer.
    private(set) var position: Int
    /// The largest decoded body this request may have (its route's limit).
    let maxBodyBytes: Int
    private var phase: Phase = .size
    private var body: [UInt8] = []
    private var trailerCount = 0

    private enum Phase: Sendable, Equatable {
        case size
        case data(remaining: Int)
        case dataEnd
        /// The trailer section, which began at `start`.
        case trailers(start: Int)
    }

    enum Outcome {
        case needMore
        case done(end: Int)
        case failure(HTTPParseError)
    }

    init(position: Int, maxBodyBytes: Int) {
        self.position = position
        self.maxBodyBytes = maxBodyBytes
    }

    mutating func takeBody() -> [UInt8] {
        defer { body = [] }
        return body
    }

    mutating func decode(_ buffer: UnsafeRawBufferPointer, limits: HTTPLimits, fields: inout [HTTPHeaderField]) -> Outcome {
        while true {
            switch phase {
            case .size:
                guard let lineFeed = findLineFeed(buffer) else {
                    return buffer.count - position > limits.maxChunkLineBytes ? .failure(.chunkLineTooLong) : .needMore
                }
                if lineFeed - position > limits.maxChunkLineBytes { return .failure(.chunkLineTooLong) }
                guard lineFeed > position, buffer[lineFeed - 1] == 0x0D else { return .failure(.invalidChunk) }
                guard let size = Self.chunkSize(UnsafeRawBufferPointer(rebasing: buffer[position..<(lineFeed - 1)])) else {
                    return .failure(.invalidChunk)
                }
                position = lineFeed + 1
                if size == 0 {
                    phase = .trailers(start: position)
                } else {
                    if size > maxBodyBytes - body.count { return .failure(.bodyTooLarge) }
                    phase = .data(remaining: size)
                }
            case .data(let remaining):
                let available = min(remaining, buffer.count - position)
                if available == 0 { return .needMore }
                body.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[position..<(position + available)]))
                position += available
                phase = remaining == available ? .dataEnd : .data(remaining: remaining - available)
            case .dataEnd:
                guard buffer.count - position >= 2 else {
                    if buffer.count > position, buffer[position] != 0x0D { return .failure(.invalidChunk) }
                    return .needMore
                }
                guard buffer[position] == 0x0D, buffer[position + 1] == 0x0A else { return .failure(.invalidChunk) }
                position += 2
                phase = .size
            case .trailers(let start):
                // The section may not grow past the header limit: look no further than that.
                let sectionEnd = start + limits.maxHeaderBytes
                guard let lineFeed = findLineFeed(buffer, before: min(buffer.count, sectionEnd + 1)) else {
                    return buffer.count > sectionEnd ? .failure(.headerSectionTooLarge) : .needMore
                }
                if lineFeed >= sectionEnd { return .failure(.headerSectionTooLarge) }
                guard lineFeed > position, buffer[lineFeed - 1] == 0x0D else { return .failure(.bareLineFeed) }
                var cursor = position
                switch HTTPRequestParser.parseField(buffer, cursor: &cursor, limits: limits, count: fields.count + trailerCount) {
                case .failure(let error): return .failure(error)
                case .success(nil): return .done(end: cursor)
                case .success(let field?):
                    guard cursor == lineFeed + 1 else { return .failure(.invalidChunk) }
                    // Framing and routing fields cannot arrive after the body (RFC 9110 §6.5.1).
                    let name = UnsafeRawBufferPointer(rebasing: buffer[field.name])
                    if ByteClass.equalsLowercase(name, "content-length") || ByteClass.equalsLowercase(name, "transfer-encoding") {
                        return .failure(.framingFieldInTrailer)
                    }
                    trailerCount += 1
                    position = cursor
                }
            }
        }
    }

    /// The offset of the first LF at or after `position` and before `end`.
    private func findLineFeed(_ buffer: UnsafeRawBufferPointer, before end: Int? = nil) -> Int? {
        let end = end ?? buffer.count
        guard position < end, let base = buffer.baseAddress,
            let found = memchr(base + position, 0x0A, end - position)
        else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }

    /// `1*HEXDIG [ chunk-ext ]`, at most 16 digits; nil when malformed (the extensions
    /// follow their grammar exactly: ``ChunkExtensions``).
    static func chunkSize(_ line: UnsafeRawBufferPointer) -> Int? {
        var size = 0
        var index = 0
        while index < line.count, let digit = Hex.value(of: line[index]) {
            guard index < 15 || (index == 15 && size >> 59 == 0) else { return nil }
            size = size << 4 | Int(digit)
            index += 1
        }
        guard index > 0, index <= 16 else { return nil }
        return ChunkExtensions.isValid(UnsafeRawBufferPointer(rebasing: line[index...])) ? size : nil
    }
}
