import Glibc
import Synchronization

@testable import EventLoop

/// Blocking client helpers for tests: they run on their own OS threads, never on a loop.
enum BlockingClient {
    static func connect(port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(fd >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        precondition(rc == 0, "connect failed: \(errno)")
        return fd
    }

    static func send(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            precondition(count > 0, "send failed: \(errno)")
            offset += count
        }
    }

    /// Reads exactly `count` bytes (fewer only at end of file or timeout).
    static func receive(_ fd: Int32, count: Int, pause: (() -> Void)? = nil, chunk: Int = 65536) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: chunk)
        while result.count < count {
            let n = Glibc.recv(fd, &buffer, min(chunk, count - result.count), 0)
            if n <= 0 { break }
            result += buffer[0..<n]
            pause?()
        }
        return result
    }

    /// Runs `body(i)` for i in 0..<count on `count` OS threads and waits for all.
    static func concurrently(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let threads = (0..<count).map { index in OSThread.start(name: "test-client") { body(index) } }
        for thread in threads { OSThread.join(thread) }
    }
}

/// The server-side TCP sockets of `port` that are still open (established, or closed by
/// the peer and waiting for this process to close them: CLOSE_WAIT), from /proc/net/tcp.
/// Unlike a count of this process's descriptors, other tests running at the same time
/// cannot change it: a descriptor the server leaked stays here in CLOSE_WAIT.
func openServerSockets(port: Int) -> Int {
    guard let file = fopen("/proc/net/tcp", "r") else { return -1 }
    defer { fclose(file) }
    let localPort = ":" + String(port, radix: 16, uppercase: true)
    var count = 0
    var line: UnsafeMutablePointer<CChar>?
    var capacity = 0
    defer { free(line) }
    while getline(&line, &capacity, file) > 0, let line {
        // "sl local_address rem_address st ...": local like 0100007F:1F90, st 01 or 08.
        let fields = String(cString: line).split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count > 3, fields[1].hasSuffix(localPort) else { continue }
        if fields[3] == "01" || fields[3] == "08" { count += 1 }
    }
    return count
}

/// A listener on 127.0.0.1 with an ephemeral port, served by `handler` on each loop.
final class TestServer: Sendable {
    let group: EventLoopGroup
    let listener: ListeningSocket
    let port: Int
    private let task: Mutex<Task<Void, Never>?> = Mutex(nil)

    init(loops: Int = 2, handler: @escaping @Sendable (Socket) async -> Void) throws {
        group = try EventLoopGroup(loopCount: loops)
        let address = try SocketAddress.resolve(host: "127.0.0.1", port: 0)[0]
        listener = try ListeningSocket(bindingTo: address, backlog: 1024, reusePort: false)
        port = listener.localAddress!.port
        let group = group
        let listener = listener
        let task = Task {
            await withDiscardingTaskGroup { acceptLoops in
                for loop in group.loops {
                    acceptLoops.addTask(executorPreference: loop) {
                        guard let acceptor = try? Acceptor(listener: listener, on: loop, shared: true) else { return }
                        await withDiscardingTaskGroup { connections in
                            while let accepted = try? await acceptor.accept() {
                                connections.addTask(executorPreference: loop) {
                                    guard let socket = try? Socket(adopting: accepted.fd, on: loop) else { return }
                                    await handler(socket)
                                    socket.close()
                                }
                            }
                        }
                    }
                }
            }
        }
        self.task.withLock { $0 = task }
    }

    func stop() async {
        let task = self.task.withLock { $0 }
        task?.cancel()
        await task?.value
        listener.close()
        group.shutdown()
    }
}
