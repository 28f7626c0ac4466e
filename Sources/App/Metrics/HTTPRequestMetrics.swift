public import Prometheus
import Server

/// `http_server_request_duration_seconds`, the OpenTelemetry HTTP server histogram, with
/// `http_request_method`, `http_route` and `http_response_status_code`.
///
/// Each event loop finds its histograms in a table of its own (``LoopRecorder``), so the
/// hot path takes no shared lock to look one up; recording takes the histogram's own
/// short lock. Cardinality is bounded: methods outside the standard set are `_OTHER`,
/// routes are the router's templates (`_unmatched`, `_invalid` and `*` for the rest), and
/// statuses are those barkd answers.
public final class HTTPRequestMetrics: Sendable {
    static let name = "http_server_request_duration_seconds"
    static let help = "Duration of HTTP server requests, from the parsed request to the response handed to the socket."
    /// The OpenTelemetry semantic conventions' recommended buckets, in seconds.
    static let buckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(75),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .milliseconds(750),
        .seconds(1), .milliseconds(2500), .seconds(5), .milliseconds(7500), .seconds(10),
    ]

    private let recorders: [LoopRecorder]

    public init(registry: PrometheusCollectorRegistry, loopCount: Int) {
        recorders = (0..<max(1, loopCount)).map { _ in LoopRecorder(registry: registry) }
    }

    /// The recorder of the loop with `index`; use it only on that loop's thread.
    func recorder(forLoop index: Int) -> LoopRecorder {
        recorders[index % recorders.count]
    }

    /// The method label: the standard methods by name, anything else `_OTHER`.
    static func methodLabel(_ method: HTTPMethod) -> String {
        if case .other = method { return "_OTHER" }
        return method.description
    }

    /// One loop's histograms by label set.
    ///
    /// `@unchecked Sendable`: `histograms` is read and written only on its loop's thread
    /// (connections record after answering, on the loop that runs them); the histograms
    /// themselves are thread-safe and shared with other loops through the registry.
    final class LoopRecorder: @unchecked Sendable {
        private struct Key: Hashable {
            var method: String
            var route: String
            var status: Int
        }

        private let registry: PrometheusCollectorRegistry
        private var histograms: [Key: DurationHistogram] = [:]
        /// The label sets seen most recently, searched before the dictionary: a few routes
        /// carry most traffic, and comparing the same strings is cheaper than hashing them.
        private var recent: [(key: Key, histogram: DurationHistogram)] = []
        static let recentCapacity = 8

        init(registry: PrometheusCollectorRegistry) {
            self.registry = registry
        }

        func record(method: HTTPMethod, route: String, status: Int, nanoseconds: UInt64) {
            let key = Key(method: HTTPRequestMetrics.methodLabel(method), route: route, status: status)
            for entry in recent where entry.key == key {
                entry.histogram.record(.nanoseconds(Int64(clamping: nanoseconds)))
                return
            }
            let histogram: DurationHistogram
            if let known = histograms[key] {
                histogram = known
            } else {
                histogram = registry.makeDurationHistogram(
                    descriptor: .named(HTTPRequestMetrics.name, help: HTTPRequestMetrics.help),
                    labels: [("http_request_method", key.method), ("http_route", key.route), ("http_response_status_code", String(status))],
                    buckets: HTTPRequestMetrics.buckets
                )
                histograms[key] = histogram
            }
            if recent.count == Self.recentCapacity { recent.removeFirst() }
            recent.append((key, histogram))
            histogram.record(.nanoseconds(Int64(clamping: nanoseconds)))
        }
    }
}
