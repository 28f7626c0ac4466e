import CLinuxShim
import EventLoop
import Logging
import Observability
import Synchronization

/// What every connection of a server shares.
struct HTTPServerContext: Sendable {
    let responder: any HTTPResponder
    let configuration: HTTPServerConfiguration
    let stats: HTTPServerStats
    let logger: Logger
    /// Set the moment the server starts draining, before the loops hear of it, so a
    /// response written in between still ends its connection.
    let drainStarted: DrainFlag
}

/// A flag set once when the server begins draining; read by every response.
final class DrainFlag: Sendable {
    private let value = Atomic<Bool>(false)

    /// Sets the flag; true if this call set it.
    func set() -> Bool { !value.exchange(true, ordering: .acquiringAndReleasing) }

    var isSet: Bool { value.load(ordering: .relaxed) }
}

/// Serves one TCP connection: read, parse, route, answer, in order, until the peer
/// closes, a limit or timeout ends it, or the server drains.
///
/// It runs as a child task on its socket's event loop and never leaves it except to await
/// handlers. Loop-confined (the server's drain reaches it through its loop).
final class HTTPConnection {
    let socket: Socket
    let remote: String
    private let context: HTTPServerContext
    /// The bytes read and not yet consumed, at `start..<end`: a buffer lent by the loop's
    /// pool while a request is being read, empty between requests.
    private var storage: [UInt8] = []
    private let readBuffers: ReadBufferPool
    private var start = 0
    private var end = 0
    private var parser: HTTPRequestParser
    private var fields: [HTTPHeaderField] = []
    private var output: [UInt8] = []
    private var writer = HTTPResponseWriter()
    private var served = 0
    private var continueSent = false
    private var requestStartedAt: Deadline?
    private var bodyStartedAt: Deadline?
    /// Set by the server when it drains: finish the current request, then close.
    private(set) var draining = false

    private let loopStats: HTTPServerStats.LoopStats

    init(socket: Socket, remote: String, context: HTTPServerContext, loopStats: HTTPServerStats.LoopStats, readBuffers: ReadBufferPool) {
        self.loopStats = loopStats
        self.socket = socket
        self.remote = remote
        self.context = context
        self.readBuffers = readBuffers
        self.parser = HTTPRequestParser(limits: context.configuration.limits)
        output.reserveCapacity(1024)
        fields.reserveCapacity(16)
    }

    /// True while waiting for the first byte of a request after serving one (an idle
    /// keep-alive connection: safe to close when draining).
    var isIdle: Bool { served > 0 && isAwaitingRequest }

    /// True while waiting for the first byte of a request.
    private var isAwaitingRequest: Bool { start == end && parser.isAtMessageStart && socket.hasWaitingReader }

    /// Stops keep-alive: an idle connection closes now (after one look for a request that
    /// already arrived), a busy one after its response. A connection that has not yet
    /// received its first request is given ``HTTPServerConfiguration/drainFirstRequestWait``
    /// for it: its client connected before the drain and expects an answer.
    func beginDrain() {
        draining = true
        if isAwaitingRequest { socket.interruptReader() }
    }

    func run() async {
        defer {
            releaseBuffer()
            if !socket.isClosed { socket.close() }
        }
        await socket.withCancellationOfAllWaits { await serve() }
    }

    private func serve() async {
        do {
            while true {
                let result = storage.withUnsafeBytes { bytes in
                    parser.parse(UnsafeRawBufferPointer(rebasing: bytes[start..<end]), fields: &fields)
                }
                switch result {
                case .complete(let message):
                    let keepAlive = try await respond(to: message)
                    consume(message.length)
                    if !keepAlive {
                        try await flush()
                        await lingeringClose()
                        return
                    }
                case .failure(let error):
                    try await reject(error)
                    return
                case .needMore:
                    if let head = parser.headAwaitingBody, head.expectsContinue, !continueSent, end - start == head.headerEnd {
                        if let refusal = refusalBeforeBody(head) {
                            try await sendErrorAndClose(refusal)
                            return
                        }
                        continueSent = true
                        output.append(contentsOf: HTTPResponseWriter.continueResponse)
                    }
                    try await flush()
                    if draining && start == end && served > 0 { return }
                    guard try await readMore() else { return }
                }
            }
        } catch {
            // Peer reset, write timeout or cancellation at shutdown: nothing to answer.
            if case SocketWaitError.timedOut = error { context.stats.recordRejection(.writeTimeout) }
        }
    }

    // MARK: - Reading

    /// Reads more bytes; false at end of file, on an idle timeout, or when interrupted.
    private func readMore() async throws -> Bool {
        if !storage.isEmpty && end == storage.count {
            guard try await makeRoom() else { return false }
        }
        let idle = start == end && parser.isAtMessageStart
        var deadline: Deadline
        let timeoutReason: HTTPRejection
        if idle {
            deadline = socket.loop.now.advanced(by: draining ? context.configuration.drainFirstRequestWait : context.configuration.idleTimeout)
            timeoutReason = .idleTimeout
        } else if parser.headAwaitingBody != nil {
            let started = bodyStartedAt ?? socket.loop.now
            bodyStartedAt = started
            deadline = started.advanced(by: context.configuration.bodyTimeout)
            timeoutReason = .bodyTimeout
        } else {
            deadline = (requestStartedAt ?? socket.loop.now).advanced(by: context.configuration.headerTimeout)
            timeoutReason = .headerTimeout
        }
        while true {
            do {
                try await socket.waitForReadable(deadline: deadline)
            } catch SocketWaitError.timedOut {
                if idle && draining && served == 0 {  // its first request did not come
                    try await sendErrorAndClose(.error(.serviceUnavailable, "shutting down"))
                    return false
                }
                context.stats.recordRejection(timeoutReason)
                if idle { return false }
                context.logger.info("request timed out", metadata: ["reason": "\(timeoutReason.rawValue)", "remote": "\(remote)"])
                try await sendErrorAndClose(.error(.requestTimeout, timeoutReason == .bodyTimeout ? "body timeout" : "header timeout"))
                return false
            } catch SocketWaitError.interrupted {
                // The drain woke a connection waiting for a request. Idle after a response:
                // end it, unless a request is already here. Still waiting for its first:
                // wait on, but only briefly.
                guard draining, idle, !socket.isClosed else { return false }
                if served > 0 {
                    guard case .bytes(let count) = try readAvailable() else { return false }
                    requestStartedAt = socket.loop.now
                    end += count
                    return true
                }
                deadline = min(deadline, socket.loop.now.advanced(by: context.configuration.drainFirstRequestWait))
                continue
            }
            switch try readAvailable() {
            case .bytes(let count):
                if idle { requestStartedAt = socket.loop.now }
                end += count
                return true
            case .endOfFile:
                return false
            case .wouldBlock:
                continue
            }
        }
    }

    /// Makes room at the end of a full buffer: moves the unread bytes to its front, or
    /// doubles it, up to what the message being read may occupy
    /// (``HTTPRequestParser/messageBytesBound``) and within the server's request-buffer
    /// budget. Doubling makes a client send half of what it makes barkd hold. False when
    /// the request was answered instead (413, 431 or 503) and the connection is done.
    private func makeRoom() async throws -> Bool {
        if start > 0 {
            storage.withUnsafeMutableBytes { raw in
                raw.baseAddress!.copyMemory(from: raw.baseAddress! + start, byteCount: end - start)
            }
            end -= start
            start = 0
            return true
        }
        let bound = parser.messageBytesBound
        guard storage.count < bound else {
            try await reject(parser.headAwaitingBody == nil ? .headerSectionTooLarge : .bodyTooLarge)
            return false
        }
        let size = min(2 * storage.count, bound)
        guard context.stats.reserveRequestBuffer(Self.charge(size) - Self.charge(storage.count), budget: context.configuration.requestBufferBudget)
        else {
            context.stats.recordRejection(.requestBuffersFull)
            context.logger.warning(
                "request refused: request buffers full",
                metadata: ["remote": "\(remote)", "budget": "\(context.configuration.requestBufferBudget)"])
            try await sendErrorAndClose(.error(.serviceUnavailable, "server busy: request buffers full"))
            return false
        }
        storage.append(contentsOf: repeatElement(0, count: size - storage.count))
        return true
    }

    /// The request-buffer budget a buffer of `size` bytes takes: what it holds beyond the
    /// lent size.
    private static func charge(_ size: Int) -> Int { max(0, size - ReadBufferPool.bufferSize) }

    /// Gives the read buffer back to the loop's pool, or frees it if it grew, returning
    /// its budget.
    private func releaseBuffer() {
        context.stats.releaseRequestBuffer(Self.charge(storage.count))
        readBuffers.give(&storage)
    }

    /// Reads what the socket holds into the free end of the buffer (borrowed from the
    /// loop's pool if the connection has none), without waiting.
    private func readAvailable() throws -> Socket.ReadResult {
        if storage.isEmpty { storage = readBuffers.take() }
        return try storage.withUnsafeMutableBytes { raw in
            try socket.tryRead(into: UnsafeMutableRawBufferPointer(rebasing: raw[end...]))
        }
    }

    /// What the application's body-limit hook answers, before the body of `head` is
    /// invited, for a request it will refuse anyway (``HTTPBodyLimit/refusalBeforeBody``).
    /// The parser already held the body to the route's limit; this is the other half of
    /// "only invite what will be read".
    private func refusalBeforeBody(_ head: HTTPRequestHead) -> HTTPResponse? {
        guard let bodyLimit = context.configuration.limits.bodyLimit else { return nil }
        return storage.withUnsafeBytes { bytes in
            let message = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            return bodyLimit.refusalBeforeBody(method: head.method, target: UnsafeRawBufferPointer(rebasing: message[head.target])) { name in
                HTTPRequestParser.fieldValue(named: name, in: message, fields: fields)
            }
        }
    }

    /// Drops an answered message from the buffer. An empty buffer goes back to the pool;
    /// a grown one holding only a little of the next request gives it to a lent buffer,
    /// so a keep-alive connection does not keep a large request's memory.
    private func consume(_ length: Int) {
        start += length
        if start == end {
            start = 0
            end = 0
            releaseBuffer()
            requestStartedAt = nil
        } else {
            if storage.count > ReadBufferPool.bufferSize && end - start <= ReadBufferPool.bufferSize {
                var lent = readBuffers.take()
                lent.withUnsafeMutableBytes { target in
                    storage.withUnsafeBytes { source in target.baseAddress!.copyMemory(from: source.baseAddress! + start, byteCount: end - start) }
                }
                end -= start
                start = 0
                releaseBuffer()
                storage = lent
            }
            requestStartedAt = socket.loop.now  // a pipelined request is already arriving
        }
        bodyStartedAt = nil
        continueSent = false
    }

    // MARK: - Answering

    /// Answers one request through the responder; returns whether the connection stays
    /// open. Throws when the response cannot be written (peer gone, write timeout).
    private func respond(to message: HTTPParsedMessage) async throws -> Bool {
        served += 1
        loopStats.activeRequests.add(1, ordering: .relaxed)
        defer { loopStats.activeRequests.subtract(1, ordering: .relaxed) }
        let head = message.head
        let target = storage.withUnsafeBytes { bytes in
            String(decoding: bytes[(start + head.target.lowerBound)..<(start + head.target.upperBound)], as: UTF8.self)
        }
        var requestContext = RequestContext(remote: remote, loopIndex: socket.loop.index, logger: context.logger, stats: context.stats)
        var response = await handle(message, target: target, context: &requestContext)
        if response.hasUntrustedHeaders && !response.hasValidHeaderValues { response = refuseHeaders(of: response, context: requestContext) }
        var keepAlive = head.keepAlive && served < context.configuration.maxRequestsPerConnection && !context.drainStarted.isSet
        // A 400 means the client is confused about what it sends: do not read on.
        if response.status.code == 400 { keepAlive = false }
        let connectionHeader: HTTPResponseWriter.ConnectionHeader =
            !keepAlive ? .close : (head.version == .http1_0 ? .keepAlive : .none)
        let bodyLength = response.status.allowsBody ? response.body.count : 0
        let requestID = requestContext.requestID.isEmpty ? nil : requestContext.requestID
        writer.appendHead(of: response, contentLength: bodyLength, connection: connectionHeader, requestID: requestID, to: &output)
        var pendingBody: [UInt8] = []
        if head.method != .head && bodyLength > 0 {
            if bodyLength <= HTTPResponseWriter.inlineBodyLimit {
                output.append(contentsOf: response.body)
            } else {
                swap(&pendingBody, &response.body)
            }
        }
        if !pendingBody.isEmpty { try await flush(body: pendingBody) }
        return keepAlive
    }

    /// Runs the responder. The request shares `storage`; it is gone when this returns, so
    /// the next read needs no copy. Errors are answered here: an ``HTTPResponseError``
    /// with its own response, anything else with a logged 500.
    private func handle(_ message: HTTPParsedMessage, target: String, context requestContext: inout RequestContext) async -> HTTPResponse {
        let request = HTTPRequest(storage: storage, base: start, message: message, fields: fields, target: target)
        do {
            return try await context.responder.respond(to: request, context: &requestContext)
        } catch {
            return .answering(error, context: requestContext)
        }
    }

    /// The 500 that replaces a response whose header values would inject fields; logged
    /// (names only: the values are what cannot be trusted) and counted.
    private func refuseHeaders(of response: HTTPResponse, context requestContext: RequestContext) -> HTTPResponse {
        context.stats.recordRejection(.invalidResponseHeader)
        let names = response.headers.filter { !HTTPResponse.isValidFieldValue($0.value) }.map(\.name).joined(separator: ",")
        requestContext.logger.error(
            "response refused: a header value holds a control character",
            metadata: ["route": "\(requestContext.route)", "headers": "\(names)", "status": "\(response.status.code)"])
        return .error(.internalServerError, "internal error")
    }

    /// Answers a request the parser refused, then closes: its framing cannot be trusted.
    private func reject(_ error: HTTPParseError) async throws {
        context.stats.recordRejection(HTTPRejection(error))
        context.logger.info(
            "request rejected",
            metadata: [
                "reason": "\(error.reason)", "status": "\(error.status.code)", "remote": "\(remote)",
            ])
        try await sendErrorAndClose(.error(error.status, error.reason, field: error == .bodyTooLarge ? "body" : nil))
    }

    private func sendErrorAndClose(_ response: HTTPResponse) async throws {
        writer.appendHead(of: response, contentLength: response.body.count, connection: .close, requestID: RequestID.generate(), to: &output)
        output.append(contentsOf: response.body)
        try await flush()
        await lingeringClose()
    }

    // MARK: - Writing

    /// Writes the output buffer (and `body`) within the write timeout. The buffer is
    /// emptied whether or not the write succeeds: after a failed write the connection
    /// ends, and no later flush may send a head that was already (partly) sent.
    private func flush(body: [UInt8] = []) async throws {
        guard !output.isEmpty || !body.isEmpty else { return }
        defer { output.removeAll(keepingCapacity: true) }
        try await socket.write(output, body, deadline: socket.loop.now.advanced(by: context.configuration.writeTimeout))
    }

    /// Closes after a final response without resetting the peer: stop sending, then read
    /// and discard what the client still sends (briefly), so our answer is not lost to
    /// an RST triggered by unread data.
    private func lingeringClose() async {
        socket.shutdownWrite()
        let deadline = socket.loop.now.advanced(by: .seconds(2))
        var discarded = 0
        start = 0
        end = 0
        if storage.isEmpty { storage = readBuffers.take() }
        while discarded < 1 << 20 {
            do {
                try await socket.waitForReadable(deadline: deadline)
                let result = try storage.withUnsafeMutableBytes { raw in try socket.tryRead(into: raw) }
                switch result {
                case .bytes(let count): discarded += count
                case .endOfFile: return
                case .wouldBlock: continue
                }
            } catch {
                return
            }
        }
    }
}
