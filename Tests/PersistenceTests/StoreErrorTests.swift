import Testing

@testable import Persistence

@Suite("Store errors")
struct StoreErrorTests {
    /// Logs get the driver's text; public bodies only a fixed summary.
    @Test func publicSummaryNeverCarriesTheDriverText() {
        let driverText = "Access denied for user 'barkd'@'10.0.0.7' to database 'barkd_prod'"
        let cases: [(StoreError, String)] = [
            (.unavailable(driverText), "database unavailable"),
            (.busy, "database busy"),
            (.rejected(driverText), "database rejected the request"),
            (.migration(driverText), "database migration failed"),
        ]
        for (error, summary) in cases {
            #expect(error.publicSummary == summary)
            #expect(StoreError.publicSummary(of: error) == summary)
            for word in ["barkd", "10.0.0.7", "Access"] {
                #expect(!error.publicSummary.contains(word))
            }
            if case .busy = error {} else { #expect(error.description.contains(driverText)) }
        }
        #expect(StoreError.publicSummary(of: CancellationError()) == "database call failed")
        #expect(DatabaseError(.broken, code: 2013, driverText).storeError.publicSummary == "database unavailable")
    }
}
