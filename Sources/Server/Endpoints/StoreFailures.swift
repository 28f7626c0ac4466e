import Persistence

/// How a store failure is answered: 503 with `Retry-After` when the database is busy or
/// down (the request may succeed shortly), 500 otherwise.
enum StoreFailures {
    static func response(for error: any Error) -> HTTPResponse {
        switch error as? StoreError {
        case .busy?:
            .error(.serviceUnavailable, "database busy", headers: [("Retry-After", "1")])
        case .unavailable?:
            .error(.serviceUnavailable, "database unavailable", headers: [("Retry-After", "5")])
        default:
            .error(.internalServerError, "internal error")
        }
    }
}
