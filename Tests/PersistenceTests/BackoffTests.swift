import Testing

@testable import Persistence

@Suite("Backoff")
struct BackoffTests {
    @Test func doublesFromTheInitialDelayUpToTheMaximum() {
        let backoff = Backoff(initial: .milliseconds(250), maximum: .seconds(10))
        #expect(backoff.delay(afterFailures: 0) == .zero)
        #expect((1...8).map { backoff.delay(afterFailures: $0) } == [250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000].map { .milliseconds($0) })
    }

    @Test func otherFactors() {
        let triple = Backoff(initial: .milliseconds(10), factor: 3, maximum: .seconds(1))
        #expect((1...5).map { triple.delay(afterFailures: $0) } == [10, 30, 90, 270, 810].map { .milliseconds($0) })
        let constant = Backoff(initial: .seconds(1), factor: 1, maximum: .seconds(5))
        #expect(constant.delay(afterFailures: 1_000_000) == .seconds(1))
    }

    @Test func manyFailuresNeitherOverflowNorLoopLong() {
        let backoff = Backoff(initial: .nanoseconds(1), maximum: .seconds(3600))
        #expect(backoff.delay(afterFailures: .max) == .seconds(3600))
        #expect(Backoff(initial: .seconds(5), maximum: .seconds(1)).delay(afterFailures: 1) == .seconds(5), "the maximum is at least the initial delay")
    }

    @Test func jitterTakesAShareOffAtRandom() {
        let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1), jitter: 0.5)
        #expect(backoff.delay(afterFailures: 1, random: 1) == .milliseconds(100))
        #expect(backoff.delay(afterFailures: 2, random: 0) == .milliseconds(100), "200 ms, halved by the smallest draw")
        #expect(backoff.delay(afterFailures: 3, random: 0.5) == .milliseconds(300), "400 ms × 0.75")
        #expect(backoff.delay(afterFailures: 30, random: 7) == .seconds(1), "draws are clamped to 0…1")
        #expect(Backoff(initial: .seconds(1), maximum: .seconds(1)).delay(afterFailures: 1, random: 0) == .seconds(1), "no jitter: no draw")
    }
}
