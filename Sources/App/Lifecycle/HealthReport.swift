import Observability
import Server

/// The `/health` answer in the IETF health-check format (draft-inadarei-api-health-check):
/// one status per check and an overall status, the worst of them. A plain value built
/// from readings, so its rules are tested without I/O.
public struct HealthReport: Sendable, Equatable {
    public enum Status: Int, Sendable, Comparable {
        case pass, warn, fail

        public static func < (lhs: Status, rhs: Status) -> Bool { lhs.rawValue < rhs.rawValue }

        var text: String {
            switch self {
            case .pass: "pass"
            case .warn: "warn"
            case .fail: "fail"
            }
        }
    }

    /// One entry of `checks` (the format's keys: `componentId`, `componentType`, …).
    public struct Check: Sendable, Equatable {
        public var key: String
        public var componentID: String?
        public var componentType: String
        public var observedValue: Double?
        public var observedUnit: String?
        public var status: Status
        public var output: String?
    }

    /// What the report is built from.
    public struct Readings: Sendable {
        public var readiness: Readiness.State
        /// The last successful database ping, if the last ping succeeded.
        public var databaseRoundTrip: Duration?
        /// The last ping's failure, as anyone may see it (no driver text), if it failed.
        public var databaseError: String?
        /// Per loop: how late its heartbeat timer fired, and how long since it last turned.
        public var loops: [(lag: Duration, sinceLastTurn: Duration)]
        /// Views counted and not yet written.
        public var counterBacklog: Int64
    }

    /// A loop whose heartbeat is this late is slow (warn); one that has not turned for
    /// `stuckLoop` is stuck (fail here, 503 from `/livez`).
    static let slowLoopLag = Duration.milliseconds(100)
    static let stuckLoop = Duration.seconds(5)
    static let slowDatabase = Duration.seconds(1)
    static let largeBacklog: Int64 = 100_000

    public var checks: [Check]

    /// The worst status of all checks.
    public var status: Status { checks.map(\.status).max() ?? .pass }

    public init(_ readings: Readings) {
        var checks: [Check] = []
        let readinessStatus: Status
        var readinessOutput: String?
        switch readings.readiness {
        case .ready: readinessStatus = .pass
        case .disabled: readinessStatus = .warn; readinessOutput = "disabled by operator"
        case .draining: readinessStatus = .warn; readinessOutput = "draining: shutting down"
        case .starting(let step): readinessStatus = .fail; readinessOutput = "starting: \(step)"
        case .failing(let reason): readinessStatus = .fail; readinessOutput = reason
        }
        checks.append(Check(key: "barkd:readiness", componentType: "component", status: readinessStatus, output: readinessOutput))

        if let error = readings.databaseError {
            // warn, not fail: the instance keeps serving from its catalog and keeps views
            // pending; a shared database is not this instance's failure.
            checks.append(Check(key: "database:responseTime", componentType: "datastore", status: .warn, output: error))
        } else if let roundTrip = readings.databaseRoundTrip {
            checks.append(
                Check(
                    key: "database:responseTime", componentType: "datastore", observedValue: roundTrip.milliseconds,
                    observedUnit: "ms", status: roundTrip > Self.slowDatabase ? .warn : .pass
                ))
        } else {
            checks.append(Check(key: "database:responseTime", componentType: "datastore", status: .warn, output: "not checked yet"))
        }

        for (index, loop) in readings.loops.enumerated() {
            let status: Status = loop.sinceLastTurn > Self.stuckLoop ? .fail : (loop.lag > Self.slowLoopLag ? .warn : .pass)
            checks.append(
                Check(
                    key: "eventLoops:lag", componentID: "loop-\(index)", componentType: "system",
                    observedValue: loop.lag.milliseconds, observedUnit: "ms", status: status,
                    output: status == .fail ? "not turned for \(loop.sinceLastTurn)" : nil
                ))
        }

        let backlogStatus: Status
        var backlogOutput: String?
        if readings.counterBacklog > 0 && readings.databaseError != nil {
            backlogStatus = .warn
            backlogOutput = "views kept in memory until the database answers"
        } else if readings.counterBacklog > Self.largeBacklog {
            backlogStatus = .warn
            backlogOutput = "more than \(Self.largeBacklog) views not written"
        } else {
            backlogStatus = .pass
        }
        checks.append(
            Check(
                key: "visitorCounter:backlog", componentType: "component", observedValue: Double(readings.counterBacklog),
                observedUnit: "views", status: backlogStatus, output: backlogOutput
            ))
        self.checks = checks
    }

    /// The JSON body; `checks` groups entries by key, in order of first appearance.
    public func encode(build: BuildInfo, description: String) -> [UInt8] {
        var body = Array("{".utf8)
        JSONText.appendMember("status", status.text, to: &body)
        JSONText.appendMember("version", build.version, to: &body)
        JSONText.appendMember("releaseId", build.commit, to: &body)
        JSONText.appendMember("serviceId", "barkd", to: &body)
        JSONText.appendMember("description", description, to: &body)
        JSONText.appendKey("checks", to: &body)
        body.append(UInt8(ascii: "{"))
        var keys: [String] = []
        for check in checks where !keys.contains(check.key) { keys.append(check.key) }
        for (position, key) in keys.enumerated() {
            if position > 0 { body.append(UInt8(ascii: ",")) }
            JSONText.appendQuoted(key, to: &body)
            body.append(contentsOf: ":[".utf8)
            for (entry, check) in checks.filter({ $0.key == key }).enumerated() {
                if entry > 0 { body.append(UInt8(ascii: ",")) }
                body.append(UInt8(ascii: "{"))
                if let id = check.componentID { JSONText.appendMember("componentId", id, to: &body) }
                JSONText.appendMember("componentType", check.componentType, to: &body)
                if let value = check.observedValue {
                    JSONText.appendKey("observedValue", to: &body)
                    body.append(contentsOf: Self.number(value).utf8)
                }
                if let unit = check.observedUnit { JSONText.appendMember("observedUnit", unit, to: &body) }
                JSONText.appendMember("status", check.status.text, to: &body)
                if let output = check.output { JSONText.appendMember("output", output, to: &body) }
                body.append(UInt8(ascii: "}"))
            }
            body.append(UInt8(ascii: "]"))
        }
        body.append(contentsOf: "}}".utf8)
        return body
    }

    /// A finite JSON number with at most three decimals (0 for what is not finite or too large for an `Int`).
    static func number(_ value: Double) -> String {
        guard value.isFinite, let thousandths = Int(exactly: (value * 1000).rounded()) else { return "0" }
        var bytes: [UInt8] = []
        DecimalText.append(thousandths: thousandths, trimmingZeros: true, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension Duration {
    /// The duration in (fractional) milliseconds.
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
