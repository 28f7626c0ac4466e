public import Persistence
public import Server

/// A store failure answers for itself: 503 with `Retry-After` when the database is busy
/// or down (the request may succeed shortly), 500 otherwise — so handlers let store
/// errors propagate instead of catching each.
extension StoreError: HTTPResponseError {
    public var response: HTTPResponse {
        switch self {
        case .busy: .error(.serviceUnavailable, "database busy", headers: [("Retry-After", "1")])
        case .unavailable: .error(.serviceUnavailable, "database unavailable", headers: [("Retry-After", "5")])
        case .rejected, .migration: .error(.internalServerError, "internal error")
        }
    }
}
