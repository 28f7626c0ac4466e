"""Differential test of barkd's HTTP/1.1 request parser against Python's h11 (>= 0.16).

Every raw request of the corpus (differential_corpus.py) goes once through the
``barkd-parse`` probe (one subprocess for the whole run; ``BARKD_PARSE_BIN`` names it)
and through h11 as a server that received the bytes and then EOF. Both must reach the
same verdict; where both accept, the same method, target, version, header fields and
body, and for HTTP/1.1 the same keep-alive decision.

barkd is deliberately stricter than h11 in a few cases. Each is one row of
``KNOWN_DIVERGENCES`` below, asserted on its own: h11 accepts, barkd rejects with the
given status. Where barkd accepts what h11 rejects (RFC 9112 asks it to), the request is
a row of ``LENIENT_DIVERGENCES``. Requests that only exceed one of barkd's configured limits (which h11
does not have) are ``LIMIT_CASES``. Any other difference fails the main comparison.

Run:  BARKD_PARSE_BIN=.build/debug/barkd-parse .tools/venv/bin/pytest Tests/IntegrationTests/test_parser_differential.py
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import h11  # Tests/IntegrationTests/requirements.txt: h11==0.16.0
import pytest

if tuple(int(part) for part in h11.__version__.split(".")[:2]) < (0, 16):
    raise ImportError(f"the differential test needs h11 >= 0.16 (its reference behaviour), found {h11.__version__}")

sys.path.insert(0, str(Path(__file__).resolve().parent))
from differential_corpus import (  # noqa: E402
    CHUNK_EXTENSION_DIVERGENT_BYTES,
    H11_LENIENT_VALUE_CONTROLS,
    chunked,
    chunked_raw,
    main_corpus,
    request,
)

PROBE_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class Divergence:
    name: str
    raw: bytes
    status: int
    reason: str


def _divergences() -> list[Divergence]:
    rows: list[Divergence] = []

    def add(name: str, raw: bytes, status: int, reason: str) -> None:
        rows.append(Divergence(name, raw, status, reason))

    obs_fold = "obs-fold: h11 unfolds it; RFC 9112 §5.2 lets a server reject it with 400"
    add("obs-fold with space", b"GET / HTTP/1.1\r\nHost: a\r\nX-Long: part one\r\n part two\r\n\r\n", 400, obs_fold)
    add("obs-fold with tab", b"GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n\ttwo\r\n\r\n", 400, obs_fold)
    add("obs-fold empty continuation", b"GET / HTTP/1.1\r\nHost: a\r\nX: v\r\n \r\n\r\n", 400, obs_fold)
    add("obs-fold in Host", b"GET / HTTP/1.1\r\nHost:\r\n example.com\r\n\r\n", 400, obs_fold)
    add("obs-fold with bare LF", b"GET / HTTP/1.1\nHost: a\nX: one\n two\n\n", 400, obs_fold)
    add("obs-fold in a trailer", chunked(b"hello", trailers=b"X-T: one\r\n two\r\n"), 400, obs_fold)

    cl_te = "Content-Length with Transfer-Encoding: h11 uses chunked; a smuggling vector, RFC 9112 §6.1 → 400"
    add("CL then TE", request(b"POST", headers=[(b"Content-Length", b"5"), (b"Transfer-Encoding", b"chunked")],
                              body=b"0\r\n\r\n"), 400, cl_te)
    add("TE then CL", request(b"POST", headers=[(b"Transfer-Encoding", b"chunked"), (b"Content-Length", b"5")],
                              body=b"0\r\n\r\n"), 400, cl_te)
    add("CL 0 with TE", request(b"POST", headers=[(b"Content-Length", b"0"), (b"Transfer-Encoding", b"chunked")],
                                body=b"5\r\nhello\r\n0\r\n\r\n"), 400, cl_te)

    dup_cl = "repeated Content-Length: h11 accepts identical values; barkd rejects any repeat (RFC 9112 §6.3 allows it) → 400"
    add("two identical CL", request(b"POST", headers=[(b"Content-Length", b"5"), (b"Content-Length", b"5")],
                                    body=b"hello"), 400, dup_cl)
    add("CL list 5, 5", request(b"POST", headers=[(b"Content-Length", b"5, 5")], body=b"hello"), 400, dup_cl)
    add("CL list 5,5", request(b"POST", headers=[(b"Content-Length", b"5,5")], body=b"hello"), 400, dup_cl)
    add("two CL, one a list", request(b"POST", headers=[(b"Content-Length", b"5"), (b"content-length", b"5 , 5")],
                                      body=b"hello"), 400, dup_cl)

    controls = "control character in a field value: h11 allows it; RFC 9110 §5.5 allows only HTAB → 400"
    for byte in H11_LENIENT_VALUE_CONTROLS:
        add(f"value control 0x{byte:02x}", request(headers=[(b"X-Byte", b"a" + bytes([byte]) + b"b")]), 400, controls)
    add("value control in trailer", chunked(b"hello", trailers=b"X-T: a\x01b\r\n"), 400, controls)
    add("value DEL at end", request(headers=[(b"User-Agent", b"curl\x7f")]), 400, controls)

    add("TE in HTTP/1.0", request(b"POST", version=b"HTTP/1.0", headers=[(b"Transfer-Encoding", b"chunked")],
                                  body=b"5\r\nhello\r\n0\r\n\r\n"), 400,
        "Transfer-Encoding in an HTTP/1.0 request: h11 honours it; RFC 9112 §6.1 says to treat the framing as faulty → 400")

    version = "well-formed version other than 1.0/1.1: h11 accepts it as such; RFC 9110 §15.6.6 → 505"
    for text in [b"HTTP/1.2", b"HTTP/1.9", b"HTTP/2.0", b"HTTP/3.0", b"HTTP/0.9", b"HTTP/9.9"]:
        add(f"version {text.decode()}", request(version=text), 505, version)

    extension = ("chunk extension outside RFC 9112 §7.1.1 (token or quoted-string values, no whitespace before the "
                 "line end): h11 reads anything after ';' up to CRLF; two parsers that delimit the line differently "
                 "are a smuggling pair → 400")
    for byte in CHUNK_EXTENSION_DIVERGENT_BYTES:
        add(f"chunk extension byte 0x{byte:02x}", chunked_raw(b"1;e=" + bytes([byte]) + b"\r\nx\r\n0\r\n\r\n"), 400, extension)
    add("chunk extension obs-text", chunked_raw(b"5;n=\xe9\r\nhello\r\n0\r\n\r\n"), 400, extension)
    add("chunk extension value with tab", chunked_raw(b"5;a=b\tc\r\nhello\r\n0\r\n\r\n"), 400, extension)
    add("chunk extension bare ;", chunked_raw(b"5;\r\nhello\r\n0\r\n\r\n"), 400, extension)
    add("chunk extension unclosed quote", chunked_raw(b"5;a=\"b\r\nhello\r\n0\r\n\r\n"), 400, extension)
    add("chunk size trailing space", chunked_raw(b"5 \r\nhello\r\n0\r\n\r\n"), 400, extension)
    add("chunk size trailing tab", chunked_raw(b"5\t\r\nhello\r\n0\r\n\r\n"), 400, extension)
    add("chunk extension trailing space", chunked_raw(b"5;a=b \r\nhello\r\n0\r\n\r\n"), 400, extension)

    bare_lf = ("bare LF as a line end: h11 accepts it (RFC 9112 §2.2 allows that); a front end that does not would "
               "see other lines than barkd → 400")
    add("bare LF everywhere", request(eol=b"\n"), 400, bare_lf)
    add("bare LF with headers", request(eol=b"\n", headers=[(b"Accept", b"*/*"), (b"X", b"y")]), 400, bare_lf)
    add("bare LF with body", b"POST / HTTP/1.1\nHost: a\nContent-Length: 3\n\nabc", 400, bare_lf)
    add("bare LF after one field", b"GET / HTTP/1.1\r\nHost: a\nAccept: */*\r\n\r\n", 400, bare_lf)
    add("bare LF ends the request line", b"GET / HTTP/1.1\nHost: a\r\n\r\n", 400, bare_lf)
    add("bare LF blank line", b"GET / HTTP/1.1\r\nHost: a\r\n\n", 400, bare_lf)
    add("bare LF head, CRLF blank line", b"GET / HTTP/1.1\nHost: a\n\r\n", 400, bare_lf)
    add("bare LF in a trailer", chunked_raw(b"5\r\nhello\r\n0\r\nX-T: v\n\n"), 400, bare_lf)
    add("bare LF after the last chunk", chunked_raw(b"5\r\nhello\r\n0\r\n\n"), 400, bare_lf)

    target = ("fragment or backslash in the target: h11 passes it on; a fragment is never sent (RFC 9112 §3.2), and "
              "a backslash is outside RFC 3986 and read as '/' by some servers → 400")
    add("target with fragment", request(target=b"/a#frag"), 400, target)
    add("target with query and fragment", request(target=b"/search?q=a+b&lang=en#top"), 400, target)
    add("target with backslash", request(target=b"/{}|\\^`[]"), 400, target)
    add("target byte 0x23", request(target=b"/a#b"), 400, target)
    add("target byte 0x5c", request(target=b"/a\\b"), 400, target)
    authority = ("absolute-form authority that is not uri-host [':' port] (RFC 9110 §4.2.4: no userinfo in an http "
                 "URI; §4.2.1: no empty host): h11 does not look → 400")
    add("absolute-form with userinfo", request(target=b"https://user:pw@example.com/x?y"), 400, authority)
    add("absolute-form with user", request(target=b"http://user@example.com/"), 400, authority)
    add("absolute-form empty host", request(target=b"http:///x"), 400, authority)
    add("absolute-form port too large", request(target=b"http://example.com:65536/"), 400, authority)
    asterisk = "asterisk-form with a method other than OPTIONS (RFC 9112 §3.2.4): h11 accepts any target → 400"
    for method in [b"GET", b"POST", b"DELETE"]:
        add(f"asterisk-form with {method.decode()}", request(method, b"*"), 400, asterisk)

    host = ("Host that is not uri-host [':' port] (RFC 9110 §7.2, RFC 3986 §3.2.2): h11 takes any field value; a "
            "front end and barkd could route by different hosts → 400")
    for value in [b"user@example.com", b"example.com/path", b"a, b", b"a,b", b"a b", b"example.com:65536",
                  b"example.com:http", b"[::1", b"::1", b"[::1]x", b"[1::2::3]", b"a\\b", b"a\"b", b"\xe9.example",
                  b"%zz"]:
        add(f"Host {value!r}", request(host=value), 400, host)

    expect = "Expect other than 100-continue: h11 ignores it; RFC 9110 §10.1.1 lets a server answer 417"
    add("Expect unknown", request(headers=[(b"Expect", b"something")]), 417, expect)
    add("Expect list with an unknown member", request(headers=[(b"Expect", b"100-continue, x")]), 417, expect)

    trailer = "framing field in a trailer: h11 validates and keeps it; RFC 9110 §6.5.1 forbids framing in trailers → 400"
    add("Content-Length trailer", chunked(b"hello", trailers=b"Content-Length: 5\r\n"), 400, trailer)
    add("Transfer-Encoding trailer", chunked(b"hello", trailers=b"Transfer-Encoding: chunked\r\n"), 400, trailer)

    size = "chunk-size of more than 16 hex digits: h11 allows 20; barkd bounds it (RFC 9112 §7.1 overflow advice) → 400"
    add("chunk-size 17 digits", chunked_raw(b"00000000000000005\r\nhello\r\n0\r\n\r\n"), 400, size)
    add("chunk-size 20 digits", chunked_raw(b"00000000000000000005\r\nhello\r\n0\r\n\r\n"), 400, size)
    add("last chunk 17 zeros", chunked_raw(b"00000000000000000\r\n\r\n"), 400, size)
    return rows


KNOWN_DIVERGENCES = _divergences()

# Requests barkd accepts and h11 rejects, each deliberate: (name, raw, reason).
LENIENT_DIVERGENCES = [
    ("leading CRLF", b"\r\n" + request(),
     "an empty line before the request line: RFC 9112 §2.2 has a server ignore at least one; h11 refuses it"),
    ("two leading CRLFs", b"\r\n\r\n" + request(), "as above, more than one empty line"),
    ("chunk extension after whitespace", chunked_raw(b"5 ;a=b\r\nhello\r\n0\r\n\r\n"),
     "BWS before ';' is in the chunk-ext grammar (RFC 9112 §7.1.1); h11's pattern has no room for it"),
]

# Requests that are well-formed but exceed one of barkd's default limits (HTTPLimits,
# issue #2); h11 has no such limits for a complete message. Not parser divergences.
LIMIT_CASES = [
    Divergence("101 header fields", request(headers=[(b"X-F%d" % i, b"v") for i in range(100)]), 431,
               "more than 100 header fields → 431"),
    Divergence("request line over 8 KiB", request(target=b"/" + b"a" * 8200), 414, "request line over 8 KiB → 414"),
    Divergence("header section over 32 KiB", request(headers=[(b"X-Big-%d" % i, b"h" * 8000) for i in range(5)]), 431,
               "header section over 32 KiB → 431"),
    Divergence("body over 1 MiB", request(b"POST", headers=[(b"Content-Length", b"%d" % (1024 * 1024 + 1))],
                                          body=b"b" * (1024 * 1024 + 1)), 413, "body over 1 MiB → 413"),
    Divergence("chunked body over 1 MiB", chunked(b"c" * (512 * 1024), b"d" * (512 * 1024 + 1)), 413, "body over 1 MiB → 413"),
    Divergence("chunk line over 4 KiB", chunked_raw(b"1;e=" + b"x" * 5000 + b"\r\nx\r\n0\r\n\r\n"), 400,
               "chunk-size line over 4 KiB → 400"),
]

MAIN_CORPUS = main_corpus()


# --- The two parsers ---------------------------------------------------------------------------


def h11_parse(raw: bytes) -> dict:
    """What h11, as a server given ``raw`` and then EOF, makes of it (barkd-parse's shape)."""
    connection = h11.Connection(h11.SERVER)
    request_event = None
    body = b""
    try:
        connection.receive_data(raw)
        connection.receive_data(b"")
        while True:
            event = connection.next_event()
            if event is h11.NEED_DATA or event is h11.PAUSED or isinstance(event, h11.ConnectionClosed):
                return {"verdict": "reject", "reason": f"h11: {event!r} before end of message"}
            if isinstance(event, h11.Request):
                request_event = event
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage):
                break
    except h11.ProtocolError as error:
        return {"verdict": "reject", "status": error.error_status_hint, "reason": f"h11: {error}"}
    leftover, _ = connection.trailing_data
    if leftover:
        # barkd-parse reports bytes after one complete message the same way.
        return {"verdict": "reject", "reason": f"h11: {len(leftover)} trailing bytes after message"}
    assert request_event is not None
    keep_alive = {h11.DONE: True, h11.MUST_CLOSE: False}.get(connection.their_state)
    return {
        "verdict": "accept",
        "method": request_event.method.decode("ascii"),
        "target": request_event.target.decode("ascii"),
        "version": request_event.http_version.decode("ascii"),
        "keep_alive": keep_alive,
        "headers": [(name, value) for name, value in request_event.headers],
        "body": body,
    }


def run_barkd_parse(raws: list[bytes]) -> list[dict]:
    """barkd-parse's verdicts on ``raws``: one subprocess, one base64 line per request."""
    binary = os.environ.get("BARKD_PARSE_BIN")
    if not binary:
        pytest.fail("BARKD_PARSE_BIN is not set: point it at the barkd-parse executable "
                    "(e.g. BARKD_PARSE_BIN=.build/debug/barkd-parse after `swift build`)", pytrace=False)
    if not os.access(binary, os.X_OK):
        pytest.fail(f"BARKD_PARSE_BIN={binary!r} is not an executable file (build it with `swift build`)", pytrace=False)
    stdin = b"".join(base64.b64encode(raw) + b"\n" for raw in raws)
    completed = subprocess.run([binary], input=stdin, capture_output=True, timeout=PROBE_TIMEOUT_SECONDS, check=False)
    assert completed.returncode == 0, f"barkd-parse exited {completed.returncode}: {completed.stderr.decode(errors='replace')}"
    # Split on LF only: str.splitlines() would also split at U+0085 and friends (obs-text).
    lines = completed.stdout.decode("utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    assert len(lines) == len(raws), f"barkd-parse printed {len(lines)} lines for {len(raws)} requests"
    results = [json.loads(line) for line in lines]
    for result in results:
        assert result["verdict"] in ("accept", "reject"), result
        if result["verdict"] == "accept":
            # Back to bytes: values are Latin-1 code points, names and target ASCII.
            result["headers"] = [(name.encode("ascii"), value.encode("latin-1")) for name, value in result["headers"]]
            result["body"] = base64.b64decode(result["body"])
    return results


def differences(barkd: dict, reference: dict) -> list[str]:
    """How barkd's result differs from h11's; empty when they agree."""
    if barkd["verdict"] != reference["verdict"]:
        return [f"verdict: barkd {barkd['verdict']} ({barkd.get('status')} {barkd.get('reason')!r}), "
                f"h11 {reference['verdict']} ({reference.get('reason')!r})"]
    if barkd["verdict"] == "reject":
        return []
    found = []
    for key in ("method", "target", "version", "body"):
        if barkd[key] != reference[key]:
            found.append(f"{key}: barkd {barkd[key]!r}, h11 {reference[key]!r}")
    # h11 lowercases names (compare them so) and lowercases the Transfer-Encoding value,
    # which barkd reports as sent: compare that one value case-insensitively.
    barkd_headers = [(name.lower(), value.lower() if name.lower() == b"transfer-encoding" else value)
                     for name, value in barkd["headers"]]
    if barkd_headers != reference["headers"]:
        found.append(f"headers: barkd {barkd_headers!r}, h11 {reference['headers']!r}")
    # h11 never keeps an HTTP/1.0 connection alive, and decides nothing while a protocol
    # switch (CONNECT, Upgrade) is pending: compare keep-alive for 1.1 where it decided.
    if reference["version"] == "1.1" and reference["keep_alive"] is not None:
        if barkd["keep_alive"] != reference["keep_alive"]:
            found.append(f"keep_alive: barkd {barkd['keep_alive']}, h11 {reference['keep_alive']}")
    return found


# --- Tests -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def barkd_results() -> dict[bytes, dict]:
    raws = ([raw for _, raw in MAIN_CORPUS] + [row.raw for row in KNOWN_DIVERGENCES + LIMIT_CASES]
            + [raw for _, raw, _ in LENIENT_DIVERGENCES])
    return dict(zip(raws, run_barkd_parse(raws)))


def test_corpus_is_large_and_mixed():
    raws = [raw for _, raw in MAIN_CORPUS]
    assert len(set(raws)) == len(raws) >= 200
    verdicts = [h11_parse(raw)["verdict"] for raw in raws]
    assert verdicts.count("accept") >= 100 and verdicts.count("reject") >= 100, "corpus lost its balance"
    assert not {row.raw for row in KNOWN_DIVERGENCES + LIMIT_CASES} & set(raws)
    assert not {raw for _, raw, _ in LENIENT_DIVERGENCES} & set(raws)


@pytest.mark.parametrize("name, raw", MAIN_CORPUS, ids=[name for name, _ in MAIN_CORPUS])
def test_barkd_agrees_with_h11(barkd_results, name, raw):
    found = differences(barkd_results[raw], h11_parse(raw))
    assert not found, f"{name}: raw={raw[:300]!r}\n" + "\n".join(found)


@pytest.mark.parametrize("row", KNOWN_DIVERGENCES + LIMIT_CASES, ids=[row.name for row in KNOWN_DIVERGENCES + LIMIT_CASES])
def test_barkd_is_stricter_where_documented(barkd_results, row):
    reference = h11_parse(row.raw)
    assert reference["verdict"] == "accept", f"h11 no longer accepts this; drop the row? {reference}"
    barkd = barkd_results[row.raw]
    assert (barkd["verdict"], barkd.get("status")) == ("reject", row.status), f"{row.reason}: barkd said {barkd}"


@pytest.mark.parametrize("name, raw, reason", LENIENT_DIVERGENCES, ids=[name for name, _, _ in LENIENT_DIVERGENCES])
def test_barkd_accepts_where_documented(barkd_results, name, raw, reason):
    assert h11_parse(raw)["verdict"] == "reject", f"h11 now accepts this; move {name!r} to the main corpus"
    assert barkd_results[raw]["verdict"] == "accept", f"{reason}: barkd said {barkd_results[raw]}"


def test_comparison_detects_a_flipped_verdict(barkd_results):
    """The comparison must be able to fail: a flipped verdict, a changed header or body is caught."""
    accepted = next(raw for _, raw in MAIN_CORPUS if barkd_results[raw]["verdict"] == "accept")
    rejected = next(raw for _, raw in MAIN_CORPUS if barkd_results[raw]["verdict"] == "reject")
    assert differences({"verdict": "reject", "status": 400, "reason": "flipped"}, h11_parse(accepted))
    assert differences({"verdict": "accept"}, h11_parse(rejected))
    changed = dict(barkd_results[accepted], headers=barkd_results[accepted]["headers"] + [(b"x-extra", b"1")])
    assert differences(changed, h11_parse(accepted))
    assert differences(dict(barkd_results[accepted], body=b"?"), h11_parse(accepted))
