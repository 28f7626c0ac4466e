public import Server

/// barkd's middleware around its router, outermost first: the request id (so what
/// follows can name it), the access log, the request metrics, then the routes.
public enum AppResponder {
    /// The chain for `router`; `metrics` nil records nothing (`--metrics off`).
    public static func make(
        router: Router, accessLog: AccessLog, metrics: HTTPRequestMetrics?, loopCount: Int
    ) -> some HTTPResponder {
        RequestIDMiddleware().wrapping(
            AccessLogMiddleware(log: accessLog, loopCount: loopCount).wrapping(
                RequestMetricsMiddleware(metrics: metrics).wrapping(router)))
    }
}
