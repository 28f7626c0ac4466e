import Testing

@testable import Persistence

@Suite("Visitor counter spool format")
struct CounterSpoolFormatTests {
    let batches = [
        VisitBatch(instance: "0123456789abcdef0123456789abcdef", sequence: 41, delta: 17),
        VisitBatch(instance: "0123456789abcdef0123456789abcdef", sequence: 42, delta: 3),
    ]

    @Test func roundTrips() {
        let decoded = CounterSpoolFormat.decode(CounterSpoolFormat.encode(batches))
        #expect(decoded == .init(batches: batches, problem: nil, droppedBytes: 0))
        #expect(CounterSpoolFormat.decode(CounterSpoolFormat.encode([])).batches.isEmpty)
    }

    @Test func aCutLastLineKeepsTheLinesBeforeIt() {
        let bytes = CounterSpoolFormat.encode(batches)
        for cut in 1..<30 {
            let decoded = CounterSpoolFormat.decode(Array(bytes.dropLast(cut)))
            #expect(decoded.batches == [batches[0]])
            #expect(decoded.problem != nil && decoded.droppedBytes > 0)
        }
    }

    @Test func aDamagedLineStopsTheReadAndIsReported() throws {
        var bytes = CounterSpoolFormat.encode(batches + [VisitBatch(instance: "x", sequence: 1, delta: 1)])
        // Change one digit of the second batch's delta: its checksum no longer matches.
        let needle = Array(" 42 3 ".utf8)
        let at = try #require((0...(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle })
        bytes[at + 4] = UInt8(ascii: "8")
        let decoded = CounterSpoolFormat.decode(bytes)
        #expect(decoded.batches == [batches[0]])
        #expect(decoded.problem?.contains("line 3: checksum mismatch") == true)
    }

    @Test func otherFilesAreNotSpools() {
        #expect(CounterSpoolFormat.decode(Array("hello\n".utf8)).problem?.contains("not a barkd visitor-counter spool") == true)
        #expect(CounterSpoolFormat.decode([]).problem == "empty file")
        let zeroDelta = Array("barkd-visitor-counter-spool 1\nbatch a 1 0 \(String(CRC32.checksum("a 1 0".utf8), radix: 16))\n".utf8)
        #expect(CounterSpoolFormat.decode(zeroDelta).batches.isEmpty)
    }

    @Test func crc32MatchesTheKnownVector() {
        #expect(CRC32.checksum("123456789".utf8) == 0xCBF4_3926)
    }
}
