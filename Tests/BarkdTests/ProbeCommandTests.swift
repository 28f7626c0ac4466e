import Glibc
import Server
import Testing

@testable import barkd

extension BarkdTests {
    @Suite("barkd probe: its arguments and the answer it reads")
    struct ProbeCommandTests {
        func options(_ arguments: [String], environment: [String: String] = [:]) -> ProbeCommand.Options? {
            try? ProbeCommand.parse(arguments, environment: { environment[$0] }).get()
        }

        func failure(_ arguments: [String], environment: [String: String] = [:]) -> String? {
            if case .failure(let failure) = ProbeCommand.parse(arguments, environment: { environment[$0] }) { return failure.message }
            return nil
        }

        @Test func defaults() {
            #expect(options([]) == ProbeCommand.Options(port: BarkdCommand.serverDefaults.port, path: "/readyz", timeoutSeconds: 2))
        }

        @Test func flagsInBothForms() {
            let expected = ProbeCommand.Options(port: 8080, path: "/livez", timeoutSeconds: 0.5)
            #expect(options(["--port", "8080", "--path", "/livez", "--timeout", "0.5"]) == expected)
            #expect(options(["--port=8080", "--path=/livez", "--timeout=0.5"]) == expected)
        }

        @Test func portPrecedence() {
            #expect(options([], environment: ["PORT": "7000"])?.port == 7000)
            #expect(options([], environment: ["BARKD_PORT": "6000", "PORT": "7000"])?.port == 6000)
            #expect(options(["--port", "8000"], environment: ["BARKD_PORT": "6000", "PORT": "7000"])?.port == 8000)
        }

        @Test(arguments: [
            (["--port", "0"], "port must be 1-65535"),
            (["--port", "abc"], "port must be 1-65535"),
            (["--port"], "--port needs a value"),
            (["--path", "readyz"], "--path needs an absolute path"),
            (["--path", "/a b"], "--path needs an absolute path"),
            (["--timeout", "0"], "--timeout needs seconds"),
            (["--timeout", "61"], "--timeout needs seconds"),
            (["--verbose"], "unknown argument '--verbose'"),
            (["--help"], ProbeCommand.usage),
        ])
        func badArguments(arguments: [String], expected: String) throws {
            let message = try #require(failure(arguments), "\(arguments) was accepted")
            #expect(message.hasPrefix(expected), "\(message)")
        }

        @Test func aBadPortFromTheEnvironmentIsRefused() {
            #expect(failure([], environment: ["BARKD_PORT": "99999"]) == "port must be 1-65535, got '99999'")
        }

        @Test(arguments: [
            ("HTTP/1.1 200 OK\r\n", 200), ("HTTP/1.0 503 Service Unavailable\r\n", 503), ("HTTP/1.1 404 \r\n", 404),
        ])
        func statusCodes(line: String, status: Int) {
            #expect(ProbeCommand.statusCode(Array(line.utf8)) == status)
        }

        @Test(arguments: ["", "HTTP/1.1 20", "HTTP/2 200 OK\r\n", "HTTP/1.1 2x0 OK\r\n", "HTTP/1.1-200 OK\r\n", "SSH-2.0-OpenSSH_9.2\r\n"])
        func notAnHTTPAnswer(line: String) {
            #expect(ProbeCommand.statusCode(Array(line.utf8)) == nil)
        }

        /// A port that is bound but not listening refuses connections: the probe fails with
        /// exit code 1 rather than hanging until its timeout.
        @Test func aRefusedConnectionFails() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            try #require(fd >= 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
            }
            try #require(bound)
            let port = Int(UInt16(bigEndian: address.sin_port))
            let result = ProbeCommand.probe(ProbeCommand.Options(port: port, path: "/readyz", timeoutSeconds: 5))
            guard case .failure(let failure) = result else {
                Issue.record("probe of a closed port answered \(result)")
                return
            }
            #expect(failure.message.hasPrefix("connect:"), "\(failure.message)")
            #expect(ProbeCommand.run(["--port", "\(port)", "--timeout", "5"], environment: { _ in nil }) == 1)
        }
    }
}
