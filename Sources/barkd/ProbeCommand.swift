import CLinuxShim
import Glibc
import Server

/// `barkd probe [--port N] [--path /readyz] [--timeout 2]`: asks the barkd on
/// 127.0.0.1:PORT for `/readyz` over a plain socket and exits 0 on 200, 1 otherwise
/// (with one line on stderr), 2 for bad arguments. It is the container `HEALTHCHECK`,
/// so images need no curl. The port comes from `--port`, else `BARKD_PORT`, else `PORT`
/// (as for the server itself), else the server's default port (5000).
enum ProbeCommand {
    struct Options: Equatable {
        var port = BarkdCommand.serverDefaults.port
        var path = "/readyz"
        var timeoutSeconds = 2.0
    }

    static let usage = "usage: barkd probe [--port N] [--path /readyz] [--timeout SECONDS]"

    /// Runs the probe; returns the process exit code.
    static func run(_ arguments: [String], environment: (String) -> String? = EnvironmentDefaults.processEnvironment) -> Int32 {
        let options: Options
        switch parse(arguments, environment: environment) {
        case .success(let parsed): options = parsed
        case .failure(let error):
            StandardError.line("barkd probe: \(error.message)")
            return 2
        }
        let target = "127.0.0.1:\(options.port)\(options.path)"
        switch probe(options) {
        case .success(let status) where status == 200:
            return 0
        case .success(let status):
            StandardError.line("barkd probe: \(target) answered \(status)")
            return 1
        case .failure(let error):
            StandardError.line("barkd probe: \(target): \(error.message)")
            return 1
        }
    }

    struct Failure: Error, Equatable {
        var message: String
    }

    static func parse(_ arguments: [String], environment: (String) -> String?) -> Result<Options, Failure> {
        var options = Options()
        var portText = environment("BARKD_PORT") ?? environment("PORT")
        var index = 0
        func value(_ name: String, _ argument: String) -> String? {
            if argument.hasPrefix(name + "=") { return String(argument.dropFirst(name.count + 1)) }
            index += 1
            return index < arguments.count ? arguments[index] : nil
        }
        while index < arguments.count {
            let argument = arguments[index]
            let name = String(argument.split(separator: "=", maxSplits: 1).first ?? "")
            switch name {
            case "--port":
                guard let text = value(name, argument) else { return .failure(Failure(message: "--port needs a value")) }
                portText = text
            case "--path":
                guard let text = value(name, argument), text.hasPrefix("/"), !text.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7F }) else {
                    return .failure(Failure(message: "--path needs an absolute path without spaces"))
                }
                options.path = text
            case "--timeout":
                guard let text = value(name, argument), let seconds = Double(text), seconds > 0, seconds <= 60 else {
                    return .failure(Failure(message: "--timeout needs seconds between 0 and 60"))
                }
                options.timeoutSeconds = seconds
            case "-h", "--help":
                return .failure(Failure(message: usage))
            default:
                return .failure(Failure(message: "unknown argument '\(argument)'; \(usage)"))
            }
            index += 1
        }
        if let portText {
            guard let port = Int(portText), (1...65535).contains(port) else {
                return .failure(Failure(message: "port must be 1-65535, got '\(portText)'"))
            }
            options.port = port
        }
        return .success(options)
    }

    /// Connects, sends one `GET`, and returns the response's status code.
    static func probe(_ options: Options) -> Result<Int, Failure> {
        let deadline = barkd_monotonic_ns() + UInt64(options.timeoutSeconds * 1e9)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(Failure(message: "socket: \(errorText(errno))")) }
        defer { close(fd) }

        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(options.port).bigEndian
        address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if connected != 0 {
            guard errno == EINPROGRESS else { return .failure(Failure(message: "connect: \(errorText(errno))")) }
            guard wait(fd, for: Int16(POLLOUT), until: deadline) else { return .failure(Failure(message: "connect timed out")) }
            var socketError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
            guard socketError == 0 else { return .failure(Failure(message: "connect: \(errorText(socketError))")) }
        }

        let request = Array("GET \(options.path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: barkd-probe\r\nConnection: close\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            let count = request[sent...].withUnsafeBytes { barkd_send(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                sent += count
            } else if count < 0 && (errno == EAGAIN || errno == EINTR) {
                guard wait(fd, for: Int16(POLLOUT), until: deadline) else { return .failure(Failure(message: "send timed out")) }
            } else {
                return .failure(Failure(message: "send: \(errorText(errno))"))
            }
        }

        // The status line is all the probe needs: read until its end.
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1024)
        while !received.contains(0x0A) {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                received += chunk[0..<count]
                guard received.count <= 8192 else { break }
            } else if count == 0 {
                break
            } else if errno == EAGAIN || errno == EINTR {
                guard wait(fd, for: Int16(POLLIN), until: deadline) else { return .failure(Failure(message: "no answer within \(options.timeoutSeconds) s")) }
            } else {
                return .failure(Failure(message: "read: \(errorText(errno))"))
            }
        }
        guard let status = statusCode(received) else {
            return .failure(Failure(message: received.isEmpty ? "connection closed without an answer" : "not an HTTP/1.x answer"))
        }
        return .success(status)
    }

    /// The status code of `HTTP/1.x NNN ...`, or nil.
    static func statusCode(_ bytes: [UInt8]) -> Int? {
        let prefix = Array("HTTP/1.".utf8)
        guard bytes.count >= 12, Array(bytes[0..<7]) == prefix, bytes[8] == 0x20 else { return nil }
        var status = 0
        for byte in bytes[9..<12] {
            guard (0x30...0x39).contains(byte) else { return nil }
            status = status * 10 + Int(byte - 0x30)
        }
        return status
    }

    /// Polls `fd` for `events` until `deadline` (monotonic ns); false on timeout.
    private static func wait(_ fd: Int32, for events: Int16, until deadline: UInt64) -> Bool {
        while true {
            let now = barkd_monotonic_ns()
            guard now < deadline else { return false }
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let milliseconds = Int32(min((deadline - now) / 1_000_000 + 1, 60_000))
            let ready = poll(&descriptor, 1, milliseconds)
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { return false }
        }
    }

    private static func errorText(_ code: Int32) -> String {
        strerror(code).map { String(cString: $0) } ?? "error \(code)"
    }
}
