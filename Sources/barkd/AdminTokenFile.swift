import Glibc

/// `--admin-token-file`: the admin API's bearer token, read from its file once — while
/// the command line is parsed — and validated and used from that one read, so what was
/// checked is what serves (a file rewritten in between cannot slip past the check).
struct AdminTokenFile: Sendable {
    /// The path as given.
    let path: String
    /// The token: the file's contents without trailing whitespace (a final newline).
    let token: String
    /// The file's permission bits, from the same open file that was read.
    let mode: UInt32

    /// The fewest characters a token may have.
    static let minimumLength = 16
    /// A token file is a few bytes; anything larger is not one.
    static let maximumFileBytes = 4096

    /// True when the group or others may read the file (mode & 0o044): worth a warning.
    var isReadableByOthers: Bool { mode & 0o044 != 0 }

    /// Reads and validates the file at `path`; the error names what is wrong, never
    /// the token.
    init(path: String) throws(Invalid) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Invalid("cannot read '\(path)'") }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & 0o170000 == 0o100000 else { throw Invalid("'\(path)' is not a readable file") }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw Invalid("cannot read '\(path)'") }
            if count == 0 { break }
            bytes += chunk[0..<count]
            guard bytes.count <= Self.maximumFileBytes else { throw Invalid("'\(path)' is larger than a token file can be") }
        }
        self.path = path
        self.token = try Self.token(from: bytes)
        self.mode = UInt32(status.st_mode) & 0o7777
    }

    /// The token in a file's bytes: trailing spaces, tabs, CRs and LFs dropped; what is
    /// left must be at least ``minimumLength`` visible ASCII characters (a space or a
    /// control character could never arrive in an `Authorization` header intact).
    static func token(from bytes: [UInt8]) throws(Invalid) -> String {
        var bytes = bytes
        while let last = bytes.last, [0x20, 0x09, 0x0D, 0x0A].contains(last) { bytes.removeLast() }
        guard bytes.count >= minimumLength else { throw Invalid("the token must be at least \(minimumLength) characters") }
        guard bytes.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw Invalid("the token must be printable ASCII without spaces (one line)")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Why the token file cannot be used.
    struct Invalid: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
