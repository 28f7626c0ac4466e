"""Writes the fuzz harnesses' seed corpora (Fuzz/corpus/<harness>/, one input per file,
named by its SHA-1 as libFuzzer names what it finds).

Sources: the h11 differential corpus and its documented divergences
(Tests/IntegrationTests), the requests of the parser's unit tests, and the paths, query
strings and database URLs of the router, percent-encoding and DatabaseURL unit tests.
Deterministic: running it again gives the same files. Run from the repository root with
a Python that has the integration tests' requirements (h11, pytest):

    .tools/venv/bin/python Fuzz/make_seeds.py
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "Tests" / "IntegrationTests"))

from differential_corpus import main_corpus  # noqa: E402
from test_parser_differential import KNOWN_DIVERGENCES, LENIENT_DIVERGENCES  # noqa: E402

MAX_SEED_BYTES = 600


def spread(items: list[bytes], count: int) -> list[bytes]:
    """``count`` items taken evenly across ``items`` (small ones only, no repeats)."""
    small = list(dict.fromkeys(item for item in items if len(item) <= MAX_SEED_BYTES))
    if len(small) <= count:
        return small
    return [small[index * len(small) // count] for index in range(count)]


def parser_seeds() -> list[bytes]:
    corpus = [raw for _, raw in main_corpus()]
    documented = [row.raw for row in KNOWN_DIVERGENCES] + [raw for _, raw, _ in LENIENT_DIVERGENCES]
    pipelined = [b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n",
                 b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhiGET / HTTP/1.0\r\n\r\n",
                 b"\r\n\r\nOPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"]
    return spread(corpus, 40) + spread(documented, 16) + pipelined


def chunked_seeds() -> list[bytes]:
    bodies = []
    for _, raw in main_corpus():
        head, _, body = raw.partition(b"\r\n\r\n")
        if b"transfer-encoding: chunked" in head.lower() and body:
            bodies.append(body)
    hand = [b"5\r\nhello\r\n0\r\n\r\n", b"5;a=b;c=\"d e\"\r\nhello\r\n0\r\nX-T: 1\r\n\r\n", b"5 ;a\r\nhello\r\n0\r\n\r\n",
            b"0\r\n\r\n", b"A\r\n0123456789\r\n1\r\nx\r\n0\r\n\r\n", b"ffffffffffffffff\r\n", b"1\r\nx\r\n0\r\n" + b"X-T: t\r\n" * 9 + b"\r\n",
            b"1;" + b"e" * 30 + b"\r\nx\r\n0\r\n\r\n", b"5\r\nhello\r\n0\r\nContent-Length: 5\r\n\r\n", b"5\r\nhelloXX0\r\n\r\n"]
    return spread(bodies, 30) + hand


def router_seeds() -> list[bytes]:
    paths = ["/", "", "/healthcheck", "/gifs/abc", "/gifs/a%2Fb", "/gifs/%zz", "/gifs/", "/api/gifs/random",
             "/api/gifs/%72andom", "/api/gifs", "/api/gifs/", "/readyz/disable", "/readyz", "/caf%C3%A9/x",
             "/caf\u00e9/y", "/b/fixed/c", "/b/%66ixed/c", "/b/x%2Fy/c", "/b//c", "//", "/a/b/c/d/e", "/%00",
             "/gifs/%E2%82%AC", "/gifs/+", "http://h/gifs/1?x", "https://h?q", "/p?a=1&b=%41", "/%2e%2e/%2E"]
    return [path.encode() for path in paths]


def percent_seeds() -> list[bytes]:
    texts = ["a%20b%2Fc", "%C3%A9t%c3%a9", "plain", "a+b", "a+b%2B", "%zz", "%4", "%00", "%FF", "%", "%%41",
             "user%40host%3Ap/ss%20word~", "q=1&r=%41%42&=x&k", "a=b=c&&d", "%F0%9F%90%95", "%ED%A0%80", "+%2b+",
             "x=%E2%82", "~-._", "%C3%A9=%C3%A9"]
    return [text.encode() for text in texts]


def database_url_seeds() -> list[bytes]:
    urls = ["mariadb://barkd@db.example.com:3307/barkd", "mysql://app@10.0.0.5/gifs", "MariaDB://u@[::1]:4000/d",
            "mariadb://u@localhost/d?socket=/run/mysqld/mysqld.sock", "mariadb://u@h/d?tls=verify&tls-ca=/etc/ca.pem",
            "mariadb://u@h/d?tls=VERIFY_CA&ssl-ca=%2Fca.pem", "mariadb://u@h/d?tls=required", "mariadb://u@h/d?sslmode=preferred",
            "mariadb://us%40er:p%40ss%3Aword@h:1/d", "mariadb://u@h:0/d", "mariadb://u@h:99999/d", "mariadb://u@[::1/d",
            "mariadb://u@h h/d", "mariadb://u@h/d?tls", "mariadb://u%zz@h/d", "mariadb://u%2Fv@h/d", "mariadb://u@h/d%3Fx",
            "mariadb://u@a:b:3306/d", "mariadb://u@h/d?tls-ca=/ca.pem", "mariadb://u@h_1.x-y/d?socket=%26", "postgres://u@h/d",
            "mariadb://u@h:+3306/d", "mariadb://u@%41/d"]
    return [url.encode() for url in urls]


HARNESSES = {
    "parser": parser_seeds,
    "chunked": chunked_seeds,
    "router": router_seeds,
    "percent": percent_seeds,
    "database-url": database_url_seeds,
}


def main() -> None:
    for name, seeds in HARNESSES.items():
        folder = ROOT / "Fuzz" / "corpus" / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for seed in dict.fromkeys(seeds()):
            (folder / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
        print(f"{name}: {len(list(folder.iterdir()))} seeds")


if __name__ == "__main__":
    main()
