import Glibc
import TestSupport

/// The test's end of one connection (a socketpair end or a TCP socket to 127.0.0.1).
///
/// Non-blocking underneath, and it never blocks a thread: a wait polls the socket and
/// sleeps the task between polls (the tests' threads are the cooperative pool, which the
/// server under test may need), up to a deadline; one that ends throws ``WaitTimedOut``
/// with what was expected and what had arrived, so a test fails with a message instead
/// of hanging. Owned by one test; closes its fd when released.
final class TestClient {
    let fd: Int32
    private var buffer: [UInt8] = []
    private var isClosed = false

    /// Takes ownership of a connected socket `fd`.
    init(fd: Int32) {
        self.fd = fd
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    deinit { close() }

    /// Closes the socket, as a client does once the server closed its side.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        Glibc.close(fd)
    }

    /// Connects to `127.0.0.1:port`.
    static func connect(port: Int) throws -> TestClient {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw WaitTimedOut("socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let error = errno
            Glibc.close(fd)
            throw ConnectFailed(errno: error)
        }
        return TestClient(fd: fd)
    }

    struct ConnectFailed: Error {
        let errno: Int32
    }

    // MARK: - Sending

    /// Sends all of `text`.
    func send(_ text: String, within timeout: Duration = .seconds(5)) async throws {
        try await send(Array(text.utf8), within: timeout)
    }

    /// Sends all of `bytes`, waiting while the peer's buffer is full.
    func send(_ bytes: [UInt8], within timeout: Duration = .seconds(5)) async throws {
        let deadline = ContinuousClock.now + timeout
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count > 0 {
                offset += count
                continue
            }
            guard count < 0, errno == EAGAIN || errno == EINTR else {
                throw WaitTimedOut("send failed after \(offset) of \(bytes.count) bytes: errno \(errno)")
            }
            try await pause(until: deadline, what: "the peer to take \(bytes.count - offset) more bytes")
        }
    }

    /// Closes the sending side (the peer reads end of file).
    func shutdownWrite() { _ = shutdown(fd, Int32(SHUT_WR)) }

    // MARK: - Receiving

    /// Reads one response (a `1xx` one too: it is returned like any other). `head`: the
    /// response to a `HEAD` request, whose `Content-Length` announces no body.
    func readResponse(head: Bool = false, within timeout: Duration = .seconds(5)) async throws -> TestResponse {
        let deadline = ContinuousClock.now + timeout
        var headEnd: Int?
        while true {
            headEnd = buffer.firstRange(of: [13, 10, 13, 10])?.upperBound
            if headEnd != nil { break }
            guard try await fill(until: deadline, what: "a response head") else {
                throw WaitTimedOut("connection closed before a response head; got \(Self.show(buffer))")
            }
        }
        var response = try TestResponse(head: Array(buffer[..<headEnd!]))
        buffer.removeFirst(headEnd!)
        guard response.hasBody, !head else { return response }
        guard let text = response.header("Content-Length"), let length = Int(text) else {
            throw WaitTimedOut("response \(response.status) without a valid Content-Length: \(response.headers)")
        }
        while buffer.count < length {
            guard try await fill(until: deadline, what: "\(length) body bytes") else {
                throw WaitTimedOut("connection closed after \(buffer.count) of \(length) body bytes")
            }
        }
        response.body = Array(buffer[..<length])
        buffer.removeFirst(length)
        return response
    }

    /// Reads until the peer closes; returns what arrived before the end of file.
    func readUntilClosed(within timeout: Duration = .seconds(5)) async throws -> [UInt8] {
        let deadline = ContinuousClock.now + timeout
        while try await fill(until: deadline, what: "end of file") {}
        defer { buffer.removeAll() }
        return buffer
    }

    /// Expects the peer to close without sending anything more.
    func expectClosed(within timeout: Duration = .seconds(5)) async throws {
        let extra = try await readUntilClosed(within: timeout)
        guard extra.isEmpty else { throw WaitTimedOut("expected a silent close, got \(Self.show(extra))") }
    }

    /// What can be read now without waiting.
    enum Pending: Equatable {
        case nothing
        case bytes
        case endOfFile
    }

    /// Whether anything arrived, without waiting or consuming it.
    func pending() -> Pending {
        if !buffer.isEmpty { return .bytes }
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
        if count > 0 { return .bytes }
        if count == 0 || errno == ECONNRESET { return .endOfFile }
        return .nothing
    }

    /// Reads what is available into the buffer, waiting for it until `deadline`; false at
    /// end of file (or reset).
    private func fill(until deadline: ContinuousClock.Instant, what: String) async throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                buffer += chunk[..<count]
                return true
            }
            if count == 0 || errno == ECONNRESET { return false }
            guard errno == EAGAIN || errno == EINTR else { throw WaitTimedOut("recv failed: errno \(errno)") }
            try await pause(until: deadline, what: what)
        }
    }

    /// Sleeps the task briefly before the next try, or throws once `deadline` passed.
    private func pause(until deadline: ContinuousClock.Instant, what: String) async throws {
        guard ContinuousClock.now < deadline else {
            throw WaitTimedOut("no \(what) in time; received so far: \(Self.show(buffer))")
        }
        try await Task.sleep(for: .milliseconds(1))
    }

    static func show(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes.prefix(300), as: UTF8.self)
        return "\(bytes.count) bytes \(String(reflecting: text))"
    }
}
