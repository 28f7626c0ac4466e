"""Raw HTTP/1.1 requests for the differential parser test (test_parser_differential.py).

``main_corpus()`` holds requests on which barkd's parser and h11 must agree: the same
accept/reject verdict and, where both accept, the same request. Each entry is exactly one
message (or a fragment of one), because barkd-parse reports bytes after a complete
message as a reject. The entries come from two sources: hand-written edge cases, and
generated sweeps (every byte value at a few positions, header counts, body sizes,
method/target/version combinations).

Requests on which barkd is deliberately stricter than h11 are NOT here: they are the
``KNOWN_DIVERGENCES`` table in the test itself, so that every divergence is visible
and justified in one place.
"""

from __future__ import annotations

from barkd_helpers import CRLF, http_message

TOKEN_BYTES = b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

# Bytes that h11 accepts as (part of) a chunk extension value and barkd does not (not a
# tchar: RFC 9112 §7.1.1 wants a token or a quoted-string). The controls among them were
# divergences before; the rest joined them when barkd took up the exact grammar.
CHUNK_EXTENSION_DIVERGENT_BYTES = [b for b in range(256) if b not in TOKEN_BYTES and b != 0x0A]

# Bytes that RFC 9110 §5.5 forbids in a field value but h11 accepts (its field-vchar is
# "anything but NUL and whitespace"): barkd rejects them, so they live in the test's
# KNOWN_DIVERGENCES table. \x0b and \x0c are whitespace to h11's regex, so both reject.
H11_LENIENT_VALUE_CONTROLS = [b for b in range(0x20) if b not in (0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x00)] + [0x7F]


def request(
    method: bytes = b"GET",
    target: bytes = b"/",
    version: bytes = b"HTTP/1.1",
    headers: list[tuple[bytes, bytes]] | None = None,
    body: bytes = b"",
    eol: bytes = CRLF,
    host: bytes | None = b"example.com",
) -> bytes:
    """One request: request line, ``Host`` first (unless None), ``headers``, blank line, body."""
    fields = ([(b"Host", host)] if host is not None else []) + list(headers or [])
    return http_message(method + b" " + target + b" " + version, fields, body, eol)


def raw_head(*lines: bytes, eol: bytes = CRLF) -> bytes:
    """Lines joined with ``eol``, then the blank line: for heads that ``request`` cannot spell."""
    return b"".join(line + eol for line in lines) + eol


def chunked(*chunks: bytes, trailers: bytes = b"", headers: list[tuple[bytes, bytes]] | None = None) -> bytes:
    """A chunked POST whose body is ``chunks`` (each encoded with its own size line)."""
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks) + b"0\r\n" + trailers + CRLF
    return request(b"POST", b"/upload", headers=[(b"Transfer-Encoding", b"chunked")] + list(headers or []), body=body)


def chunked_raw(body: bytes, te: bytes = b"chunked") -> bytes:
    """A POST with ``Transfer-Encoding: te`` and an already encoded (possibly broken) body."""
    return request(b"POST", b"/upload", headers=[(b"Transfer-Encoding", te)], body=body)


def with_length(body: bytes, length: bytes | None = None, method: bytes = b"POST", version: bytes = b"HTTP/1.1") -> bytes:
    declared = str(len(body)).encode() if length is None else length
    return request(method, b"/submit", version, headers=[(b"Content-Length", declared)], body=body)


def _hand_written() -> list[tuple[str, bytes]]:
    cases: list[tuple[str, bytes]] = []

    def add(name: str, raw: bytes) -> None:
        cases.append((name, raw))

    # --- Methods -----------------------------------------------------------------
    for method in [b"GET", b"HEAD", b"POST", b"PUT", b"DELETE", b"OPTIONS", b"PATCH", b"TRACE",
                   b"PURGE", b"M-SEARCH", b"get", b"Get", b"PROPFIND", b"X!#$%&'*+-.^_`|~9"]:
        add(f"method {method!r}", request(method))
    add("CONNECT authority-form", request(b"CONNECT", b"example.com:443", host=b"example.com:443"))
    add("OPTIONS asterisk-form", request(b"OPTIONS", b"*"))
    add("method empty", b" / HTTP/1.1\r\nHost: a\r\n\r\n")
    add("method with slash", request(b"GE/T"))
    add("method with colon", request(b"GET:"))
    add("method with brackets", request(b"[GET]"))
    add("method UTF-8", request("GÉT".encode()))
    add("method with NUL", request(b"GE\x00T"))
    add("method then tab", b"GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n")
    add("method lowercase with body", request(b"post", headers=[(b"Content-Length", b"2")], body=b"ok"))

    # --- Targets -------------------------------------------------------------------
    # A fragment, a backslash or userinfo in the target: KNOWN_DIVERGENCES.
    for target in [b"/", b"/a/b/c", b"/path?x=1&y=2", b"/?", b"/??", b"/search?q=a+b&lang=en",
                   b"/a%20b", b"/%zz", b"/%", b"/%E2%82%AC", b"//double//slash",
                   b"/~user/!$&'()*+,;=:@", b"relative/path", b"/.././../etc/passwd",
                   b"http://example.com/", b"http://example.com:8080/a?b=c",
                   b"HTTP://EXAMPLE.COM", b"/\"quoted\"",
                   b"/<script>", b"/{}|^`[]", b"/" + b"a" * 4000, b"/?" + b"&".join(b"k%d=v%d" % (i, i) for i in range(200))]:
        add(f"target {target[:40]!r}", request(target=target))
    add("target absolute-form on 1.0", request(target=b"http://example.com/x", version=b"HTTP/1.0", host=None))
    add("target UTF-8", request(target="/café".encode()))
    add("target obs-text", request(target=b"/\x80"))
    add("target space inside", request(target=b"/a b"))
    add("target tab inside", request(target=b"/a\tb"))
    add("target empty", b"GET  HTTP/1.1\r\nHost: a\r\n\r\n")
    add("target NUL", request(target=b"/\x00"))
    add("target DEL", request(target=b"/a\x7f"))
    add("target ESC", request(target=b"/\x1b[0m"))
    add("target lone CR", request(target=b"/a\rb"))
    add("target missing", b"GET HTTP/1.1\r\nHost: a\r\n\r\n")
    add("two spaces before target", b"GET  / HTTP/1.1\r\nHost: a\r\n\r\n")
    add("two spaces before version", b"GET /  HTTP/1.1\r\nHost: a\r\n\r\n")

    # --- Versions --------------------------------------------------------------------
    add("HTTP/1.0 no Host", request(version=b"HTTP/1.0", host=None))
    add("HTTP/1.0 with Host", request(version=b"HTTP/1.0"))
    for version in [b"HTTP/1", b"HTTP/1.1.1", b"http/1.1", b"HTTP/ 1.1", b"HTTP/1.x", b"HTTP/11",
                    b"HTTPS/1.1", b"HTTP/1,1", b"HTTP 1.1", b"HTTP/1.10", b"HTTP/01.1", b"HTTP/-1.1",
                    b"HTTP/1.1 ", b"Http/1.1", b"HTTP/\xb9.1", b""]:
        add(f"version {version!r}", request(version=version))
    add("request line without version", b"GET /\r\nHost: a\r\n\r\n")
    add("request line only, HTTP/0.9 style", b"GET /\r\n\r\n")
    add("HTTP/2 preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")

    # --- Host ------------------------------------------------------------------------------
    add("Host missing in 1.1", request(host=None))
    add("Host missing in 1.1 with other headers", request(host=None, headers=[(b"Accept", b"*/*")]))
    add("Host twice in 1.1", request(headers=[(b"Host", b"example.com")]))
    add("Host twice in 1.0", request(version=b"HTTP/1.0", headers=[(b"Host", b"other")]))
    add("Host twice different case", request(headers=[(b"HOST", b"x")]))
    add("Host empty", request(host=b""))
    add("Host with port", request(host=b"example.com:8080"))
    add("Host IPv6", request(host=b"[::1]:8080"))
    add("Host lowercase name", raw_head(b"GET / HTTP/1.1", b"host: a"))
    add("Host uppercase name", raw_head(b"GET / HTTP/1.1", b"HOST: a"))
    add("Host mixed-case name", raw_head(b"GET / HTTP/1.1", b"hOsT: a"))
    add("Host last", raw_head(b"GET / HTTP/1.1", b"Accept: */*", b"User-Agent: t", b"Host: a"))

    # --- Header syntax ---------------------------------------------------------------------
    for value in [b"v", b"  v", b"v  ", b"\tv\t", b" \t v \t ", b"a  b", b"a\tb", b"a \t b",
                  b"\"quoted, with comma\"", b"a=b; c=d", b"x:y:z", b"http://x/y?z", b"(comment)",
                  b"\xe9", b"caf\xc3\xa9", b"\x80\xff", b"a \xa0 b", b"\xfe\xff",
                  b"v" * 8000, b"{\"json\": [1, 2]}", b"\\back\\slash", b"'single'", b"~!@#$%^&*()_+`-={}[]|;<>?,./"]:
        add(f"value {value[:24]!r}", request(headers=[(b"X-Value", value)]))
    # An empty value, with and without OWS: the field line is spelled by hand.
    for line in [b"X-Empty:", b"X-Empty: ", b"X-Empty:\t", b"X-Empty: \t ", b"X-Empty:    "]:
        add(f"empty value {line!r}", raw_head(b"GET / HTTP/1.1", b"Host: a", line))
    add("no space after colon", raw_head(b"GET / HTTP/1.1", b"Host:a", b"Accept:*/*"))
    for name in [b"x-lower", b"X-UPPER", b"x-MiXeD-CaSe", b"X!#$%&'*+.^_`|~", b"1234", b"a"]:
        add(f"name {name!r}", request(headers=[(name, b"v")]))
    add("same name repeated", request(headers=[(b"Accept", b"text/html"), (b"Accept", b"*/*"), (b"accept", b"x")]))
    add("Cookie repeated", request(headers=[(b"Cookie", b"a=1"), (b"Cookie", b"b=2")]))
    add("Set-Cookie-ish repeated", request(headers=[(b"X-Set", b"a=1, b=2"), (b"X-Set", b"c=3")]))
    for bad in [b"X Y: v", b"X(y): v", b"X\"y: v", b"X/y: v", b"X@y: v", b"X{y}: v", b"X,y: v", b"X;y: v",
                b"X=y: v", b"X\\y: v", b"X?y: v", b"X[y]: v", b"X\x00: v", b"X\x7f: v", "Xé: v".encode(),
                b": v", b":", b"NoColon", b"X : v", b"X\t: v", b"X\x01: v", b"X\x80: v"]:
        add(f"bad field line {bad!r}", raw_head(b"GET / HTTP/1.1", b"Host: a", bad))
    add("obs-fold on the first field line", b"GET / HTTP/1.1\r\n folded: x\r\nHost: a\r\n\r\n")
    add("obs-fold first line tab", b"GET / HTTP/1.1\r\n\tHost: a\r\n\r\n")
    # A field line starting with SP/HTAB after another field is obs-fold: KNOWN_DIVERGENCES.
    add("value NUL", request(headers=[(b"X", b"a\x00b")]))
    add("value NUL at end", request(headers=[(b"X", b"ab\x00")]))
    add("value vertical tab", request(headers=[(b"X", b"a\x0bb")]))
    add("value form feed", request(headers=[(b"X", b"a\x0cb")]))
    add("value form feed leading", request(headers=[(b"X", b"\x0cb")]))
    add("value lone CR", request(headers=[(b"X", b"a\rb")]))
    add("value lone CR at end", raw_head(b"GET / HTTP/1.1", b"Host: a", b"X: v\r"))
    add("value lone CR then LF-only line end", b"GET / HTTP/1.1\r\nHost: a\r\nX: v\r\r\n\r\n")

    # --- Line endings ------------------------------------------------------------------------
    # A bare LF that h11 accepts as a line end is in KNOWN_DIVERGENCES, a leading CRLF
    # (which barkd ignores, RFC 9112 §2.2) in LENIENT_DIVERGENCES.
    add("lone CR ends request line", b"GET / HTTP/1.1\rHost: a\r\n\r\n")
    add("lone CR line endings", b"GET / HTTP/1.1\rHost: a\r\r")
    add("CR CR LF after request line", b"GET / HTTP/1.1\r\r\nHost: a\r\n\r\n")
    add("lone CR in blank line", b"GET / HTTP/1.1\r\nHost: a\r\n\r")
    add("lone CR before blank line", b"GET / HTTP/1.1\r\nHost: a\r\n\r\r\n")
    add("CR inside field name", b"GET / HTTP/1.1\r\nHo\rst: a\r\n\r\n")
    add("leading LF", b"\n" + request())
    add("leading space", b" " + request())
    add("leading tab", b"\t" + request())
    add("missing final CRLF", b"GET / HTTP/1.1\r\nHost: a\r\n")
    add("missing final CRLF, LF style", b"GET / HTTP/1.1\nHost: a\n")
    add("request line only", b"GET / HTTP/1.1\r\n")
    add("request line no line end", b"GET / HTTP/1.1")
    add("empty input", b"")
    add("only CRLF", b"\r\n")
    add("only blank lines", b"\r\n\r\n")
    add("only LF", b"\n")
    add("TLS ClientHello prefix", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(32)))
    add("binary garbage", bytes(range(256)))
    add("SSH banner", b"SSH-2.0-OpenSSH_9.2\r\n")

    # --- Connection ---------------------------------------------------------------------------
    for version in [b"HTTP/1.1", b"HTTP/1.0"]:
        for value in [b"close", b"keep-alive", b"Close", b"KEEP-ALIVE", b"close, upgrade", b"keep-alive, close",
                      b"foo, bar", b"", b",close,", b" close ", b"closed", b"te, keep-alive"]:
            add(f"{version.decode()} Connection {value!r}", request(version=version, headers=[(b"Connection", value)]))
    add("Connection twice, close second", request(headers=[(b"Connection", b"foo"), (b"Connection", b"close")]))
    add("Upgrade websocket", request(headers=[(b"Connection", b"Upgrade"), (b"Upgrade", b"websocket"),
                                              (b"Sec-WebSocket-Key", b"dGhlIHNhbXBsZSBub25jZQ=="),
                                              (b"Sec-WebSocket-Version", b"13")]))
    add("Expect 100-continue with body", request(b"PUT", b"/x", headers=[(b"Expect", b"100-continue"),
                                                                          (b"Content-Length", b"4")], body=b"data"))
    # Any other expectation is 417 in barkd: KNOWN_DIVERGENCES.

    # --- Content-Length -------------------------------------------------------------------------
    for body in [b"", b"a", b"hello", b"x" * 100, b"\r\n\r\n", b"\x00\x01\x02\xff",
                 b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", b"0\r\n\r\n", bytes(range(256)) * 4, b"z" * 65536]:
        add(f"Content-Length body {len(body)} {body[:8]!r}", with_length(body))
    add("Content-Length on GET", with_length(b"abc", method=b"GET"))
    add("Content-Length on HTTP/1.0", with_length(b"abc", version=b"HTTP/1.0"))
    add("Content-Length 0 on 1.0", with_length(b"", version=b"HTTP/1.0"))
    add("Content-Length leading zeros", with_length(b"hello", b"005"))
    add("Content-Length all zeros", with_length(b"", b"0000"))
    add("Content-Length with OWS", raw_head(b"POST / HTTP/1.1", b"Host: a", b"Content-Length:   5\t ") + b"hello")
    add("content-length lowercase", raw_head(b"POST / HTTP/1.1", b"Host: a", b"content-length: 5") + b"hello")
    add("CONTENT-LENGTH uppercase", raw_head(b"POST / HTTP/1.1", b"Host: a", b"CONTENT-LENGTH: 5") + b"hello")
    for bad in [b"-1", b"+5", b"5a", b"0x5", b"", b"5 5", b"5, 6", b"1.5", b"1e3", b"five", b"\xb5",
                b"5;", b"123456789012345678901", b"99999999999999999999", b"18446744073709551616"]:
        add(f"Content-Length invalid {bad!r}", with_length(b"hello", bad))
    add("Content-Length conflicting", request(b"POST", headers=[(b"Content-Length", b"5"), (b"Content-Length", b"6")], body=b"hello"))
    add("Content-Length conflicting list", request(b"POST", headers=[(b"Content-Length", b"5, 6")], body=b"hello"))
    add("Content-Length body short", with_length(b"hello", b"10"))
    add("Content-Length body long", with_length(b"hello world", b"5"))
    add("Content-Length huge, small body", with_length(b"hello", b"999999999"))
    add("Content-Length 0 with bytes after", with_length(b"extra", b"0"))
    add("no Content-Length, bytes after head", request(b"POST") + b"body")
    add("Content-Length 19 digits with leading zeros", with_length(b"hello", b"0000000000000000005"))
    add("Content-Length 20 digits with leading zeros", with_length(b"hello", b"00000000000000000005"))
    add("Content-Length 18 digits with leading zeros", with_length(b"hello", b"000000000000000005"))
    add("Content-Length 21 digits with leading zeros", with_length(b"hello", b"000000000000000000005"))

    # --- Chunked -----------------------------------------------------------------------------------
    add("chunked one chunk", chunked(b"hello"))
    add("chunked empty body", chunked())
    add("chunked several chunks", chunked(b"hello", b" ", b"world"))
    add("chunked chunk with CRLF inside", chunked(b"a\r\nb\r\n"))
    add("chunked binary chunk", chunked(bytes(range(256))))
    add("chunked 1000-byte chunk", chunked(b"q" * 1000))
    add("chunked 100 one-byte chunks", chunked(*[bytes([0x41 + i % 26]) for i in range(100)]))
    add("chunked uppercase hex", chunked_raw(b"A\r\n0123456789\r\n0\r\n\r\n"))
    add("chunked lowercase hex", chunked_raw(b"a\r\n0123456789\r\n0\r\n\r\n"))
    add("chunked mixed-case hex", chunked_raw(b"1aB\r\n" + b"m" * 0x1AB + b"\r\n0\r\n\r\n"))
    add("chunked leading zeros", chunked_raw(b"0005\r\nhello\r\n000\r\n\r\n"))
    add("chunked 16 hex digits", chunked_raw(b"0000000000000005\r\nhello\r\n0\r\n\r\n"))
    add("chunked extension", chunked_raw(b"5;name=value\r\nhello\r\n0\r\n\r\n"))
    add("chunked extension no value", chunked_raw(b"5;name\r\nhello\r\n0\r\n\r\n"))
    add("chunked extension quoted", chunked_raw(b"5;name=\"quoted value\"\r\nhello\r\n0\r\n\r\n"))
    add("chunked several extensions", chunked_raw(b"5;a;b=c;d=\"e\"\r\nhello\r\n0;last=1\r\n\r\n"))
    add("chunked extension on last chunk", chunked_raw(b"5\r\nhello\r\n0;end\r\n\r\n"))
    # Extensions outside the RFC 9112 §7.1.1 grammar, and whitespace after the size:
    # KNOWN_DIVERGENCES.
    add("chunked trailer", chunked(b"hello", trailers=b"X-Checksum: abc\r\n"))
    add("chunked two trailers", chunked(b"hello", trailers=b"X-A: 1\r\nX-B: 2\r\n"))
    add("chunked trailer empty value", chunked(b"hello", trailers=b"X-T:\r\n"))
    add("chunked trailer obs-text", chunked(b"hello", trailers=b"X-T: \xe9\r\n"))
    # A valid Content-Length trailer is a documented divergence (test_parser_differential.py).
    add("chunked trailer invalid Content-Length", chunked(b"hello", trailers=b"Content-Length: abc\r\n"))
    add("chunked trailer Transfer-Encoding gzip", chunked(b"hello", trailers=b"Transfer-Encoding: gzip\r\n"))
    add("chunked trailer Host", chunked(b"hello", trailers=b"Host: other\r\n"))
    add("TE Chunked (case)", request(b"POST", headers=[(b"Transfer-Encoding", b"Chunked")], body=b"5\r\nhello\r\n0\r\n\r\n"))
    add("TE CHUNKED (case)", request(b"POST", headers=[(b"Transfer-Encoding", b"CHUNKED")], body=b"0\r\n\r\n"))
    add("TE with OWS", raw_head(b"POST / HTTP/1.1", b"Host: a", b"Transfer-Encoding:  chunked \t") + b"0\r\n\r\n")
    add("transfer-encoding lowercase name", raw_head(b"POST / HTTP/1.1", b"Host: a", b"transfer-encoding: chunked") + b"0\r\n\r\n")
    add("chunked on GET", request(b"GET", headers=[(b"Transfer-Encoding", b"chunked")], body=b"3\r\nabc\r\n0\r\n\r\n"))
    # Broken chunked framing.
    for label, body in [
        ("size not hex", b"g\r\nhello\r\n0\r\n\r\n"),
        ("size empty", b"\r\nhello\r\n0\r\n\r\n"),
        ("size negative", b"-5\r\nhello\r\n0\r\n\r\n"),
        ("size leading space", b" 5\r\nhello\r\n0\r\n\r\n"),
        ("size 0x prefix", b"0x5\r\nhello\r\n0\r\n\r\n"),
        ("size larger than data", b"10\r\nhello\r\n0\r\n\r\n"),
        ("size smaller than data", b"3\r\nhello\r\n0\r\n\r\n"),
        ("data without CRLF", b"5\r\nhello0\r\n\r\n"),
        ("data then LF only", b"5\r\nhello\n0\r\n\r\n"),
        ("data then CR only", b"5\r\nhello\r0\r\n\r\n"),
        ("data then junk", b"5\r\nhelloXY0\r\n\r\n"),
        ("size line bare LF", b"5\nhello\r\n0\r\n\r\n"),
        ("last-chunk line bare LF", b"5\r\nhello\r\n0\n\r\n"),
        ("size line lone CR", b"5\r;x\r\nhello\r\n0\r\n\r\n"),
        ("missing last chunk", b"5\r\nhello\r\n"),
        ("missing final CRLF", b"5\r\nhello\r\n0\r\n"),
        ("trailer without blank line", b"5\r\nhello\r\n0\r\nX-T: v\r\n"),
        ("invalid trailer line", b"5\r\nhello\r\n0\r\nnot a field\r\n\r\n"),
        ("trailer with NUL", b"5\r\nhello\r\n0\r\nX-T: a\x00b\r\n\r\n"),
        ("trailer whitespace before colon", b"5\r\nhello\r\n0\r\nX-T : v\r\n\r\n"),
        ("trailer lone CR", b"5\r\nhello\r\n0\r\nX-T: a\rb\r\n\r\n"),
        ("no chunks at all", b""),
        ("size 21 hex digits", b"000000000000000000005\r\nhello\r\n0\r\n\r\n"),
        ("size huge", b"FFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n"),
        ("bytes after last chunk", b"0\r\n\r\nGET / HTTP/1.1\r\n\r\n"),
    ]:
        add(f"chunked broken: {label}", chunked_raw(body))
    for te in [b"gzip", b"gzip, chunked", b"chunked, gzip", b"identity", b"", b"chunked;q=1", b"chunked chunked",
               b"chunked, chunked", b"x-custom", b"\"chunked\""]:
        add(f"Transfer-Encoding {te!r}", chunked_raw(b"0\r\n\r\n", te))
    add("Transfer-Encoding twice", request(b"POST", headers=[(b"Transfer-Encoding", b"chunked"),
                                                             (b"Transfer-Encoding", b"chunked")], body=b"0\r\n\r\n"))
    add("Transfer-Encoding gzip then chunked headers", request(b"POST", headers=[(b"Transfer-Encoding", b"gzip"),
                                                                                 (b"Transfer-Encoding", b"chunked")],
                                                               body=b"0\r\n\r\n"))
    return cases


def _generated() -> list[tuple[str, bytes]]:
    cases: list[tuple[str, bytes]] = []
    # Every byte value in a field value, a field name, the target and the method.
    for byte in range(256):
        if byte not in H11_LENIENT_VALUE_CONTROLS:
            cases.append((f"value byte 0x{byte:02x}", request(headers=[(b"X-Byte", b"a" + bytes([byte]) + b"b")])))
        cases.append((f"name byte 0x{byte:02x}", request(headers=[(b"X" + bytes([byte]) + b"Y", b"v")])))
        if byte not in b"#\\":  # a fragment or a backslash: KNOWN_DIVERGENCES
            cases.append((f"target byte 0x{byte:02x}", request(target=b"/a" + bytes([byte]) + b"b")))
        cases.append((f"method byte 0x{byte:02x}", request(method=b"G" + bytes([byte]) + b"T")))
    # Every byte as the whole chunk data (one-byte chunk) and as a chunk extension's value,
    # where barkd takes only a token (RFC 9112 §7.1.1) and h11 anything but CR and LF: the
    # bytes both reject, and the token bytes both accept (the rest: KNOWN_DIVERGENCES).
    for byte in range(256):
        cases.append((f"chunk data byte 0x{byte:02x}", chunked(bytes([byte]))))
        if byte not in CHUNK_EXTENSION_DIVERGENT_BYTES:
            cases.append((f"chunk extension byte 0x{byte:02x}",
                          chunked_raw(b"1;e=" + bytes([byte]) + b"\r\nx\r\n0\r\n\r\n")))
    # Header counts up to barkd's limit (100 fields, Host included).
    for count in [0, 1, 2, 5, 10, 20, 50, 98, 99]:
        fields = [(b"X-Field-%d" % index, b"value %d" % index) for index in range(count)]
        cases.append((f"{count + 1} header fields", request(headers=fields)))
    # Just inside barkd's limits (HTTPLimits defaults); one step beyond is LIMIT_CASES.
    cases.append(("request line of exactly 8 KiB", request(target=b"/" + b"r" * (8192 - len(b"GET / HTTP/1.1")))))
    cases.append(("header section of 30 KiB", request(headers=[(b"X-Big-%d" % i, b"h" * 7600) for i in range(4)])))
    cases.append(("body of exactly 1 MiB", with_length(b"m" * (1024 * 1024))))
    cases.append(("chunked body of exactly 1 MiB", chunked(b"c" * (512 * 1024), b"d" * (512 * 1024))))
    cases.append(("chunk line of 4000 bytes", chunked_raw(b"1;e=" + b"x" * 3994 + b"\r\nx\r\n0\r\n\r\n")))
    # Body sizes with Content-Length and with chunked framing.
    for size in [1, 2, 15, 16, 17, 255, 256, 4095, 4096, 4097, 100_000]:
        body = bytes((index * 7) % 256 for index in range(size))
        cases.append((f"Content-Length body of {size}", with_length(body)))
        cases.append((f"chunked body of {size}", chunked(body[: size // 2], body[size // 2:]) if size > 1 else chunked(body)))
    # Methods x targets x versions.
    for method in [b"GET", b"HEAD", b"DELETE"]:
        for target in [b"/", b"/healthcheck", b"/a?b=c", b"http://h/x"]:
            for version in [b"HTTP/1.0", b"HTTP/1.1"]:
                cases.append((f"{method.decode()} {target.decode()} {version.decode()}", request(method, target, version)))
    # Whitespace between colon and value, before the line end.
    for leading in [b"", b" ", b"\t", b"  \t  "]:
        for trailing in [b"", b" ", b"\t", b" \t "]:
            cases.append((f"OWS {leading!r}/{trailing!r}", raw_head(b"GET / HTTP/1.1", b"Host: a", b"X-OWS:" + leading + b"v w" + trailing)))
    return cases


def main_corpus() -> list[tuple[str, bytes]]:
    """All requests on which barkd and h11 must agree, deduplicated by their bytes."""
    seen: set[bytes] = set()
    corpus: list[tuple[str, bytes]] = []
    for name, raw in _hand_written() + _generated():
        if raw in seen:
            continue
        seen.add(raw)
        corpus.append((name, raw))
    return corpus
