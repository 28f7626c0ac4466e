public import Server

/// `GET /metrics`: the Prometheus text exposition (version 0.0.4) of every barkd metric.
public struct MetricsEndpoint: Sendable {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"
    let collector: MetricsCollector

    public init(collector: MetricsCollector) {
        self.collector = collector
    }

    public func register(in router: inout Router) {
        router.add(.get, "/metrics") { _, _ in
            HTTPResponse(
                status: .ok, contentType: Self.contentType, headers: [("Cache-Control", "no-store")],
                body: await self.collector.scrape()
            )
        }
    }
}
