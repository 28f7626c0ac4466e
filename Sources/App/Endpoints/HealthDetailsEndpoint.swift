public import EventLoop
public import Server

/// `GET /health`: the health-check format (`application/health+json`) with the
/// database round trip, each event loop's lag and the visitor counter's backlog; 200
/// for `pass` and `warn`, 503 for `fail`.
public struct HealthDetailsEndpoint: Sendable {
    static let contentType = "application/health+json"
    let build: BuildInfo
    let description: String
    let readiness: Readiness
    let reporter: HealthReporter
    let counter: VisitorCounter
    let loops: [EventLoop]

    public init(build: BuildInfo, description: String, readiness: Readiness, reporter: HealthReporter, counter: VisitorCounter, loops: [EventLoop]) {
        self.build = build
        self.description = description
        self.readiness = readiness
        self.reporter = reporter
        self.counter = counter
        self.loops = loops
    }

    public func register(in router: inout Router) {
        router.add(.get, "/health") { _, _ in await self.response() }
    }

    func readings() async -> HealthReport.Readings {
        let now = Deadline.now()
        let loopReadings = loops.map { (lag: $0.lag, sinceLastTurn: $0.timeSinceLastTurn(at: now)) }
        return HealthReport.Readings(
            readiness: readiness.state,
            databaseRoundTrip: await reporter.lastRoundTrip,
            databaseError: await reporter.lastError,
            loops: loopReadings,
            counterBacklog: await counter.unflushed
        )
    }

    func response() async -> HTTPResponse {
        let report = HealthReport(await readings())
        return HTTPResponse(
            status: report.status == .fail ? .serviceUnavailable : .ok, contentType: Self.contentType,
            headers: [("Cache-Control", "no-store")], body: report.encode(build: build, description: description)
        )
    }
}
