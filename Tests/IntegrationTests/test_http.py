"""barkd's HTTP/1.1 behaviour over real TCP: endpoints, framing, keep-alive, limits,
timeouts, request smuggling vectors, concurrency, descriptors and logs."""

from __future__ import annotations

import json
import re
import select
import socket
import struct
import threading
import time
from email.utils import parsedate_to_datetime

import h11
import pytest

from barkd_helpers import ACCESS_LOG_KEYS, Client, request, wait_until

IMF_FIXDATE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$")
COMMIT = re.compile(r"^[0-9a-f]{40}$")


def assert_common_headers(response):
    assert response.header("Server") == "barkd"
    date = response.header("Date")
    assert date is not None and IMF_FIXDATE.match(date), date
    parsedate_to_datetime(date)
    assert response.header("Content-Length") is not None
    assert response.header("Transfer-Encoding") is None
    request_id = response.header("X-Request-Id")
    assert request_id, f"no X-Request-Id in {response.headers}"


def assert_error(response, status):
    """A rejected request: its status, a JSON `{"error": "…"}` body (413 names the field
    `body`), `Connection: close`."""
    assert response.status == status, (response.status, response.body)
    assert response.header("Content-Type").startswith("application/json")
    body = response.json()
    assert isinstance(body["error"], str) and body["error"]
    assert body == ({"error": body["error"], "field": "body"} if status == 413 else {"error": body["error"]}), body
    assert response.closes, f"{status} without Connection: close: {response.headers}"
    assert int(response.header("Content-Length")) == len(response.body)


# --------------------------------------------------------------------------------------
# Endpoints
# --------------------------------------------------------------------------------------


def test_healthcheck_has_the_exact_original_shape(server, expected_commit):
    response = server.get("/healthcheck")
    assert response.status == 200
    assert_common_headers(response)
    assert response.header("Content-Type").split(";")[0].strip() == "application/json"
    assert int(response.header("Content-Length")) == len(response.body)
    document = json.loads(response.body)
    assert list(document.keys()) == ["myapplication"]
    assert isinstance(document["myapplication"], list) and len(document["myapplication"]) == 1
    entry = document["myapplication"][0]
    assert list(entry.keys()) == ["version", "description", "lastcommitsha"]
    assert entry["version"] == "0.1.0"
    assert isinstance(entry["description"], str) and entry["description"]
    assert entry["lastcommitsha"] == expected_commit
    assert COMMIT.match(entry["lastcommitsha"])
    # Compact, exactly the original serialisation: no whitespace between tokens.
    assert response.body == json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def test_healthcheck_description_is_configurable_and_json_escaped(start_barkd):
    description = 'dogs "and" \\ back\\slashes\ttab ü'
    barkd = start_barkd("--description", description)
    entry = barkd.get("/healthcheck").json()["myapplication"][0]
    assert entry["description"] == description


def test_healthcheck_description_from_environment_and_flag_wins(start_barkd):
    barkd = start_barkd(env={"BARKD_DESCRIPTION": "from the environment"})
    assert barkd.get("/healthcheck").json()["myapplication"][0]["description"] == "from the environment"
    barkd2 = start_barkd("--description", "from the flag", env={"BARKD_DESCRIPTION": "from the environment"})
    assert barkd2.get("/healthcheck").json()["myapplication"][0]["description"] == "from the flag"


def test_commit_sha_override_at_run_time(start_barkd, expected_commit):
    override = "0123456789abcdef0123456789abcdef01234567"
    assert override != expected_commit
    barkd = start_barkd(env={"BARKD_COMMIT_SHA": override})
    assert barkd.get("/healthcheck").json()["myapplication"][0]["lastcommitsha"] == override
    assert barkd.get("/version").json()["commit"] == override


def test_commit_sha_override_that_is_not_hex_is_ignored(start_barkd, expected_commit):
    barkd = start_barkd(env={"BARKD_COMMIT_SHA": "not-a-commit; rm -rf /"})
    assert barkd.get("/healthcheck").json()["myapplication"][0]["lastcommitsha"] == expected_commit


def test_version_endpoint(server, expected_commit):
    response = server.get("/version")
    assert response.status == 200
    assert_common_headers(response)
    assert response.header("Content-Type").split(";")[0].strip() == "application/json"
    document = response.json()
    assert set(document.keys()) == {"version", "commit", "build_date", "swift_version"}
    assert document["version"] == "0.1.0"
    assert document["version"] == server.get("/healthcheck").json()["myapplication"][0]["version"]
    assert document["commit"] == expected_commit
    assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", document["build_date"]), document
    assert re.search(r"\d+\.\d+", document["swift_version"]), document


def test_livez(server):
    response = server.get("/livez")
    assert response.status == 200
    assert_common_headers(response)
    assert response.body.strip() == b"ok"


def test_readyz_when_serving(server):
    response = server.get("/readyz")
    assert response.status == 200
    assert_common_headers(response)
    assert response.body == b"ready\n"


def test_unknown_path_is_404_json(server):
    response = server.get("/no/such/thing")
    assert response.status == 404
    assert_common_headers(response)
    assert response.header("Content-Type").startswith("application/json")
    assert response.json() == {"error": "not found"}


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_wrong_method_is_405_with_allow(server, method):
    response = server.get("/healthcheck", method=method)
    assert response.status == 405
    assert_common_headers(response)
    assert response.header("Allow") == "GET, HEAD"
    assert list(response.json().keys()) == ["error"]


def test_head_has_headers_and_no_body(server):
    expected = server.get("/healthcheck")
    with server.client() as client:
        # HEAD then GET pipelined: if HEAD carried a body, the GET's response would be
        # misread, so this proves the HEAD response ended after its head.
        client.send(request("HEAD", "/healthcheck") + request("GET", "/livez", {"Connection": "close"}))
        head = client.read_response(head=True)
        assert head.status == 200
        assert_common_headers(head)
        assert int(head.header("Content-Length")) == len(expected.body)
        assert head.header("Content-Type") == expected.header("Content-Type")
        follow = client.read_response()
        assert follow.status == 200 and follow.body.strip() == b"ok"
        client.expect_closed()


def test_head_of_unknown_path_is_404_without_body(server):
    with server.client() as client:
        client.send(request("HEAD", "/nope") + request("GET", "/livez", {"Connection": "close"}))
        head = client.read_response(head=True)
        assert head.status == 404
        assert int(head.header("Content-Length")) == len(b'{"error":"not found"}')
        assert client.read_response().status == 200
        client.expect_closed()


def test_query_string_and_percent_encoded_path(server):
    assert server.get("/healthcheck?verbose=1&x=%20").status == 200
    assert server.get("/health%63heck").status == 200
    assert server.get("/healthcheck/extra").status == 404


def test_request_id_is_echoed_when_valid_and_generated_otherwise(server):
    given = "req-123_abc.DEF:9"
    assert server.get("/livez", {"X-Request-Id": given}).header("X-Request-Id") == given
    for bad in ["has space", "x" * 129, "semi;colon"]:
        generated = server.get("/livez", {"X-Request-Id": bad}).header("X-Request-Id")
        assert generated and generated != bad
    a = server.get("/livez").header("X-Request-Id")
    b = server.get("/livez").header("X-Request-Id")
    assert a and b and a != b


def test_responses_are_valid_http_for_h11(server):
    """A strict independent client (h11) reads several keep-alive responses."""
    conn = h11.Connection(h11.CLIENT)
    with server.connect() as sock:
        for target in ["/healthcheck", "/version", "/livez", "/readyz", "/missing"]:
            sock.sendall(conn.send(h11.Request(method="GET", target=target, headers=[("Host", "127.0.0.1")])))
            sock.sendall(conn.send(h11.EndOfMessage()))
            response, body = None, b""
            while True:
                event = conn.next_event()
                if event is h11.NEED_DATA:
                    data = sock.recv(65536)  # the socket's timeout bounds each read
                    assert data, f"barkd closed the connection before the end of its answer to {target}"
                    conn.receive_data(data)
                    continue
                if isinstance(event, h11.Response):
                    response = event
                elif isinstance(event, h11.Data):
                    body += bytes(event.data)
                elif isinstance(event, h11.EndOfMessage):
                    break
                else:
                    raise AssertionError(f"unexpected h11 event answering {target}: {event!r}")
            assert response is not None
            assert response.status_code == (404 if target == "/missing" else 200)
            headers = {k.decode().lower(): v.decode() for k, v in response.headers}
            assert int(headers["content-length"]) == len(body)
            conn.start_next_cycle()


# --------------------------------------------------------------------------------------
# Connections: keep-alive, HTTP/1.0, pipelining, close
# --------------------------------------------------------------------------------------


def test_keep_alive_is_the_default_in_http11(server):
    with server.client() as client:
        for _ in range(5):
            client.send(request("GET", "/livez"))
            response = client.read_response()
            assert response.status == 200
            assert not response.closes
        # 404 and 405 do not end the connection either: their framing is certain.
        client.send(request("GET", "/missing"))
        assert client.read_response().status == 404
        client.send(request("POST", "/healthcheck", {"Content-Length": "3"}, b"abc"))
        assert client.read_response().status == 405
        client.send(request("GET", "/readyz"))
        assert client.read_response().status == 200


def test_connection_close_is_honoured(server):
    with server.client() as client:
        client.send(request("GET", "/livez", {"Connection": "close"}))
        response = client.read_response()
        assert response.status == 200
        assert response.closes
        client.expect_closed()


def test_http10_closes_by_default(server):
    with server.client() as client:
        client.send(request("GET", "/healthcheck", version="HTTP/1.0", host=None))
        response = client.read_response()
        assert response.status == 200
        assert response.closes
        client.expect_closed()


def test_http10_keep_alive_on_request(server):
    with server.client() as client:
        for _ in range(3):
            client.send(request("GET", "/livez", {"Connection": "keep-alive"}, version="HTTP/1.0", host=None))
            response = client.read_response()
            assert response.status == 200
            assert response.header("Connection") == "keep-alive"
        client.send(request("GET", "/livez", version="HTTP/1.0", host=None))
        assert client.read_response().closes
        client.expect_closed()


def test_pipelined_requests_are_answered_in_order(server):
    targets = ["/healthcheck", "/livez", "/missing", "/version", "/readyz", "/livez"]
    payload = b"".join(
        request("GET", t, {"X-Request-Id": f"pipe-{i}"}) for i, t in enumerate(targets)
    ) + request("GET", "/livez", {"X-Request-Id": "pipe-last", "Connection": "close"})
    with server.client() as client:
        client.send(payload)  # one send: every request is in flight at once
        for i, target in enumerate(targets):
            response = client.read_response()
            assert response.header("X-Request-Id") == f"pipe-{i}"
            assert response.status == (404 if target == "/missing" else 200)
            if target == "/healthcheck":
                assert "myapplication" in response.json()
            if target == "/version":
                assert "swift_version" in response.json()
            if target == "/readyz":
                assert response.body == b"ready\n"
        last = client.read_response()
        assert last.header("X-Request-Id") == "pipe-last" and last.closes
        client.expect_closed()


def test_pipelined_request_after_connection_close_is_not_answered(server):
    with server.client() as client:
        client.send(request("GET", "/livez", {"X-Request-Id": "a"})
                    + request("GET", "/livez", {"X-Request-Id": "b", "Connection": "close"})
                    + request("GET", "/livez", {"X-Request-Id": "c"}))
        assert client.read_response().header("X-Request-Id") == "a"
        second = client.read_response()
        assert second.header("X-Request-Id") == "b" and second.closes
        client.expect_closed()


def test_expect_100_continue(server):
    with server.client() as client:
        client.send(request("GET", "/healthcheck", {"Content-Length": "5", "Expect": "100-continue"}))
        interim = client.read_response(allow_interim=True)  # before any body byte is sent
        assert interim.status == 100
        client.send(b"hello")
        final = client.read_response()
        assert final.status == 200
        assert "myapplication" in final.json()
        # The connection stays usable, and the body did not leak into the next request.
        client.send(request("GET", "/livez"))
        assert client.read_response().status == 200


def test_an_expectation_other_than_100_continue_is_417_and_closed(server):
    with server.client() as client:
        client.send(request("GET", "/healthcheck", {"Expect": "something-else"}) + request("GET", "/livez"))
        assert_error(client.read_response(), 417)
        client.expect_closed()


def test_no_100_continue_for_http10(server):
    """An HTTP/1.0 client cannot read an interim response: barkd waits for the body."""
    with server.client() as client:
        client.send(request("POST", "/healthcheck", {"Content-Length": "5", "Expect": "100-continue"}, version="HTTP/1.0"))
        readable, _, _ = select.select([client.sock], [], [], 0.3)
        assert not readable, "barkd answered before the body of an HTTP/1.0 request"
        client.send(b"hello")
        response = client.read_response()
        assert response.status in (200, 405), response.status


def test_options_asterisk_is_204_with_allow(server):
    with server.client() as client:
        client.send(request("OPTIONS", "*") + request("GET", "/livez"))
        response = client.read_response()
        assert response.status == 204, response.status
        allowed = [method.strip() for method in response.header("Allow").split(",")]
        assert {"GET", "HEAD", "OPTIONS"} <= set(allowed) and len(allowed) == len(set(allowed)), allowed
        assert not response.closes
        assert client.read_response().status == 200


def test_empty_lines_before_a_request_are_ignored(server):
    """RFC 9112 §2.2: a CRLF after a body (old clients send one) does not break the next request."""
    with server.client() as client:
        client.send(b"\r\n" + request("GET", "/livez") + b"\r\n\r\n" + request("GET", "/livez"))
        assert client.read_response().status == 200
        assert client.read_response().status == 200


def test_request_body_with_content_length_is_consumed(server):
    with server.client() as client:
        smuggled = b"GET /missing HTTP/1.1\r\nHost: x\r\n\r\n"
        client.send(request("GET", "/healthcheck", {"Content-Length": str(len(smuggled))}, smuggled))
        assert client.read_response().status == 200
        client.send(request("GET", "/livez"))
        response = client.read_response()
        assert response.status == 200 and response.body.strip() == b"ok"


def test_chunked_request_body_is_accepted(server):
    body = b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n"
    with server.client() as client:
        client.send(request("GET", "/healthcheck", {"Transfer-Encoding": "chunked"}, body))
        assert client.read_response().status == 200
        # Sent in pieces, across several reads.
        client.send(request("GET", "/healthcheck", {"Transfer-Encoding": "chunked"}))
        for piece in [b"3\r\nabc", b"\r\n", b"4\r\nd", b"efg\r\n0", b"\r\n\r\n"]:
            client.send(piece)
            time.sleep(0.02)
        assert client.read_response().status == 200
        client.send(request("GET", "/livez"))
        assert client.read_response().status == 200


@pytest.mark.parametrize("size", [20_000, 50_000, 100_000, 200_000, 500_000, 1 << 20])
def test_large_request_bodies_are_read_completely(server, size):
    """Bodies larger than barkd's initial 16 KiB read buffer, sent in one go, are read
    to the end (the buffer grows) and answered at once — not after the body timeout."""
    body = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    with server.client() as client:
        client.send(request("GET", "/healthcheck", {"Content-Length": str(size)}, body))
        response = client.read_response()
        assert response.status == 200, (size, response.status, response.body)
        client.send(request("GET", "/livez"))
        assert client.read_response().status == 200


def test_large_header_section_under_the_limit_is_read_completely(server):
    headers = {f"X-Big-{i}": "v" * 1900 for i in range(15)}  # ~29 KiB < 32 KiB
    with server.client() as client:
        client.send(request("GET", "/healthcheck", headers))
        response = client.read_response()
        assert response.status == 200, (response.status, response.body)


def test_body_of_exactly_the_limit_is_accepted(start_barkd):
    barkd = start_barkd("--max-body", "64KiB")
    body = b"x" * (64 * 1024)
    with barkd.client() as client:
        client.send(request("GET", "/healthcheck", {"Content-Length": str(len(body))}, body))
        assert client.read_response().status == 200
        chunked = b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"
        client.send(request("GET", "/healthcheck", {"Transfer-Encoding": "chunked"}, chunked))
        assert client.read_response().status == 200


def test_max_requests_per_connection(start_barkd):
    barkd = start_barkd("--max-requests-per-connection", "3")
    with barkd.client() as client:
        for i in range(2):
            client.send(request("GET", "/livez"))
            response = client.read_response()
            assert response.status == 200 and not response.closes, i
        client.send(request("GET", "/livez"))
        third = client.read_response()
        assert third.status == 200 and third.closes
        client.expect_closed()
    with barkd.client() as client:
        client.send(b"".join(request("GET", "/livez", {"X-Request-Id": f"r{i}"}) for i in range(5)))
        ids = []
        for _ in range(3):
            ids.append(client.read_response().header("X-Request-Id"))
        assert ids == ["r0", "r1", "r2"]
        client.expect_closed()


# --------------------------------------------------------------------------------------
# Limits
# --------------------------------------------------------------------------------------


def test_request_line_too_long_is_414(server):
    with server.client() as client:
        client.send(request("GET", "/" + "a" * (9 * 1024)))
        assert_error(client.read_response(), 414)
        client.expect_closed()


def test_request_line_at_the_limit_is_not_414(start_barkd):
    barkd = start_barkd("--max-request-line", "200B")
    target = "/healthcheck?" + "q" * (200 - len("GET  HTTP/1.1") - len("/healthcheck?"))
    line = f"GET {target} HTTP/1.1"
    assert len(line) == 200
    with barkd.client() as client:
        client.send(request("GET", target))
        assert client.read_response().status == 200
    with barkd.client() as client:
        client.send(request("GET", target + "q"))
        assert_error(client.read_response(), 414)
        client.expect_closed()


def test_header_section_too_large_is_431(server):
    headers = {f"X-Big-{i}": "v" * 2000 for i in range(20)}  # ~40 KiB, 21 fields
    with server.client() as client:
        client.send(request("GET", "/healthcheck", headers))
        assert_error(client.read_response(), 431)
        client.expect_closed()


def test_too_many_header_fields_is_431(server):
    # Host + 99 fields = 100: allowed.
    with server.client() as client:
        client.send(request("GET", "/livez", {f"X-F{i}": "1" for i in range(99)}))
        assert client.read_response().status == 200
    # Host + 100 fields = 101: too many.
    with server.client() as client:
        client.send(request("GET", "/livez", {f"X-F{i}": "1" for i in range(100)}))
        assert_error(client.read_response(), 431)
        client.expect_closed()


def test_body_too_large_by_content_length_is_413(server):
    with server.client() as client:
        # Only the head is sent: the answer must not wait for a body it will refuse.
        client.send(request("GET", "/healthcheck", {"Content-Length": str((1 << 20) + 1)}))
        assert_error(client.read_response(), 413)
        client.expect_closed()


def test_body_too_large_by_chunked_size_line_is_413(server):
    with server.client() as client:
        client.send(request("GET", "/healthcheck", {"Transfer-Encoding": "chunked"}) + b"%x\r\n" % ((1 << 20) + 1))
        assert_error(client.read_response(), 413)
        client.expect_closed()


def test_body_too_large_by_chunked_total_is_413(server):
    chunk = b"x" * (400 * 1024)
    body = b"".join(b"%x\r\n" % len(chunk) + chunk + b"\r\n" for _ in range(3)) + b"0\r\n\r\n"
    with server.client() as client:
        sender = threading.Thread(target=lambda: _send_ignoring_reset(client.sock,
                                  request("GET", "/healthcheck", {"Transfer-Encoding": "chunked"}) + body))
        sender.start()
        try:
            assert_error(client.read_response(), 413)
            client.read_until_closed()
        finally:
            sender.join(timeout=10)


def _send_ignoring_reset(sock, data):
    try:
        sock.sendall(data)
    except OSError:
        pass


@pytest.mark.parametrize("coding", ["gzip", "gzip, chunked", "identity", "x-unknown"])
def test_unknown_transfer_coding_is_501(server, coding):
    with server.client() as client:
        client.send(request("GET", "/healthcheck", {"Transfer-Encoding": coding}) + b"0\r\n\r\n")
        assert_error(client.read_response(), 501)
        client.expect_closed()


@pytest.mark.parametrize("version", ["HTTP/2.0", "HTTP/1.2", "HTTP/3.0"])
def test_unsupported_version_is_505(server, version):
    with server.client() as client:
        client.send(request("GET", "/healthcheck", version=version))
        assert_error(client.read_response(), 505)
        client.expect_closed()


@pytest.mark.parametrize("raw", [
    b"GARBAGE\r\n\r\n",
    b"GET\r\n\r\n",
    b"GET /healthcheck\r\nHost: x\r\n\r\n",
    b"GET /healthcheck HTTP/1.1 extra\r\nHost: x\r\n\r\n",
    b"GET  /healthcheck HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /healthcheck HTTX/1.1\r\nHost: x\r\n\r\n",
    b"GET /health check HTTP/1.1\r\nHost: x\r\n\r\n",
    b"G(T /healthcheck HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /healthcheck HTTP/1.1\r\nHost: x\r\nBad[Name]: 1\r\n\r\n",
    b"GET /healthcheck HTTP/1.1\r\nHost: x\r\n: empty-name\r\n\r\n",
    b"GET /healthcheck HTTP/1.1\r\nHost: x\r\nX-Ctl: a\x01b\r\n\r\n",
    b"GET /healthcheck HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n",
    b"GET /healthcheck HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"GET /healthcheck HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # a TLS ClientHello
], ids=lambda raw: raw[:40].decode("latin-1"))
def test_malformed_requests_are_400_and_closed(server, raw):
    with server.client() as client:
        client.send(raw)
        assert_error(client.read_response(), 400)
        client.expect_closed()


def test_invalid_percent_encoding_in_path_is_400_and_closed(server):
    """A target the parser accepts but the router cannot decode: 400, and like every
    error response it carries Connection: close and ends the connection."""
    with server.client() as client:
        client.send(request("GET", "/health%zzcheck") + request("GET", "/livez"))
        assert_error(client.read_response(), 400)
        client.expect_closed()


def test_server_keeps_serving_after_bad_requests(server):
    for raw in [b"GARBAGE\r\n\r\n", b"GET / HTTP/1.1\r\n\r\n", b"\x00\x01\x02\r\n\r\n"]:
        with server.client() as client:
            client.send(raw)
            assert client.read_response().status == 400
    assert server.get("/livez").status == 200
    assert server.alive()


# --------------------------------------------------------------------------------------
# Request smuggling vectors: each is 400 and the connection is closed
# --------------------------------------------------------------------------------------

SMUGGLED = b"GET /version HTTP/1.1\r\nHost: x\r\n\r\n"

SMUGGLING_VECTORS = {
    "cl-and-te": b"POST /healthcheck HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED,
    "te-and-cl": b"POST /healthcheck HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 40\r\n\r\n0\r\n\r\n" + SMUGGLED,
    "two-content-lengths-same": b"GET /healthcheck HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello" + SMUGGLED,
    "two-content-lengths-differ": b"GET /healthcheck HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 36\r\n\r\n" + SMUGGLED,
    "content-length-list": b"GET /healthcheck HTTP/1.1\r\nHost: x\r\nContent-Length: 1,1\r\n\r\nx" + SMUGGLED,
    "content-length-letters": b"GET /healthcheck HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n" + SMUGGLED,
    "content-length-plus": b"GET /healthcheck HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello" + SMUGGLED,
    "content-length-negative": b"GET /healthcheck HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n" + SMUGGLED,
    "content-length-hex": b"GET /healthcheck HTTP/1.1\r\nHost: x\r\nContent-Length: 0x5\r\n\r\nhello" + SMUGGLED,
    "content-length-empty": b"GET /healthcheck HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n" + SMUGGLED,
    "content-length-inner-space": b"GET /healthcheck HTTP/1.1\r\nHost: x\r\nContent-Length: 1 1\r\n\r\nx" + SMUGGLED,
    "obs-fold": b"GET /healthcheck HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n" + SMUGGLED,
    "obs-fold-tab": b"GET /healthcheck HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n\tb\r\n\r\n" + SMUGGLED,
    "obs-fold-transfer-encoding": b"POST /healthcheck HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n" + SMUGGLED,
    "space-before-colon": b"GET /healthcheck HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n" + SMUGGLED,
    "space-before-colon-host": b"GET /healthcheck HTTP/1.1\r\nHost : x\r\n\r\n" + SMUGGLED,
    "tab-before-colon": b"GET /healthcheck HTTP/1.1\r\nHost: x\r\nContent-Length\t: 0\r\n\r\n" + SMUGGLED,
    "lone-cr-in-value": b"GET /healthcheck HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n" + SMUGGLED,
    "lone-cr-line-end": b"GET /healthcheck HTTP/1.1\r\nHost: x\rX-A: b\r\n\r\n" + SMUGGLED,
    "lone-cr-request-line": b"GET /healthcheck HTTP/1.1\rHost: x\r\n\r\n" + SMUGGLED,
    "missing-host-http11": b"GET /healthcheck HTTP/1.1\r\nX-A: b\r\n\r\n" + SMUGGLED,
    "two-hosts": b"GET /healthcheck HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n" + SMUGGLED,
    "two-hosts-http10": b"GET /healthcheck HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n" + SMUGGLED,
    "te-in-http10": b"POST /healthcheck HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED,
    "te-in-http10-keepalive": b"GET /healthcheck HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED,
    "two-transfer-encodings": b"POST /healthcheck HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED,
    # A bare LF where CRLF is required: in the request line, a field line, the blank line,
    # a chunk line, a trailer.
    "bare-lf-request-line": b"GET /healthcheck HTTP/1.1\nHost: x\r\n\r\n" + SMUGGLED,
    "bare-lf-field": b"GET /healthcheck HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n" + SMUGGLED,
    "bare-lf-blank-line": b"GET /healthcheck HTTP/1.1\r\nHost: x\r\n\n" + SMUGGLED,
    "bare-lf-chunk-line": b"POST /healthcheck HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\nx\r\n0\r\n\r\n" + SMUGGLED,
    "bare-lf-trailer": b"POST /healthcheck HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\n\r\n" + SMUGGLED,
    # Chunk extensions outside RFC 9112 §7.1.1.
    "chunk-ext-bare-semicolon": b"POST /healthcheck HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;\r\nx\r\n0\r\n\r\n" + SMUGGLED,
    "chunk-size-trailing-space": b"POST /healthcheck HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1 \r\nx\r\n0\r\n\r\n" + SMUGGLED,
    "chunk-ext-not-a-token": b"POST /healthcheck HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;a=b c\r\nx\r\n0\r\n\r\n" + SMUGGLED,
    # Host and target that two parsers could read differently.
    "host-userinfo": b"GET /healthcheck HTTP/1.1\r\nHost: user@x\r\n\r\n" + SMUGGLED,
    "host-list": b"GET /healthcheck HTTP/1.1\r\nHost: a, b\r\n\r\n" + SMUGGLED,
    "host-path": b"GET /healthcheck HTTP/1.1\r\nHost: x/y\r\n\r\n" + SMUGGLED,
    "host-port-too-large": b"GET /healthcheck HTTP/1.1\r\nHost: x:65536\r\n\r\n" + SMUGGLED,
    "host-unbalanced-bracket": b"GET /healthcheck HTTP/1.1\r\nHost: [::1\r\n\r\n" + SMUGGLED,
    "target-fragment": b"GET /healthcheck#x HTTP/1.1\r\nHost: x\r\n\r\n" + SMUGGLED,
    "target-backslash": b"GET /health\\check HTTP/1.1\r\nHost: x\r\n\r\n" + SMUGGLED,
    "absolute-form-userinfo": b"GET http://user@x/healthcheck HTTP/1.1\r\nHost: x\r\n\r\n" + SMUGGLED,
    "asterisk-with-get": b"GET * HTTP/1.1\r\nHost: x\r\n\r\n" + SMUGGLED,
}


@pytest.mark.parametrize("name", list(SMUGGLING_VECTORS))
def test_smuggling_vector_is_400_and_closed(server, name):
    with server.client() as client:
        client.send(SMUGGLING_VECTORS[name])
        response = client.read_response()
        if name == "two-transfer-encodings":
            # Two TE fields may be refused as 400 or as an unsupported coding (501);
            # either way nothing after it may be answered.
            assert response.status in (400, 501)
            assert_error(response, response.status)
        else:
            assert_error(response, 400)
        # Nothing smuggled behind it is answered: the next bytes are EOF.
        client.expect_closed()


def test_smuggled_request_after_rejected_one_is_not_served_on_keep_alive(server):
    """A good request first (keep-alive), then a vector: only two responses, then EOF."""
    with server.client() as client:
        client.send(request("GET", "/livez") + SMUGGLING_VECTORS["cl-and-te"])
        assert client.read_response().status == 200
        assert_error(client.read_response(), 400)
        client.expect_closed()


def test_error_responses_carry_a_request_id(server):
    """Every response carries X-Request-Id, rejected requests included."""
    with server.client() as client:
        client.send(b"GET /healthcheck HTTP/1.1\r\n\r\n")  # missing Host
        response = client.read_response()
        assert response.status == 400
        assert_common_headers(response)


# --------------------------------------------------------------------------------------
# Timeouts
# --------------------------------------------------------------------------------------


def test_slowloris_gets_408_at_the_header_deadline(start_barkd):
    barkd = start_barkd("--header-timeout", "1s")
    with barkd.client() as client:
        client.send(b"GET /healthcheck HTTP/1.1\r\nHost: x\r\n")
        response = client.read_response()  # within the 5 s socket timeout
        assert_error(response, 408)
        client.expect_closed()


def test_header_deadline_counts_from_the_first_byte_not_the_last(start_barkd):
    """Trickling one byte at a time does not extend the deadline."""
    barkd = start_barkd("--header-timeout", "1s")
    head = b"GET /healthcheck HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 200
    with barkd.client() as client:
        got = b""
        deadline = time.monotonic() + 8
        for byte in head:
            if time.monotonic() > deadline:
                break
            try:
                client.sock.sendall(bytes([byte]))
            except OSError:
                break
            readable, _, _ = select.select([client.sock], [], [], 0.1)
            if readable:
                break
        # 200+ bytes at 10/s would take 20 s: the 408 must come long before the end.
        response = client.read_response()
        assert_error(response, 408)


def test_body_deadline_gives_408(start_barkd):
    barkd = start_barkd("--body-timeout", "1s")
    with barkd.client() as client:
        client.send(request("GET", "/healthcheck", {"Content-Length": "10"}, b"abc"))
        assert_error(client.read_response(), 408)
        client.expect_closed()


def test_idle_keep_alive_connection_is_closed_silently(start_barkd):
    barkd = start_barkd("--idle-timeout", "500ms")
    with barkd.client() as client:
        client.send(request("GET", "/livez"))
        assert client.read_response().status == 200
        client.expect_closed()  # no 408, no bytes: just EOF


def test_server_keeps_serving_while_slowloris_clients_dangle(start_barkd):
    barkd = start_barkd("--header-timeout", "3s")
    dangling = []
    try:
        for _ in range(50):
            client = barkd.client()
            client.send(b"GET /healthcheck HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            dangling.append(client)
        for _ in range(20):
            response = barkd.get("/healthcheck")
            assert response.status == 200
        with barkd.client() as client:
            for _ in range(20):
                client.send(request("GET", "/livez"))
                assert client.read_response().status == 200
        for client in dangling:
            assert_error(client.read_response(), 408)
            client.expect_closed()
    finally:
        for client in dangling:
            client.close()
    assert barkd.get("/livez").status == 200


def test_connection_limit_pauses_accepting_without_failing(start_barkd):
    barkd = start_barkd("--max-connections", "2", "--event-loops", "1")
    first, second = barkd.client(), barkd.client()
    third = None
    try:
        for client in (first, second):
            client.send(request("GET", "/livez"))
            assert client.read_response().status == 200
        # The kernel completes the handshake, but barkd does not accept beyond its limit.
        third = barkd.client()
        third.send(request("GET", "/livez", {"Connection": "close"}))
        readable, _, _ = select.select([third.sock], [], [], 1.0)
        assert not readable, "a third connection was served beyond --max-connections 2"
        first.close()
        response = third.read_response()
        assert response.status == 200
        assert barkd.alive()
    finally:
        for client in (first, second, third):
            if client is not None:
                client.close()


# --------------------------------------------------------------------------------------
# Load: concurrency and descriptor hygiene
# --------------------------------------------------------------------------------------


def test_300_concurrent_clients_with_keep_alive(start_barkd):
    barkd = start_barkd()
    clients = 300
    requests_each = 4
    barrier = threading.Barrier(clients, timeout=15)
    failures: list[str] = []
    successes = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        try:
            with Client(socket.create_connection(("127.0.0.1", barkd.port), timeout=10)) as client:
                barrier.wait()  # all 300 connections are open at the same time
                for n in range(requests_each):
                    target = ["/healthcheck", "/livez", "/version", "/readyz"][n % 4]
                    rid = f"c{index}-{n}"
                    client.send(request("GET", target, {"X-Request-Id": rid}))
                    response = client.read_response()
                    if response.status != 200 or response.header("X-Request-Id") != rid or response.closes:
                        raise AssertionError(f"{rid}: {response.status} {response.headers}")
            with lock:
                successes.append(index)
        except Exception as error:  # collected and reported below
            with lock:
                failures.append(f"client {index}: {error!r}")
            try:
                barrier.abort()
            except Exception:
                pass

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert not failures, failures[:10]
    assert len(successes) == clients, f"{clients - len(successes)} clients still running after the join timeouts"
    assert barkd.get("/livez").status == 200


def _settled_fd_count(barkd, timeout: float = 5.0) -> int:
    """The fd count once it stopped changing (connections of earlier requests closed)."""
    deadline = time.monotonic() + timeout
    previous = barkd.fd_count()
    while time.monotonic() < deadline:
        time.sleep(0.2)
        current = barkd.fd_count()
        if current == previous:
            return current
        previous = current
    return previous


def _wait_for_fd_count(barkd, target: int, tolerance: int, timeout: float, why: str) -> None:
    """Waits until barkd's fd count is within `tolerance` of `target`; fails with `why`."""
    wait_until(lambda: abs(barkd.fd_count() - target) <= tolerance, timeout,
               lambda: f"fd count {target}±{tolerance} ({why}); it is {barkd.fd_count()}", interval=0.1)


def test_thousand_connections_leave_no_descriptor_behind(start_barkd):
    # Timeouts far beyond the wait below: descriptors must come back because barkd
    # sees each client close, not because a timeout finally fired.
    barkd = start_barkd("--header-timeout", "30s", "--idle-timeout", "60s")
    assert barkd.get("/healthcheck").status == 200
    baseline = _settled_fd_count(barkd)
    assert baseline < 100, baseline
    total = 0
    for batch in range(10):
        sockets = []
        for i in range(100):
            sockets.append(barkd.connect())
            total += 1
        for i, sock in enumerate(sockets):
            kind = i % 5
            try:
                if kind == 0:
                    pass  # connect and close without a byte
                elif kind == 1:  # a full request and response
                    client = Client(sock)
                    client.send(request("GET", "/livez", {"Connection": "close"}))
                    assert client.read_response().status == 200
                elif kind == 2:  # half a request, then gone
                    sock.sendall(b"GET /healthcheck HTTP/1.1\r\nHo")
                elif kind == 3:  # a reset instead of a close
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                else:  # keep-alive request, then close while idle
                    client = Client(sock)
                    client.send(request("GET", "/livez"))
                    assert client.read_response().status == 200
            finally:
                sock.close()
    assert total == 1000
    _wait_for_fd_count(barkd, baseline, 2, timeout=8, why="back to the baseline after 1000 connections")
    assert barkd.get("/livez").status == 200


def test_client_that_closes_right_after_a_partial_request_is_noticed(start_barkd):
    """Data and FIN arriving together: barkd must read on to the end of file and close
    its side, not wait for the header timeout with the descriptor held (CLOSE-WAIT)."""
    barkd = start_barkd("--header-timeout", "30s")
    assert barkd.get("/livez").status == 200
    baseline = _settled_fd_count(barkd)
    sockets = [barkd.connect() for _ in range(20)]
    # Once barkd accepted them all (and waits for their first bytes) …
    _wait_for_fd_count(barkd, baseline + 20, 0, timeout=5, why=f"baseline {baseline} + 20 accepted connections")
    # … each sends half a request head and closes at once.
    for sock in sockets:
        sock.sendall(b"GET /healthcheck HTTP/1.1\r\nHo")
        sock.close()
    _wait_for_fd_count(barkd, baseline, 1, timeout=8, why="closed clients no longer held")


def test_half_closed_client_gets_its_answer_then_end_of_file(start_barkd):
    """`printf 'GET …' | nc`: the request and a FIN (shutdown(SHUT_WR)) arrive together;
    barkd answers, then closes instead of idling until --idle-timeout."""
    barkd = start_barkd("--idle-timeout", "30s")
    for i in range(20):
        with barkd.client() as client:
            client.send(request("GET", "/livez"))
            client.sock.shutdown(socket.SHUT_WR)
            assert client.read_response().status == 200
            client.expect_closed(timeout=5)


def test_fd_count_does_rise_while_connections_are_open(start_barkd):
    """Guards the leak test above: /proc/<pid>/fd does see barkd's connections."""
    barkd = start_barkd()
    assert barkd.get("/livez").status == 200
    baseline = _settled_fd_count(barkd)
    clients = [barkd.client() for _ in range(50)]
    try:
        for client in clients:
            client.send(request("GET", "/livez"))
            assert client.read_response().status == 200
        assert barkd.fd_count() >= baseline + 50
    finally:
        for client in clients:
            client.close()
    _wait_for_fd_count(barkd, baseline, 2, timeout=10, why="back to the baseline after 50 clients")


# --------------------------------------------------------------------------------------
# Logs
# --------------------------------------------------------------------------------------


def test_every_log_line_is_json_and_access_lines_have_all_keys(start_barkd):
    barkd = start_barkd()
    sent_ids = []
    for target, method in [("/healthcheck", "GET"), ("/livez", "HEAD"), ("/nope", "GET"),
                           ("/healthcheck", "POST"), ("/version", "GET"), ("/readyz", "GET")]:
        response = barkd.get(target, method=method)
        sent_ids.append((response.header("X-Request-Id"), method, target, response.status))
    with barkd.client() as client:  # a rejected request is logged too (as JSON)
        client.send(b"GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
        assert client.read_response().status == 400
    with barkd.client() as client:
        client.send(request("GET", "/weird\"path\\ü", {"Connection": "close"}))
        assert client.read_response().status in (400, 404)
    barkd.send_signal(15)
    assert barkd.wait_exit(10) == 0
    with barkd._cond:
        raw_lines = list(barkd.raw_lines)
    assert raw_lines, "no log output"
    access = []
    for raw in raw_lines:
        assert raw.endswith(b"\n")
        line = json.loads(raw)  # every line must be one JSON object
        assert isinstance(line, dict), raw
        for key in ("ts", "level", "msg", "logger"):
            assert key in line, raw
        assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", line["ts"]), line["ts"]
        if line["logger"] == "barkd.access":
            assert ACCESS_LOG_KEYS <= set(line), f"missing keys {ACCESS_LOG_KEYS - set(line)} in {raw!r}"
            assert isinstance(line["status"], int) and isinstance(line["bytes"], int)
            assert isinstance(line["duration_ms"], (int, float)) and line["duration_ms"] >= 0
            access.append(line)
    by_id = {line["request_id"]: line for line in access}
    for request_id, method, target, status in sent_ids:
        assert request_id in by_id, f"no access line for {method} {target}"
        line = by_id[request_id]
        assert (line["method"], line["path"], line["status"]) == (method, target, status)
        assert line["remote"].startswith("127.0.0.1:")
    assert by_id[sent_ids[0][0]]["route"] == "/healthcheck"
    assert by_id[sent_ids[0][0]]["bytes"] > 0
    assert by_id[sent_ids[1][0]]["bytes"] == 0  # HEAD sends no body
    messages = [json.loads(raw)["msg"] for raw in raw_lines]
    assert messages[0] == "starting"
    assert "stopped" in messages


def test_access_log_off(start_barkd):
    barkd = start_barkd("--access-log", "off")
    for _ in range(3):
        assert barkd.get("/livez").status == 200
    barkd.send_signal(15)
    assert barkd.wait_exit(10) == 0
    assert not [l for l in barkd.log_lines() if l.get("logger") == "barkd.access"]
    assert [l for l in barkd.log_lines() if l.get("msg") == "starting"]


def test_access_log_sampling_on_one_keep_alive_connection(start_barkd):
    barkd = start_barkd("--access-log", "sample:4")
    with barkd.client() as client:
        for _ in range(8):
            client.send(request("GET", "/livez"))
            assert client.read_response().status == 200
    barkd.send_signal(15)
    assert barkd.wait_exit(10) == 0
    # Any 8 consecutive requests hold exactly 2 of every 4th (start-up probes came before).
    assert len([l for l in barkd.log_lines() if l.get("logger") == "barkd.access" and l.get("path") == "/livez"]) == 2


def test_access_log_sampling_across_connections(start_barkd):
    """`sample:N` logs one request in N — also when every request has its own
    connection (probes, most load balancers' health checks)."""
    barkd = start_barkd("--access-log", "sample:4")
    for _ in range(40):
        assert barkd.get("/livez").status == 200
    barkd.send_signal(15)
    assert barkd.wait_exit(10) == 0
    logged = len([l for l in barkd.log_lines() if l.get("logger") == "barkd.access"])
    assert 4 <= logged <= 20, f"{logged} of 40 requests logged with sample:4"
