import Observability
import Prometheus
import Server
import Testing

@testable import App

@Suite("Metrics")
struct MetricsTests {
    @Test func parsesProcStatIncludingACommandWithSpacesAndParentheses() throws {
        // Fields 14/15 utime/stime = 250/50 ticks, 20 threads = 7, 22 start = 1000 ticks,
        // 23 vsize, 24 rss pages.
        let line = "4242 (bark d) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 7 0 1000 123456789 300 18446744073709551615"
        let stats = try #require(ProcessStats.parse(stat: line, bootTime: 1_700_000_000, ticksPerSecond: 100, pageSize: 4096))
        #expect(stats.cpuSeconds == 3.0)
        #expect(stats.threads == 7)
        #expect(stats.startTimeSeconds == 1_700_000_010)
        #expect(stats.virtualBytes == 123_456_789)
        #expect(stats.residentBytes == 300 * 4096)
        #expect(ProcessStats.parse(stat: "garbage", bootTime: 0, ticksPerSecond: 100, pageSize: 4096) == nil)
        #expect(ProcessStats.parseBootTime(procStat: "cpu 1 2 3\nbtime 1700000000\nprocesses 5\n") == 1_700_000_000)
    }

    @Test func readsThisProcess() throws {
        let stats = try #require(ProcessStats.read())
        #expect(stats.openFDs > 0 && stats.maxFDs >= stats.openFDs)
        #expect(stats.residentBytes > 0 && stats.threads >= 1)
    }

    @Test func methodLabelsAreBounded() {
        #expect(HTTPRequestMetrics.methodLabel(.get) == "GET")
        #expect(HTTPRequestMetrics.methodLabel(.other("BREW")) == "_OTHER")
    }

    @Test func manyLabelSetsStayExactBeyondTheRecentCache() {
        let registry = PrometheusCollectorRegistry()
        let recorder = HTTPRequestMetrics(registry: registry, loopCount: 1).recorder(forLoop: 0)
        let routes = (0..<20).map { "/route/\($0)" }
        for round in 1...3 {
            for (index, route) in routes.enumerated() where index < 10 || round == 1 {
                recorder.record(method: .get, route: route, status: 200, nanoseconds: 1_000)
            }
        }
        let text = registry.emitToString()
        for (index, route) in routes.enumerated() {
            let expected = index < 10 ? 3 : 1
            let labels = #"http_request_method="GET",http_route="\#(route)",http_response_status_code="200""#
            #expect(text.contains("http_server_request_duration_seconds_count{\(labels)} \(expected)"))
        }
    }

    @Test func recordsOneSeriesPerLabelSetAcrossLoops() {
        let registry = PrometheusCollectorRegistry()
        let metrics = HTTPRequestMetrics(registry: registry, loopCount: 2)
        metrics.recorder(forLoop: 0).record(method: .get, route: "/", status: 200, nanoseconds: 3_000_000)
        metrics.recorder(forLoop: 1).record(method: .get, route: "/", status: 200, nanoseconds: 30_000_000)
        metrics.recorder(forLoop: 1).record(method: .other("X"), route: "_unmatched", status: 405, nanoseconds: 1)
        let text = registry.emitToString()
        #expect(text.contains(#"http_server_request_duration_seconds_count{http_request_method="GET",http_route="/",http_response_status_code="200"} 2"#))
        #expect(
            text.contains(
                #"http_server_request_duration_seconds_bucket{http_request_method="GET",http_route="/",http_response_status_code="200",le="0.005"} 1"#))
        #expect(
            text.contains(
                #"http_server_request_duration_seconds_count{http_request_method="_OTHER",http_route="_unmatched",http_response_status_code="405"} 1"#))
    }
}
