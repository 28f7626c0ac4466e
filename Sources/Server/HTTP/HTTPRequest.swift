import Observability

/// The header fields of a request: ranges into the request's bytes, decoded on access.
public struct HTTPHeaders: Sendable, Sequence {
    let storage: [UInt8]
    let base: Int
    let fields: [HTTPHeaderField]

    /// The first value of the field `name` (case-insensitive), if present.
    public subscript(name: String) -> String? {
        guard let field = firstField(named: name) else { return nil }
        return string(field.value)
    }

    /// Whether a field `name` is present.
    public func contains(_ name: String) -> Bool { firstField(named: name) != nil }

    /// Every value of the field `name`, in order.
    public func values(for name: String) -> [String] {
        fields.filter { nameMatches($0, name) }.map { string($0.value) }
    }

    public var count: Int { fields.count }

    public func makeIterator() -> some IteratorProtocol<(name: String, value: String)> {
        fields.lazy.map { (name: string($0.name), value: string($0.value)) }.makeIterator()
    }

    private func firstField(named name: String) -> HTTPHeaderField? {
        fields.first { nameMatches($0, name) }
    }

    private func nameMatches(_ field: HTTPHeaderField, _ name: String) -> Bool {
        guard field.name.count == name.utf8.count else { return false }
        return storage.withUnsafeBufferPointer { bytes in
            zip(bytes[(base + field.name.lowerBound)..<(base + field.name.upperBound)], name.utf8).allSatisfy {
                ByteClass.lowercased($0) == ByteClass.lowercased($1)
            }
        }
    }

    func string(_ range: Range<Int>) -> String {
        String(decoding: storage[(base + range.lowerBound)..<(base + range.upperBound)], as: UTF8.self)
    }
}

/// A parsed request as handlers see it.
///
/// It shares the connection's read buffer (copy-on-write), so building it copies no
/// header bytes; a handler that keeps it past its response simply makes the connection
/// copy its buffer on its next write to it.
public struct HTTPRequest: Sendable {
    public let method: HTTPMethod
    public let version: HTTPVersion
    public let headers: HTTPHeaders
    /// The request body (empty when there is none).
    public let body: ArraySlice<UInt8>
    /// The raw request target, as sent.
    public let target: String
    /// The percent-decoded path of the target (without the query); empty when the target
    /// cannot be routed (``rawPath`` is nil).
    public let path: String
    /// The path as sent (still percent-encoded), or nil when the target is not a valid
    /// origin- or absolute-form target or its path has a malformed percent-escape.
    public let rawPath: Substring?
    /// The raw query string (after `?`), if any.
    public let query: Substring?
    /// Values of the route's `{param}` segments, percent-decoded.
    public internal(set) var pathParameters: [String: String] = [:]

    /// This request with the route's parameters (the router's inlined code sets them).
    @usableFromInline
    func withPathParameters(_ parameters: [String: String]) -> HTTPRequest {
        var request = self
        request.pathParameters = parameters
        return request
    }

    init(storage: [UInt8], base: Int, message: HTTPParsedMessage, fields: [HTTPHeaderField], target: String) {
        self.method = message.head.method
        self.version = message.head.version
        self.headers = HTTPHeaders(storage: storage, base: base, fields: fields)
        switch message.body {
        case .none: self.body = []
        case .range(let range): self.body = storage[(base + range.lowerBound)..<(base + range.upperBound)]
        case .decoded(let bytes): self.body = bytes[...]
        }
        self.target = target
        if let parts = RequestTarget(target),
            let decoded = parts.path.utf8.contains(UInt8(ascii: "%")) ? PercentEncoding.decode(parts.path.utf8) : String(parts.path)
        {
            self.rawPath = parts.path
            self.path = decoded
            self.query = parts.query
        } else {
            self.rawPath = nil
            self.path = ""
            self.query = nil
        }
    }

    /// The query's parameters, percent-decoded (`+` as space); later duplicates win.
    public var queryParameters: [String: String] {
        guard let query else { return [:] }
        return QueryParameters.parse(query)
    }
}
