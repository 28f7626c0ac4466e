import Foundation
import Server
import Testing

@testable import App

@Suite("Health report (/health)")
struct HealthReportTests {
    func readings(
        readiness: Readiness.State = .ready, roundTrip: Duration? = .milliseconds(2), error: String? = nil,
        loops: [(lag: Duration, sinceLastTurn: Duration)] = [(.milliseconds(1), .milliseconds(100))], backlog: Int64 = 0
    ) -> HealthReport.Readings {
        HealthReport.Readings(readiness: readiness, databaseRoundTrip: roundTrip, databaseError: error, loops: loops, counterBacklog: backlog)
    }

    @Test func healthyIsPass() {
        #expect(HealthReport(readings()).status == .pass)
    }

    @Test func aDatabaseOutageWarnsWhileThisInstanceIsReady() {
        let report = HealthReport(readings(readiness: .ready, roundTrip: nil, error: "database unavailable", backlog: 3))
        #expect(report.status == .warn)
        #expect(report.checks.first { $0.key == "database:responseTime" }?.status == .warn)
        #expect(report.checks.first { $0.key == "database:responseTime" }?.output == "database unavailable")
        #expect(report.checks.first { $0.key == "visitorCounter:backlog" }?.status == .warn)
        #expect(HealthReport(readings(readiness: .failing("visitor counter: backlog"), roundTrip: nil, error: "x")).status == .fail)
    }

    @Test func slowThingsWarnStuckLoopsFail() {
        #expect(HealthReport(readings(roundTrip: .seconds(2))).status == .warn)
        #expect(HealthReport(readings(loops: [(.milliseconds(150), .milliseconds(100))])).status == .warn)
        #expect(HealthReport(readings(loops: [(.milliseconds(1), .seconds(6))])).status == .fail)
        #expect(HealthReport(readings(backlog: 100_001)).status == .warn)
        #expect(HealthReport(readings(roundTrip: nil)).status == .warn, "never pinged yet")
    }

    @Test func readinessStates() {
        #expect(HealthReport(readings(readiness: .disabled)).status == .warn)
        #expect(HealthReport(readings(readiness: .draining)).status == .warn)
        #expect(HealthReport(readings(readiness: .starting("migrating"))).status == .fail)
    }

    @Test func encodesTheDraftFormat() throws {
        let build = BuildInfo(version: "1.2.3", commit: "abc", buildDate: "d", swiftVersion: "6")
        let report = HealthReport(readings(loops: [(.microseconds(1500), .zero), (.zero, .zero)], backlog: 7))
        let body = report.encode(build: build, description: "dogs \"quoted\"")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(json["status"] as? String == "pass")
        #expect(json["version"] as? String == "1.2.3")
        #expect(json["releaseId"] as? String == "abc")
        #expect(json["description"] as? String == "dogs \"quoted\"")
        let checks = try #require(json["checks"] as? [String: [[String: Any]]])
        #expect(Set(checks.keys) == ["barkd:readiness", "database:responseTime", "eventLoops:lag", "visitorCounter:backlog"])
        #expect(checks["eventLoops:lag"]?.count == 2)
        #expect(checks["eventLoops:lag"]?.first?["observedValue"] as? Double == 1.5)
        #expect(checks["eventLoops:lag"]?.first?["componentId"] as? String == "loop-0")
        #expect(checks["visitorCounter:backlog"]?.first?["observedValue"] as? Int == 7)
    }

    @Test func numbersHaveAtMostThreeDecimals() {
        #expect(HealthReport.number(2) == "2")
        #expect(HealthReport.number(1.23456) == "1.235")
        #expect(HealthReport.number(.infinity) == "0")
    }
}
