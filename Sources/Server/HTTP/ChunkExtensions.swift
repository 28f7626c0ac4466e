/// The chunk-ext grammar of RFC 9112 §7.1.1, exactly: barkd ignores chunk extensions, but
/// a lenient reading of them (a bare `;`, a stray byte, whitespace before the line end)
/// is where two parsers in a chain can disagree about where a chunk ends.
///
///     chunk-ext      = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
///     chunk-ext-name = token
///     chunk-ext-val  = token / quoted-string
enum ChunkExtensions {
    /// Whether `bytes` (what follows the chunk size on its line, before the CRLF) is a
    /// valid, possibly empty, chunk-ext.
    static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index < bytes.count {
            skipWhitespace(bytes, &index)
            guard index < bytes.count, bytes[index] == UInt8(ascii: ";") else { return false }
            index += 1
            skipWhitespace(bytes, &index)
            guard skipToken(bytes, &index) else { return false }
            let afterName = index
            skipWhitespace(bytes, &index)
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else {
                index = afterName  // whitespace here must lead to another ";"
                continue
            }
            index += 1
            skipWhitespace(bytes, &index)
            guard skipToken(bytes, &index) || skipQuotedString(bytes, &index) else { return false }
        }
        return true
    }

    private static func skipWhitespace(_ bytes: UnsafeRawBufferPointer, _ index: inout Int) {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
    }

    /// Skips `1*tchar`; false when there is none.
    private static func skipToken(_ bytes: UnsafeRawBufferPointer, _ index: inout Int) -> Bool {
        let start = index
        while index < bytes.count, ByteClass.isToken(bytes[index]) { index += 1 }
        return index > start
    }

    /// Skips a quoted-string (RFC 9110 §5.6.4); false when there is none, or it is not closed.
    private static func skipQuotedString(_ bytes: UnsafeRawBufferPointer, _ index: inout Int) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return false }
        var cursor = index + 1
        while cursor < bytes.count {
            let byte = bytes[cursor]
            if byte == UInt8(ascii: "\"") {
                index = cursor + 1
                return true
            }
            if byte == UInt8(ascii: "\\") {
                // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
                guard cursor + 1 < bytes.count, isQuotedPairByte(bytes[cursor + 1]) else { return false }
                cursor += 2
                continue
            }
            // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
            guard byte == 0x09 || (byte >= 0x20 && byte != 0x7F) else { return false }
            cursor += 1
        }
        return false
    }

    @inline(__always) private static func isQuotedPairByte(_ byte: UInt8) -> Bool {
        byte == 0x09 || (byte >= 0x20 && byte != 0x7F)
    }
}
