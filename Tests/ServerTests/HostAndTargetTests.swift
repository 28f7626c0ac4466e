import Testing

@testable import Server

/// Host values and request targets (RFC 9112 §3.2, RFC 9110 §7.2, RFC 3986 §3.2): what is
/// accepted, and what is refused with 400.
@Suite("Parser: Host and request-target")
struct HostAndTargetTests {
    static func request(host: String, target: String = "/", method: String = "GET") -> String {
        "\(method) \(target) HTTP/1.1\r\nHost: \(host)\r\n\r\n"
    }

    @Test(arguments: [
        "example.com", "example.com:8080", "EXAMPLE.com:0", "a", "", "127.0.0.1", "127.0.0.1:5000", "999.1.1.1",
        "[::1]", "[::1]:8080", "[2001:db8::7]", "[::ffff:192.0.2.1]", "[1:2:3:4:5:6:7:8]", "[1:2:3:4:5:6:1.2.3.4]",
        "[v7.fe80::a+en1]", "xn--nxasmq6b.example", "a-b_c~d.e", "%41bc", "a!$&'()*+;=", "example.com:", "h:65535",
    ])
    func acceptsHost(_ host: String) {
        #expect(parsedMessage(parse(Self.request(host: host)).0) != nil, "\(host)")
    }

    @Test(arguments: [
        "user@example.com", "user:pw@example.com", "example.com/path", "a, b", "a,b", "a b", "example.com:65536",
        "example.com:99999999999999999999", "example.com:8o", "example.com:-1", "example.com:80:80", "[::1", "::1]", "::1",
        "[::1]x", "[]", "[1:2:3:4:5:6:7:8:9]", "[1::2::3]", "[12345::]", "[:1:2:3:4:5:6:7]", "[1:2:3:4:5:6:7:]",
        "[::1.2.3.256]", "[::01.2.3.4]", "[v.x]", "[vg.x]", "[fe80::1%25eth0]", "%4", "%zz", "a\"b", "a<b", "a{b}", "a|b",
        "a^b", "a`b", "a\\b", "é.example", "a?b", "a#b", "[a]",
    ])
    func rejectsHost(_ host: String) {
        #expect(failure(Self.request(host: host)) == .invalidHost, "\(host)")
        #expect(HTTPParseError.invalidHost.status.code == 400)
    }

    @Test func anHTTP10RequestsHostIsCheckedToo() {
        #expect(failure("GET / HTTP/1.0\r\nHost: a@b\r\n\r\n") == .invalidHost)
        #expect(parsedMessage(parse("GET / HTTP/1.0\r\n\r\n").0) != nil)
    }

    @Test(arguments: [
        "http://example.com/x", "HTTP://EXAMPLE.COM", "http://example.com:8080/a?b=c", "https://[::1]:443/", "http://a?q",
        "/", "/a?b=c/d?e", "/%E2%82%AC", "/~user/!$&'()*+,;=:@", "relative/path", "example.com:443",
    ])
    func acceptsTarget(_ target: String) {
        #expect(parsedMessage(parse(Self.request(host: "a", target: target)).0) != nil, "\(target)")
    }

    @Test(arguments: [
        "/a#frag", "/search?q=1#top", "#", "/a\\b", "\\", "http://user@example.com/", "https://user:pw@example.com/x?y",
        "http:///x", "http://:80/", "http://a:99999/", "http://[::1/", "http://a,b/",
        "http://a%zz/",
    ])
    func rejectsTarget(_ target: String) {
        #expect(failure(Self.request(host: "a", target: target)) == .invalidTarget, "\(target)")
        #expect(HTTPParseError.invalidTarget.status.code == 400)
    }

    @Test func theAsteriskFormIsForOptionsOnly() throws {
        let (result, _, bytes) = parse(Self.request(host: "a", target: "*", method: "OPTIONS"))
        #expect(string(bytes, try #require(parsedMessage(result)).head.target) == "*")
        for method in ["GET", "HEAD", "POST", "DELETE", "PURGE"] {
            #expect(failure(Self.request(host: "a", target: "*", method: method)) == .invalidTarget, "\(method)")
        }
    }
}
