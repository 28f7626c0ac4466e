import Glibc
import Synchronization
import Testing

@testable import EventLoop

@Suite("Sockets on the event loop", .serialized)
struct SocketTests {
    /// Echoes each line-less chunk back.
    static func echo(_ socket: Socket) async {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            do {
                try await socket.waitForReadable(deadline: .after(.seconds(10)))
                let result = try buffer.withUnsafeMutableBytes { try socket.tryRead(into: $0) }
                switch result {
                case .bytes(let n): try await socket.write(Array(buffer[0..<n]))
                case .endOfFile: return
                case .wouldBlock: continue
                }
            } catch {
                return
            }
        }
    }

    @Test func hundredsOfConcurrentClients() async throws {
        let server = try TestServer(handler: Self.echo)
        let failures = Atomic<Int>(0)
        let port = server.port
        await Task.detached {
            BlockingClient.concurrently(300) { index in
                let fd = BlockingClient.connect(port: port)
                defer { close(fd) }
                for round in 0..<5 {
                    let message = Array("client \(index) round \(round)".utf8)
                    BlockingClient.send(fd, message)
                    if BlockingClient.receive(fd, count: message.count) != message { failures.add(1, ordering: .relaxed) }
                }
            }
        }.value
        await server.stop()
        #expect(failures.load(ordering: .relaxed) == 0)
    }

    @Test func largeResponseToASlowReader() async throws {
        // 8 MiB far exceeds the socket buffers: the writer must suspend on EPOLLOUT and
        // resume partial writes where they stopped.
        let payload = (0..<(8 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        let head = Array(payload[0..<1000])
        let body = Array(payload[1000...])
        let server = try TestServer(loops: 1) { socket in
            try? await socket.write(head, body, deadline: .after(.seconds(30)))
        }
        let port = server.port
        let received = await Task.detached { () -> [UInt8] in
            let fd = BlockingClient.connect(port: port)
            defer { close(fd) }
            var slow = 0
            return BlockingClient.receive(
                fd, count: payload.count,
                pause: {
                    slow += 1
                    if slow < 40 { usleep(5_000) }  // read slowly at first
                }, chunk: 16 * 1024)
        }.value
        await server.stop()
        #expect(received.count == payload.count)
        #expect(received == payload)
    }

    @Test func thousandConnectionsLeakNoDescriptors() async throws {
        let server = try TestServer(handler: Self.echo)
        let port = server.port
        await Task.detached {
            BlockingClient.concurrently(10) { _ in
                for _ in 0..<100 {
                    let fd = BlockingClient.connect(port: port)
                    BlockingClient.send(fd, [1, 2, 3])
                    _ = BlockingClient.receive(fd, count: 3)
                    close(fd)
                }
            }
        }.value
        // Every client closed: the server closes its side of each (none left in CLOSE_WAIT).
        var open = openServerSockets(port: port)
        let deadline = ContinuousClock.now + .seconds(10)
        while open != 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            open = openServerSockets(port: port)
        }
        await server.stop()
        #expect(open == 0, "server-side sockets still open: \(open)")
    }

    @Test func readDeadlineTimesOut() async throws {
        let outcome = Mutex<String>("")
        let server = try TestServer(loops: 1) { socket in
            var scratch = [UInt8](repeating: 0, count: 16)
            _ = try? scratch.withUnsafeMutableBytes { try socket.tryRead(into: $0) }  // nothing sent: drained
            do {
                try await socket.waitForReadable(deadline: .after(.milliseconds(50)))
                outcome.withLock { $0 = "readable" }
            } catch SocketWaitError.timedOut {
                outcome.withLock { $0 = "timed out" }
            } catch {
                outcome.withLock { $0 = "\(error)" }
            }
        }
        let port = server.port
        let eof = await Task.detached { () -> Bool in
            let fd = BlockingClient.connect(port: port)
            defer { close(fd) }
            return BlockingClient.receive(fd, count: 1).isEmpty
        }.value
        await server.stop()
        #expect(eof)
        #expect(outcome.withLock { $0 } == "timed out")
    }

    @Test func cancellationUnregistersTheWaiter() async throws {
        let outcome = Mutex<[String]>([])
        let server = try TestServer(loops: 1) { socket in
            // Waits in a cancelled task end with CancellationError and leave no waiter
            // behind: a second registered waiter on the same socket would trap.
            var scratch = [UInt8](repeating: 0, count: 16)
            let first = try? scratch.withUnsafeMutableBytes { try socket.tryRead(into: $0) }
            outcome.withLock { $0.append(first == .wouldBlock ? "drained" : "unexpected \(String(describing: first))") }
            withUnsafeCurrentTask { $0?.cancel() }
            for _ in 0..<2 {
                do {
                    try await socket.waitForReadable(deadline: .after(.seconds(5)))
                    outcome.withLock { $0.append("readable") }
                } catch {
                    outcome.withLock { $0.append(error is CancellationError ? "cancelled" : "\(error)") }
                }
            }
        }
        let port = server.port
        await Task.detached {
            let fd = BlockingClient.connect(port: port)
            _ = BlockingClient.receive(fd, count: 1)
            close(fd)
        }.value
        await server.stop()
        #expect(outcome.withLock { $0 } == ["drained", "cancelled", "cancelled"])
    }
}
