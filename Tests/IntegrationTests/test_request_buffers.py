"""The request-buffer budget against the real binary (issue 12, item 3): clients that each
send most of a large body at once spend `--request-buffer-budget`; the requests that then
need more buffer are answered 503 with `Connection: close`, counted and logged, while a
small request is still answered; when they go, the budget is whole again and a large
request is read. The memory figures for 10,000 connections are Benchmarks/memory.sh's."""
from __future__ import annotations

import socket

from barkd_helpers import Barkd, metric_value, request, wait_until

BUDGET = 1 << 20
BODY = 900_000
SENDERS = 6


def metrics(b: Barkd) -> str:
    response = b.get("/metrics")
    assert response.status == 200
    return response.body.decode()


def buffered(b: Barkd) -> float:
    return metric_value(metrics(b), "barkd_http_request_buffer_bytes") or 0.0


def refused(b: Barkd) -> float:
    text = metrics(b)
    return metric_value(text, 'barkd_http_rejected_total{reason="request_buffers_full"}') or 0.0


def test_the_budget_sheds_large_bodies_with_503_and_keeps_serving(start_barkd):
    b = start_barkd("--request-buffer-budget", "1MiB", "--body-timeout", "30s")
    head = request("POST", "/anything", headers={"Content-Length": str(BODY)})
    body = b"B" * BODY
    senders: list[socket.socket] = []
    try:
        for _ in range(SENDERS):
            sock = b.connect()
            sock.settimeout(0.5)
            try:  # most of the body, then nothing: each holds what it sent
                sock.sendall(head + body[: BODY * 3 // 4])
            except (TimeoutError, OSError):
                pass
            senders.append(sock)
        wait_until(lambda: refused(b) >= 1, 10, "a sender refused with 503")
        assert 0 < buffered(b) <= BUDGET
        assert b.get("/healthcheck").status == 200  # small requests are still read

        answers = []
        for sock in senders:
            sock.settimeout(0.2)
            try:
                answers.append(sock.recv(65536))
            except TimeoutError:
                answers.append(b"")  # still holding its part of the budget
        shed = [answer for answer in answers if answer]
        assert shed, answers
        for answer in shed:
            assert answer.startswith(b"HTTP/1.1 503 "), answer[:200]
            assert b"\r\nConnection: close\r\n" in answer
            assert b"request buffers full" in answer
        assert refused(b) == len(shed)
        b.wait_for_log(lambda line: line.get("msg") == "request refused: request buffers full")
    finally:
        for sock in senders:
            sock.close()
    wait_until(lambda: buffered(b) == 0, 10, "the budget given back when the senders went")
    client = b.client()
    client.send(request("POST", "/anything", headers={"Content-Length": str(BODY)}, body=body))
    assert client.read_response().status == 404  # read whole, then routed
