import Observability
import Testing

@testable import Server

@Suite("Response serialisation")
struct ResponseWriterTests {
    func head(_ response: HTTPResponse, connection: HTTPResponseWriter.ConnectionHeader = .none, requestID: String? = "id-1") -> String {
        var writer = HTTPResponseWriter()
        var output: [UInt8] = []
        writer.appendHead(of: response, contentLength: response.body.count, connection: connection, requestID: requestID, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    @Test func writesFramingHeaders() {
        let text = head(.json(.ok, #"{"a":1}"#), connection: .close)
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\nServer: barkd\r\nDate: "))
        #expect(text.contains("\r\nContent-Type: application/json\r\n"))
        #expect(text.contains("\r\nContent-Length: 7\r\n"))
        #expect(text.contains("\r\nConnection: close\r\n"))
        #expect(text.contains("\r\nX-Request-Id: id-1\r\n"))
        #expect(text.hasSuffix("\r\n\r\n"))
    }

    @Test func noContentLengthWhereNoBodyIsAllowed() {
        #expect(!head(HTTPResponse(status: .notModified)).contains("Content-Length"))
        #expect(!head(HTTPResponse(status: .noContent)).contains("Content-Length"))
        #expect(head(HTTPResponse(status: .ok)).contains("Content-Length: 0\r\n"))
    }

    @Test func statusLinesAndDecimals() {
        #expect(head(.error(.methodNotAllowed, "x")).hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"))
        for value in [0, 7, 10, 99, 131, 1_048_576, Int(Int32.max), -5, Int.min, Int.max] {
            var output: [UInt8] = []
            DecimalText.append(value, to: &output)
            #expect(String(decoding: output, as: UTF8.self) == String(value))
        }
    }

    @Test func dateIsIMFFixdate() {
        #expect(String(decoding: HTTPDateCache.format(784_111_777), as: UTF8.self) == "Sun, 06 Nov 1994 08:49:37 GMT")
    }

    @Test func errorBodiesAreEscapedJSON() {
        #expect(String(decoding: HTTPResponse.error(.badRequest, "bad \"x\"\n").body, as: UTF8.self) == #"{"error":"bad \"x\"\n"}"#)
    }

    @Test func requestIDValidation() {
        #expect(RequestID.isValid("abc-123_x.y:z"))
        #expect(!RequestID.isValid(""))
        #expect(!RequestID.isValid("has space"))
        #expect(!RequestID.isValid(String(repeating: "a", count: 129)))
        let first = RequestID.generate()
        let second = RequestID.generate()
        #expect(first != second)
        #expect(first.utf8.count == 15 && RequestID.isValid(first))
        #expect(first.prefix(7) == second.prefix(7))
    }
}
