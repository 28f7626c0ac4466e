public import EventLoop
import Observability
public import Server

/// `/healthcheck` (the original API's exact shape), `/livez`, `/readyz` and `/version`.
public struct HealthEndpoints: Sendable {
    let build: BuildInfo
    let description: String
    let readiness: Readiness
    let loops: [EventLoop]
    private let healthcheckBody: [UInt8]
    private let versionBody: [UInt8]

    public init(build: BuildInfo, description: String, readiness: Readiness, loops: [EventLoop]) {
        self.build = build
        self.description = description
        self.readiness = readiness
        self.loops = loops
        // Fixed for the life of the process: encoded once, served without work.
        self.healthcheckBody = Self.encodeHealthcheck(build: build, description: description)
        self.versionBody = Self.encodeVersion(build)
    }

    /// `{"myapplication":[{"version":…,"description":…,"lastcommitsha":…}]}`
    static func encodeHealthcheck(build: BuildInfo, description: String) -> [UInt8] {
        var body = Array(#"{"myapplication":[{"#.utf8)
        JSONText.appendMember("version", build.version, to: &body)
        JSONText.appendMember("description", description, to: &body)
        JSONText.appendMember("lastcommitsha", build.commit, to: &body)
        body.append(contentsOf: "}]}".utf8)
        return body
    }

    static func encodeVersion(_ build: BuildInfo) -> [UInt8] {
        var body = Array("{".utf8)
        JSONText.appendMember("version", build.version, to: &body)
        JSONText.appendMember("commit", build.commit, to: &body)
        JSONText.appendMember("build_date", build.buildDate, to: &body)
        JSONText.appendMember("swift_version", build.swiftVersion, to: &body)
        body.append(UInt8(ascii: "}"))
        return body
    }

    /// Adds the four routes to `router`.
    public func register(in router: inout Router) {
        let healthcheck = HTTPResponse.json(.ok, healthcheckBody, headers: [("Cache-Control", "no-store")])
        router.add(.get, "/healthcheck") { _, _ in healthcheck }
        let version = HTTPResponse.json(.ok, versionBody)
        router.add(.get, "/version") { _, _ in version }
        router.add(.get, "/livez") { _, _ in self.liveness() }
        router.add(.get, "/readyz") { _, _ in self.readinessResponse() }
    }

    /// 200 while every loop turned recently; 503 naming the loops stuck for
    /// ``HealthReport/stuckLoop`` (the threshold of `/health` too).
    func liveness() -> HTTPResponse {
        let now = Deadline.now()
        let stuck = loops.filter { $0.isStuck(threshold: HealthReport.stuckLoop, at: now) }
        if stuck.isEmpty { return .text(.ok, "ok\n", headers: [("Cache-Control", "no-store")]) }
        return .text(.serviceUnavailable, "event loops not turning: \(stuck.map { String($0.index) }.joined(separator: ","))\n")
    }

    /// 200 `ready`, or 503 with the reason (starting, draining, disabled).
    func readinessResponse() -> HTTPResponse {
        if readiness.isReady { return .text(.ok, "ready\n", headers: [("Cache-Control", "no-store")]) }
        return .text(.serviceUnavailable, "not ready: \(readiness.reason)\n", headers: [("Cache-Control", "no-store"), ("Retry-After", "1")])
    }
}
