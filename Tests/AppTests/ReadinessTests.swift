import Server
import Testing

@testable import App

@Suite("Readiness")
struct ReadinessTests {
    @Test func lifecycle() async {
        let readiness = Readiness()
        #expect(!readiness.isReady)
        readiness.starting("connecting to database")
        #expect(readiness.reason == "connecting to database")
        readiness.markReady()
        #expect(readiness.isReady)
        readiness.setDisabled(true)
        #expect(!readiness.isReady)
        readiness.setDisabled(false)
        #expect(readiness.isReady)
        readiness.beginDraining()
        readiness.markReady()
        #expect(readiness.state == .draining)
    }

    @Test func waitersWakeWhenReady() async {
        let readiness = Readiness()
        async let waited: Void = readiness.waitUntilReadyOrDraining()
        readiness.markReady()
        await waited
        #expect(readiness.isReady)
    }
}
