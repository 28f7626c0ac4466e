import Server

/// `Authorization: Bearer <token>` checks, compared in constant time for equal-length
/// guesses so a timing difference does not reveal how much of a token was right.
enum BearerToken {
    /// Whether the header value `value` is `Bearer <token>` (scheme case-insensitive).
    static func matches<Value: Collection<UInt8>>(_ value: Value, token: [UInt8]) -> Bool {
        let scheme = Array("bearer ".utf8)
        guard value.count > scheme.count else { return false }
        var index = value.startIndex
        for expected in scheme {
            guard ByteClass.lowercased(value[index]) == expected else { return false }
            index = value.index(after: index)
        }
        return constantTimeEqual(Array(value[index...]), token)
    }

    static func constantTimeEqual(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        // The length is not secret; every byte of the expected token is compared anyway.
        var difference: UInt8 = given.count == expected.count ? 0 : 1
        for index in 0..<expected.count {
            difference |= (index < given.count ? given[index] : 0) ^ expected[index]
        }
        return difference == 0
    }
}
