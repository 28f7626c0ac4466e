extension StoreError {
    /// What may be shown to anyone (`/readyz`, `/health`): the kind of failure without
    /// the driver's text, which can name users, hosts and databases. Logs keep
    /// ``description``.
    public var publicSummary: String {
        switch self {
        case .unavailable: "database unavailable"
        case .busy: "database busy"
        case .rejected: "database rejected the request"
        case .migration: "database migration failed"
        }
    }

    /// ``publicSummary`` for any error a store call threw.
    public static func publicSummary(of error: any Error) -> String {
        (error as? StoreError)?.publicSummary ?? "database call failed"
    }
}
