"""The Dog GIF app end to end: the page, the GIF bytes, the JSON API, the admin API, the
visitor counter's durability (batched and sync), bad input — against the real barkd
binary on the embedded SQLite store, each test in its own temporary data directory.

Every barkd is started through conftest's `start_barkd` (stopped by PID at teardown);
every wait is bounded.
"""

from __future__ import annotations

import hashlib
import json
import signal
import struct
import subprocess
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from typing import Optional

import pytest

from barkd_helpers import (REQUEST_TIMEOUT, SEED_SHA_BY_TITLE, SEED_TITLES, TOKEN, Barkd, LoadUntilStopped,
                           Response, call, clean_environment, list_all, pending_views, request, start_app,
                           view_page, visitors, wait_ready, wait_until, write_token)

pytestmark = pytest.mark.timeout(120)

IMMUTABLE = "public, max-age=31536000, immutable"

# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def assert_json_error(response: Response, status: int, field: Optional[str] = None) -> dict:
    assert response.status == status, (
        f"expected {status}, got {response.status}: {response.body[:300]!r}")
    content_type = response.header("Content-Type") or ""
    assert content_type.startswith("application/json"), content_type
    body = response.json()
    assert isinstance(body.get("error"), str) and body["error"], body
    if field is not None:
        assert body.get("field") == field, f"expected field {field!r}: {body}"
    return body


def gif_bytes(version: bytes = b"GIF89a", size: Optional[int] = None,
              width: int = 1, height: int = 1) -> bytes:
    """A valid, decodable GIF (one pixel of image data in a `width`×`height` screen),
    padded with comment blocks to exactly `size` bytes if given."""
    head = (version + struct.pack("<HH", width, height) + b"\x80\x00\x00"
            + b"\xff\xff\xff\x00\x00\x00")                       # 2-colour table
    image = (b"!\xf9\x04\x01\x00\x00\x00\x00"                      # graphic control
             + b",\x00\x00\x00\x00\x01\x00\x01\x00\x00"            # 1×1 image descriptor
             + b"\x02\x02D\x01\x00")                               # LZW data
    trailer = b";"
    data = head + image + trailer
    if size is None:
        return data
    assert size >= len(data) + 4, size
    # A comment extension: "!\xfe", sub-blocks (length byte + up to 255 bytes), "\x00".
    room = size - len(data) - 3  # "!\xfe" + terminator
    blocks = []
    while room > 0:
        n = min(255, room - 1)
        if room - (n + 1) == 1:  # never leave a single byte: it cannot hold a block
            n -= 1
        blocks.append(bytes([n]) + b"d" * n)
        room -= n + 1
    out = head + b"!\xfe" + b"".join(blocks) + b"\x00" + image + trailer
    assert len(out) == size, (len(out), size)
    return out


def post_json(b: Barkd, payload, token: Optional[str] = TOKEN,
              content_type: str = "application/json") -> Response:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return call(b, "POST", "/api/gifs", {"Content-Type": content_type}, body, token=token)


def post_gif(b: Barkd, data: bytes, title: Optional[str], token: Optional[str] = TOKEN,
             content_type: str = "image/gif") -> Response:
    target = "/api/gifs"
    if title is not None:
        target += "?title=" + urllib.parse.quote(title, safe="")
    return call(b, "POST", target, {"Content-Type": content_type}, data, token=token)


class PageParser(HTMLParser):
    """Collects what the page tests check, and whether the element structure is sound."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}
    # Elements whose end tag HTML5 lets a page omit (we do not accept omission of others).
    OPTIONAL_END = {"p", "li", "option"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.doctype: Optional[str] = None
        self.first_thing: Optional[str] = None
        self.tags: list[tuple[str, dict]] = []
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.text_in: dict[str, str] = {}
        self._capture: Optional[str] = None

    def handle_decl(self, decl):
        if self.first_thing is None:
            self.first_thing = "doctype"
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        if self.first_thing is None:
            self.first_thing = tag
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag not in self.VOID:
            self.stack.append(tag)
        key = None
        if tag == "figcaption":
            key = "figcaption"
        elif tag == "strong" and attributes.get("id") == "visitor":
            key = "visitor"
        elif tag == "title":
            key = "title"
        elif tag == "a" and attributes.get("href") == "/":
            key = "again"
        if key:
            self._capture = key
            self.text_in[key] = ""

    def handle_startendtag(self, tag, attrs):
        if self.first_thing is None:
            self.first_thing = tag
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.problems.append(f"self-closing non-void <{tag}/>")

    def handle_endtag(self, tag):
        if tag in self.VOID:
            self.problems.append(f"end tag for void element </{tag}>")
            return
        while self.stack and self.stack[-1] != tag and self.stack[-1] in self.OPTIONAL_END:
            self.stack.pop()
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> does not close the open {self.stack[-1:]}")
            return
        self.stack.pop()
        if self._capture and tag in ("figcaption", "strong", "title", "a"):
            self._capture = None

    def handle_data(self, data):
        if self._capture:
            self.text_in[self._capture] += data

    def first(self, tag: str) -> Optional[dict]:
        for name, attrs in self.tags:
            if name == tag:
                return attrs
        return None

    def all(self, tag: str) -> list[dict]:
        return [attrs for name, attrs in self.tags if name == tag]


def parse_page(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    leftover = [t for t in parser.stack if t not in PageParser.OPTIONAL_END]
    assert not parser.problems, parser.problems
    assert not leftover, f"unclosed elements: {leftover}"
    return parser


# --------------------------------------------------------------------------------------
# Start-up, readiness and the seed catalog
# --------------------------------------------------------------------------------------


def test_first_start_seeds_the_bundled_catalog(app):
    gifs = list_all(app)
    assert len(gifs) == 14, gifs
    assert {g["title"] for g in gifs} == SEED_TITLES
    ids = [g["id"] for g in gifs]
    assert all(isinstance(i, int) and i > 0 for i in ids), ids
    assert ids == sorted(ids) and len(set(ids)) == len(ids), ids
    for gif in gifs:
        assert set(gif) == {"id", "title", "url"}, gif
        assert gif["url"] == f"/gifs/{gif['id']}", gif


def test_readyz_goes_from_503_to_200_and_ready_means_serving(start_barkd, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    b = start_barkd("--data-dir", str(data), wait=False)
    b.wait_until_listening()
    statuses = wait_ready(b)
    # Once 200, never back to 503 (and only 503 before it).
    assert set(statuses[:-1]) <= {503}, statuses
    for _ in range(5):
        assert call(b, "GET", "/readyz").status == 200
    # Ready means the catalog is loaded: the very first page has a GIF.
    number, html = view_page(b)
    assert number == 1
    assert '<img src="/gifs/' in html, html[:2000]


def test_readyz_503_body_names_a_reason_while_not_ready(admin_app):
    disabled = call(admin_app, "POST", "/readyz/disable", token=TOKEN)
    assert disabled.status == 200, disabled
    response = call(admin_app, "GET", "/readyz")
    assert response.status == 503
    assert response.body.strip(), "a 503 /readyz should say why"


def test_missing_data_directory_is_created(start_barkd, tmp_path):
    data = tmp_path / "not-yet"
    assert not data.exists()
    b = start_barkd("--data-dir", str(data))
    wait_ready(b)
    assert data.is_dir()
    assert len(list_all(b)) == 14


def test_seed_is_loaded_once_deleted_seed_stays_deleted_after_restart(start_barkd, tmp_path):
    data = tmp_path / "data"
    first = start_app(start_barkd, data, token=TOKEN)
    gifs = list_all(first)
    victim = gifs[0]["id"]
    assert call(first, "DELETE", f"/api/gifs/{victim}", token=TOKEN).status == 204
    added = post_json(first, {"title": "Remote greyhound", "url": "https://example.org/g.gif"})
    assert added.status == 201, added.body
    first.send_signal(signal.SIGTERM)
    assert first.wait_exit(15) == 0
    second = start_app(start_barkd, data)
    after = list_all(second)
    assert victim not in [g["id"] for g in after]
    assert len(after) == 14  # 13 seeds left + the added one: no re-seeding
    assert sum(1 for g in after if g["title"] == "Remote greyhound") == 1


def test_an_emptied_catalog_is_not_reseeded_on_restart(start_barkd, tmp_path):
    data = tmp_path / "data"
    first = start_app(start_barkd, data, token=TOKEN)
    for gif in list_all(first):
        assert call(first, "DELETE", f"/api/gifs/{gif['id']}", token=TOKEN).status == 204
    first.send_signal(signal.SIGTERM)
    assert first.wait_exit(15) == 0
    second = start_app(start_barkd, data)
    assert list_all(second) == []
    _, html = view_page(second)
    assert "<img" not in html


def test_three_instances_starting_at_once_on_one_data_dir_seed_once(start_barkd, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    processes = [start_barkd("--data-dir", str(data), wait=False) for _ in range(3)]
    for b in processes:
        b.wait_until_listening()
    for b in processes:
        wait_ready(b)
    for b in processes:
        gifs = list_all(b)
        assert len(gifs) == 14, f"pid {b.pid} sees {len(gifs)} GIFs"
        assert {g["title"] for g in gifs} == SEED_TITLES


# --------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------


def test_page_headers_and_structure(app):
    response = call(app, "GET", "/")
    assert response.status == 200
    assert response.header("Content-Type") == "text/html; charset=utf-8"
    assert response.header("Cache-Control") == "no-store"
    csp = response.header("Content-Security-Policy")
    assert csp and "default-src" in csp, csp
    html = response.body.decode("utf-8")
    lowered = html.lower()
    assert lowered.lstrip().startswith("<!doctype html>"), html[:100]
    assert "<script" not in lowered
    page = parse_page(html)
    assert page.first_thing == "doctype"
    assert page.first("html") is not None and page.first("html").get("lang"), "html lang"
    assert any(m.get("charset", "").lower() == "utf-8" for m in page.all("meta"))
    assert any(m.get("name") == "viewport" for m in page.all("meta")), "no viewport meta"
    assert page.text_in.get("title", "").strip(), "empty <title>"
    for link in page.all("link"):
        assert "stylesheet" not in (link.get("rel") or "").lower(), link
    # Nothing is loaded from elsewhere.
    for name, attrs in page.tags:
        for attribute in ("src", "href"):
            value = attrs.get(attribute)
            if value is not None:
                assert value.startswith("/") and not value.startswith("//"), (name, attrs)
    images = page.all("img")
    assert len(images) == 1, images
    img = images[0]
    catalog = {g["id"]: g for g in list_all(app)}
    assert img["src"].startswith("/gifs/"), img
    gif_id = int(img["src"][len("/gifs/"):])
    assert gif_id in catalog
    assert img["alt"] == catalog[gif_id]["title"]
    assert (img.get("width"), img.get("height")) == ("200", "160"), img
    assert page.text_in["figcaption"].strip() == catalog[gif_id]["title"]
    assert page.text_in["visitor"] == "#1"
    assert "You are visitor" in html
    assert "again" in page.text_in and "another dog" in page.text_in["again"].lower()


def test_every_view_counts_one(app):
    numbers = [view_page(app)[0] for _ in range(6)]
    assert numbers == [1, 2, 3, 4, 5, 6]
    assert visitors(app) == 6
    # API calls and GIF fetches are not page views.
    for _ in range(3):
        assert call(app, "GET", "/api/gifs/random").status == 200
        assert call(app, "GET", "/api/gifs").status == 200
        assert call(app, "GET", list_all(app)[0]["url"]).status == 200
    assert visitors(app) == 6
    assert view_page(app)[0] == 7


@pytest.mark.parametrize("mode", ["batched", "sync"])
def test_concurrent_views_get_distinct_consecutive_numbers(start_barkd, tmp_path, mode):
    b = start_app(start_barkd, tmp_path / "data", "--counter-mode", mode)
    workers, per_worker = 6, 10

    def worker(_):
        numbers = []
        with b.client(timeout=REQUEST_TIMEOUT) as client:
            for _ in range(per_worker):
                numbers.append(view_page(b, client)[0])
        return numbers

    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(worker, range(workers)))
    numbers = sorted(n for r in results for n in r)
    total = workers * per_worker
    assert numbers == list(range(1, total + 1))
    assert visitors(b) == total


def test_page_picks_from_the_whole_catalog(app):
    seen_titles = set()
    for _ in range(40):
        _, html = view_page(app)
        page = parse_page(html)
        seen_titles.add(page.first("img")["alt"])
    # 40 uniform draws from 14: fewer than 6 distinct has probability < 1e-9.
    assert len(seen_titles) >= 6, seen_titles
    assert seen_titles <= SEED_TITLES


def test_empty_catalog_gives_a_friendly_page(admin_app):
    for gif in list_all(admin_app):
        assert call(admin_app, "DELETE", f"/api/gifs/{gif['id']}", token=TOKEN).status == 204
    assert list_all(admin_app) == []
    number, html = view_page(admin_app)
    assert number == 1
    page = parse_page(html)
    assert page.all("img") == []
    assert page.text_in["visitor"] == "#1"
    listing = call(admin_app, "GET", "/api/gifs")
    assert listing.status == 200 and listing.json() == {"gifs": []}
    assert call(admin_app, "GET", "/readyz").status == 200


def test_titles_are_escaped_in_the_page(admin_app):
    title = '<script>alert("x")</script> & \'dog\' <b>'
    created = post_gif(admin_app, gif_bytes(width=3, height=2), title)
    assert created.status == 201, created.body
    new_id = created.json()["id"]
    for gif in list_all(admin_app):
        if gif["id"] != new_id:
            assert call(admin_app, "DELETE", f"/api/gifs/{gif['id']}", token=TOKEN).status == 204
    _, html = view_page(admin_app)
    assert "<script" not in html.lower()
    assert "<b>" not in html
    page = parse_page(html)
    img = page.first("img")
    assert img["src"] == f"/gifs/{new_id}"
    assert img["alt"] == title
    assert (img.get("width"), img.get("height")) == ("3", "2"), img
    assert page.text_in["figcaption"].strip() == title
    # And the JSON API escapes it properly too.
    assert call(admin_app, "GET", f"/api/gifs/random").json()["title"] == title


# --------------------------------------------------------------------------------------
# GIF bytes
# --------------------------------------------------------------------------------------


def test_every_seed_gif_is_served_with_a_strong_sha256_etag(app):
    for gif in list_all(app):
        response = call(app, "GET", gif["url"])
        assert response.status == 200, (gif, response.status)
        assert response.header("Content-Type") == "image/gif"
        body = response.body
        assert body.startswith(b"GIF89a"), body[:10]
        digest = hashlib.sha256(body).hexdigest()
        assert response.header("ETag") == f'"{digest}"', gif
        assert response.header("Cache-Control") == IMMUTABLE
        assert struct.unpack("<HH", body[6:10]) == (200, 160), gif
        assert len(body) < 100 * 1024
        # The bytes are the bundled file's.
        assert digest == SEED_SHA_BY_TITLE[gif["title"]], gif


def test_head_of_a_gif_has_its_length_and_no_body(app):
    url = list_all(app)[0]["url"]
    full = call(app, "GET", url)
    assert full.status == 200
    with app.client() as client:
        client.send(request("HEAD", url))
        head = client.read_response(head=True)
        assert head.status == 200
        assert head.header("Content-Length") == str(len(full.body))
        assert head.header("ETag") == full.header("ETag")
        # Nothing follows the head: the next response on the connection parses.
        client.send(request("GET", "/healthcheck"))
        assert client.read_response().status == 200


def test_if_none_match_gives_304_without_a_body(app):
    url = list_all(app)[1]["url"]
    first = call(app, "GET", url)
    etag = first.header("ETag")
    assert etag and etag.startswith('"'), etag
    with app.client() as client:
        for condition in (etag, f'"nope", {etag}', f"W/{etag}", "*"):
            client.send(request("GET", url, {"If-None-Match": condition}))
            response = client.read_response()
            assert response.status == 304, (condition, response.status)
            assert response.header("ETag") == etag
            assert response.header("Content-Length") in (None, "0")
            assert response.header("Cache-Control") == IMMUTABLE
        # No stray body bytes: the next response on the same connection parses.
        client.send(request("GET", url, {"If-None-Match": '"something-else"'}))
        again = client.read_response()
        assert again.status == 200 and again.body == first.body


@pytest.mark.parametrize("target", [
    "/gifs/0", "/gifs/-1", "/gifs/abc", "/gifs/1.5", "/gifs/1x", "/gifs/0x1", "/gifs/%201",
    "/gifs/99999", "/gifs/9223372036854775807", "/gifs/9223372036854775808",
    "/gifs/999999999999999999999999999999999999",
])
def test_unknown_or_malformed_gif_ids_are_404(app, target):
    response = call(app, "GET", target)
    assert response.status == 404, (target, response.status, response.body)
    assert response.json() == {"error": "not found"}
    assert response.header("Content-Type").startswith("application/json")
    assert call(app, "GET", list_all(app)[0]["url"]).status == 200


# --------------------------------------------------------------------------------------
# The JSON API
# --------------------------------------------------------------------------------------


def test_random_gif_json(app):
    catalog = {g["id"]: g for g in list_all(app)}
    ids = set()
    for _ in range(60):
        response = call(app, "GET", "/api/gifs/random")
        assert response.status == 200
        assert response.header("Content-Type").startswith("application/json")
        body = response.json()
        assert set(body) == {"id", "title", "url"}, body
        assert catalog[body["id"]] == body
        ids.add(body["id"])
    assert len(ids) >= 7, ids  # 60 uniform draws from 14


def test_pagination_walks_the_catalog_once(app):
    everything = list_all(app, limit=100)
    assert len(everything) == 14
    for limit in (1, 3, 5, 7, 13, 14):
        walked = list_all(app, limit=limit)
        assert walked == everything, limit


def test_next_after_only_on_full_pages(app):
    everything = list_all(app)
    ids = [g["id"] for g in everything]
    default = call(app, "GET", "/api/gifs").json()
    assert default["gifs"] == everything and "next_after" not in default  # default 20 > 14
    page = call(app, "GET", "/api/gifs?limit=5").json()
    assert [g["id"] for g in page["gifs"]] == ids[:5]
    assert page["next_after"] == ids[4]
    page = call(app, "GET", f"/api/gifs?limit=5&after={ids[4]}").json()
    assert [g["id"] for g in page["gifs"]] == ids[5:10] and page["next_after"] == ids[9]
    page = call(app, "GET", f"/api/gifs?limit=5&after={ids[9]}").json()
    assert [g["id"] for g in page["gifs"]] == ids[10:] and "next_after" not in page
    full = call(app, "GET", "/api/gifs?limit=14").json()
    assert full["next_after"] == ids[-1]
    rest = call(app, "GET", f"/api/gifs?limit=14&after={ids[-1]}").json()
    assert rest == {"gifs": []}
    # `after` need not be an existing id.
    middle = call(app, "GET", f"/api/gifs?limit=2&after={ids[3] - 1}").json()
    assert [g["id"] for g in middle["gifs"]] == ids[3:5]
    limit_100 = call(app, "GET", "/api/gifs?limit=100")
    assert limit_100.status == 200 and len(limit_100.json()["gifs"]) == 14


@pytest.mark.parametrize("query", [
    "limit=0", "limit=101", "limit=-1", "limit=abc", "limit=1.5", "limit=1e3",
    "limit=99999999999999999999999", "after=abc", "after=-1", "limit=5&after=x",
])
def test_bad_list_parameters_are_400(app, query):
    response = call(app, "GET", f"/api/gifs?{query}")
    assert_json_error(response, 400)
    assert call(app, "GET", "/api/gifs").status == 200


def test_visitors_json(app):
    assert visitors(app) == 0
    view_page(app)
    view_page(app)
    response = call(app, "GET", "/api/visitors")
    assert response.header("Content-Type").startswith("application/json")
    assert response.json() == {"count": 2}


# --------------------------------------------------------------------------------------
# The admin API
# --------------------------------------------------------------------------------------


def test_without_a_token_file_the_admin_routes_do_not_exist(app):
    before = list_all(app)
    created = post_json(app, {"title": "x", "url": "https://example.org/x.gif"}, token=None)
    assert created.status == 405, created.status
    assert "GET" in (created.header("Allow") or ""), created.headers
    same_with_token = post_json(app, {"title": "x", "url": "https://example.org/x.gif"})
    assert same_with_token.status == 405
    assert call(app, "DELETE", "/api/gifs/1").status == 404
    assert call(app, "DELETE", "/api/gifs/1", token=TOKEN).status == 404
    assert call(app, "POST", "/readyz/disable", token=TOKEN).status == 404
    assert call(app, "GET", "/readyz").status == 200
    assert list_all(app) == before


def test_a_token_shorter_than_16_characters_is_refused_at_start(barkd_bin, tmp_path):
    token_file = write_token(tmp_path, "fifteen-chars!!")
    assert len("fifteen-chars!!") == 15
    result = subprocess.run(
        [barkd_bin, "--host", "127.0.0.1", "--port", "0", "--data-dir", str(tmp_path / "d"),
         "--admin-token-file", str(token_file)],
        env=clean_environment(), stdin=subprocess.DEVNULL, capture_output=True, timeout=15,
    )
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert b"--admin-token-file" in result.stderr, result.stderr


@pytest.mark.parametrize("content", [None, "", "\n"], ids=["missing", "empty", "newline-only"])
def test_a_missing_or_empty_token_file_is_refused_at_start(barkd_bin, tmp_path, content):
    token_file = tmp_path / "token"
    if content is not None:
        token_file.write_text(content)
    result = subprocess.run(
        [barkd_bin, "--host", "127.0.0.1", "--port", "0", "--data-dir", str(tmp_path / "d"),
         "--admin-token-file", str(token_file)],
        env=clean_environment(), stdin=subprocess.DEVNULL, capture_output=True, timeout=15,
    )
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert b"--admin-token-file" in result.stderr, result.stderr


def test_a_16_character_token_with_a_trailing_newline_works(start_barkd, tmp_path):
    token = "sixteen-chars-ok"
    assert len(token) == 16
    b = start_app(start_barkd, tmp_path / "data", token=token)  # the file ends in "\n"
    response = call(b, "POST", "/readyz/disable", token=token)
    assert response.status == 200
    assert call(b, "GET", "/readyz").status == 503
    assert call(b, "POST", "/readyz/enable", token=token).status == 200
    assert call(b, "GET", "/readyz").status == 200


WRONG_AUTHORIZATIONS = [
    ("no-header", None),
    ("empty", ""),
    ("scheme-only", "Bearer"),
    ("empty-token", "Bearer "),
    ("basic-scheme", f"Basic {TOKEN}"),
    ("one-char-short", f"Bearer {TOKEN[:-1]}"),
    ("one-char-extra", f"Bearer {TOKEN}x"),
    ("prefixed", f"Bearer x{TOKEN}"),
    ("upper-case", f"Bearer {TOKEN.upper()}"),
    ("same-length", f"Bearer {'a' * len(TOKEN)}"),
    # The token followed by exactly 256 more bytes (a length that differs by a multiple
    # of 256 must not look equal).
    ("token-plus-256-bytes", f"Bearer {TOKEN}{'A' * 256}"),
]


@pytest.mark.parametrize("authorization", [a for _, a in WRONG_AUTHORIZATIONS],
                         ids=[name for name, _ in WRONG_AUTHORIZATIONS])
def test_admin_requests_without_the_right_token_are_401_and_change_nothing(admin_app, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    before = list_all(admin_app)
    attempts = [
        ("POST", "/api/gifs", {"Content-Type": "application/json"},
         json.dumps({"title": "Intruder", "url": "https://example.org/i.gif"}).encode()),
        ("POST", "/api/gifs?title=Intruder", {"Content-Type": "image/gif"}, gif_bytes()),
        ("DELETE", f"/api/gifs/{before[0]['id']}", {}, b""),
        ("POST", "/readyz/disable", {}, b""),
    ]
    for method, target, extra, body in attempts:
        response = call(admin_app, method, target, {**headers, **extra}, body)
        assert_json_error(response, 401)
        assert response.header("WWW-Authenticate") == 'Bearer realm="barkd"', response.headers
    assert list_all(admin_app) == before
    assert call(admin_app, "GET", "/readyz").status == 200


def test_add_external_url_then_delete(admin_app):
    before = list_all(admin_app)
    url = "https://example.org/dogs/greyhound.gif?size=large&x=1"
    created = post_json(admin_app, {"title": "Racing greyhound", "url": url})
    assert created.status == 201, created.body
    body = created.json()
    assert set(body) == {"id", "title", "url"}, body
    assert body["title"] == "Racing greyhound"
    new_id = body["id"]
    assert isinstance(new_id, int) and new_id not in [g["id"] for g in before]
    assert created.header("Location") == f"/gifs/{new_id}"
    # Reflected at once.
    after = list_all(admin_app)
    assert len(after) == len(before) + 1
    entry = next(g for g in after if g["id"] == new_id)
    assert entry["title"] == "Racing greyhound"
    redirect = call(admin_app, "GET", f"/gifs/{new_id}")
    assert redirect.status == 302
    assert redirect.header("Location") == url
    deleted = call(admin_app, "DELETE", f"/api/gifs/{new_id}", token=TOKEN)
    assert deleted.status == 204 and deleted.body == b""
    assert list_all(admin_app) == before
    assert call(admin_app, "GET", f"/gifs/{new_id}").status == 404
    assert_json_error(call(admin_app, "DELETE", f"/api/gifs/{new_id}", token=TOKEN), 404)


def test_external_entry_on_the_page_points_at_its_url_and_csp_allows_it(admin_app):
    url = "https://example.org/dogs/remote.gif"
    created = post_json(admin_app, {"title": "Remote dog", "url": url},
                        content_type="application/json; charset=utf-8")
    assert created.status == 201, created.body
    for gif in list_all(admin_app):
        if gif["id"] != created.json()["id"]:
            assert call(admin_app, "DELETE", f"/api/gifs/{gif['id']}", token=TOKEN).status == 204
    response = call(admin_app, "GET", "/")
    page = parse_page(response.body.decode())
    assert page.first("img")["src"] == url
    csp = response.header("Content-Security-Policy") or ""
    img_src = next((d for d in csp.split(";") if d.strip().startswith("img-src")), "")
    assert "https:" in img_src or "https://example.org" in img_src, csp
    assert call(admin_app, "GET", "/api/gifs/random").json()["url"] == url


def test_upload_gif_bytes(admin_app):
    data = gif_bytes(width=7, height=5)
    title = "Büro-Hund 🐶 & friends"
    created = post_gif(admin_app, data, title)
    assert created.status == 201, created.body
    body = created.json()
    new_id = body["id"]
    assert body == {"id": new_id, "title": title, "url": f"/gifs/{new_id}"}
    assert created.header("Location") == f"/gifs/{new_id}"
    served = call(admin_app, "GET", f"/gifs/{new_id}")
    assert served.status == 200 and served.body == data
    assert served.header("Content-Type") == "image/gif"
    assert served.header("ETag") == f'"{hashlib.sha256(data).hexdigest()}"'
    assert served.header("Cache-Control") == IMMUTABLE
    assert call(admin_app, "GET", f"/gifs/{new_id}",
                {"If-None-Match": served.header("ETag")}).status == 304
    assert any(g["id"] == new_id and g["title"] == title for g in list_all(admin_app))
    gif87 = post_gif(admin_app, gif_bytes(version=b"GIF87a"), "Old-school dog")
    assert gif87.status == 201, gif87.body
    plus = call(admin_app, "POST", "/api/gifs?title=Happy+little+dog",
                {"Content-Type": "image/gif"}, gif_bytes(), token=TOKEN)
    assert plus.status == 201, plus.body
    assert plus.json()["title"] == "Happy little dog"


def test_upload_limits_follow_max_upload(start_barkd, tmp_path):
    b = start_app(start_barkd, tmp_path / "data", "--max-upload", "4KiB", token=TOKEN)
    before = list_all(b)
    too_big = post_gif(b, gif_bytes(size=4097), "Too big")
    assert_json_error(too_big, 413)
    assert list_all(b) == before
    exact = post_gif(b, gif_bytes(size=4096), "Exactly four KiB")
    assert exact.status == 201, exact.body
    assert call(b, "GET", exact.header("Location")).body == gif_bytes(size=4096)


def test_upload_up_to_the_default_max_upload_is_accepted(admin_app):
    # --max-upload defaults to 5 MiB, so a 2 MiB GIF is within the limit (whatever the
    # general --max-body is).
    data = gif_bytes(size=2 << 20)
    created = post_gif(admin_app, data, "Big dog")
    assert created.status == 201, (created.status, created.body[:300])
    served = call(admin_app, "GET", created.header("Location"))
    assert served.body == data


def test_upload_over_the_default_max_upload_is_413_and_changes_nothing(admin_app):
    before = list_all(admin_app)
    response = post_gif(admin_app, gif_bytes(size=(5 << 20) + 1), "Too big by one byte")
    assert_json_error(response, 413)
    assert admin_app.alive()
    assert list_all(admin_app) == before
    assert call(admin_app, "GET", "/").status == 200


def test_max_upload_raises_the_body_limit_of_the_authorized_upload_route_only(admin_app):
    # --max-body stays 1 MiB everywhere but POST /api/gifs (5 MiB by default), and the
    # limit holds before authentication: the body is refused from its Content-Length.
    over_general = b"x" * ((1 << 20) + 1)
    # Without the admin token, the upload route is held to the general limit too: an
    # anonymous client cannot make barkd buffer --max-upload bytes.
    for method, path, token in (("POST", "/readyz/disable", TOKEN), ("DELETE", "/api/gifs/1", TOKEN),
                                ("POST", "/api/gifs/1", None), ("GET", "/", None),
                                ("POST", "/api/gifs?title=x", None), ("POST", "/api/gifs?title=x", "wrong-token-0123456789")):
        response = call(admin_app, method, path, {"Content-Type": "application/octet-stream"}, over_general, token=token)
        assert_json_error(response, 413, "body")
    ready = call(admin_app, "GET", "/readyz")
    assert ready.status == 200, "the refused POST /readyz/disable must not have run"
    assert {g["title"] for g in list_all(admin_app)} == SEED_TITLES
    data = gif_bytes(size=(1 << 20) + 1)
    created = post_gif(admin_app, data, "Just over the general limit")
    assert created.status == 201, created.body[:200]


@pytest.mark.parametrize("token", [None, "wrong-token-0123456789"], ids=["anonymous", "wrong-token"])
def test_an_upload_that_will_be_refused_is_not_invited_to_send_its_body(admin_app, token):
    """`Expect: 100-continue` on an upload without the admin token: the 401 comes first
    (no 100 Continue before it), and the connection closes, the body never sent."""
    headers = {"Content-Type": "image/gif", "Content-Length": "1000", "Expect": "100-continue"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    with admin_app.client() as client:
        client.send(request("POST", "/api/gifs?title=x", headers))
        response = client.read_response(allow_interim=True)
        assert_json_error(response, 401)
        assert response.header("WWW-Authenticate") == 'Bearer realm="barkd"'
        assert response.closes
        client.expect_closed()


@pytest.mark.parametrize("method,target", [("DELETE", "/api/gifs/1"), ("POST", "/readyz/disable"), ("POST", "/readyz/enable")])
def test_no_admin_route_invites_an_anonymous_body(admin_app, method, target):
    """Every admin route, not only the upload, answers an anonymous `Expect: 100-continue`
    with its 401 before any invitation; nothing runs."""
    with admin_app.client() as client:
        client.send(request(method, target, {"Content-Length": "10", "Expect": "100-continue"}))
        response = client.read_response(allow_interim=True)
        assert_json_error(response, 401)
        assert response.closes
        client.expect_closed()
    assert admin_app.get("/readyz").status == 200
    assert {g["title"] for g in list_all(admin_app)} == SEED_TITLES


def test_an_authorized_upload_is_invited_to_send_its_body(admin_app):
    data = gif_bytes()
    headers = {"Content-Type": "image/gif", "Content-Length": str(len(data)), "Expect": "100-continue",
               "Authorization": f"Bearer {TOKEN}", "Connection": "close"}
    with admin_app.client() as client:
        client.send(request("POST", "/api/gifs?title=Invited", headers))
        assert client.read_response(allow_interim=True).status == 100
        client.send(data)
        response = client.read_response()
        assert response.status == 201, response.body
    deleted = call(admin_app, "DELETE", f"/api/gifs/{response.json()['id']}", token=TOKEN)
    assert deleted.status == 204


def test_extra_json_members_cannot_choose_the_id(admin_app):
    before = list_all(admin_app)
    taken = before[0]
    response = post_json(admin_app, {"title": "Sneaky", "url": "https://example.org/s.gif",
                                     "id": taken["id"], "sha256": "0" * 64})
    assert response.status == 201, response.body
    new_id = response.json()["id"]
    assert new_id != taken["id"]
    after = {g["id"]: g for g in list_all(admin_app)}
    assert after[taken["id"]] == taken
    assert after[new_id]["title"] == "Sneaky"
    assert call(admin_app, "GET", taken["url"]).status == 200


def test_invalid_json_submissions_change_nothing(admin_app):
    good_url = "https://example.org/dog.gif"
    cases = [
        # (payload or raw bytes, content type, status, field)
        ({"title": "Dog", "url": "http://example.org/dog.gif"}, "application/json", 422, "url"),
        ({"title": "Dog", "url": "ftp://example.org/dog.gif"}, "application/json", 422, "url"),
        ({"title": "Dog", "url": "javascript:alert(1)"}, "application/json", 422, "url"),
        ({"title": "Dog", "url": "//example.org/dog.gif"}, "application/json", 422, "url"),
        ({"title": "Dog", "url": "https://"}, "application/json", 422, "url"),
        ({"title": "Dog", "url": ""}, "application/json", 422, "url"),
        ({"title": "Dog", "url": "https://example.org/a dog.gif"}, "application/json", 422, "url"),
        ({"title": "Dog", "url": "https://example.org/" + "a" * 2029}, "application/json", 422, "url"),
        ({"title": "Dog"}, "application/json", 422, "url"),
        ({"title": "", "url": good_url}, "application/json", 422, "title"),
        ({"title": "x" * 201, "url": good_url}, "application/json", 422, "title"),
        ({"title": "é" * 201, "url": good_url}, "application/json", 422, "title"),
        # 200 grapheme clusters, 400 code points: the database's length check counts code points.
        ({"title": "e\u0301" * 200, "url": good_url}, "application/json", 422, "title"),
        ({"title": "bell\u0007", "url": good_url}, "application/json", 422, "title"),
        ({"title": "two\nlines", "url": good_url}, "application/json", 422, "title"),
        ({"title": "tab\there", "url": good_url}, "application/json", 422, "title"),
        ({"title": "del\u007f", "url": good_url}, "application/json", 422, "title"),
        ({"url": good_url}, "application/json", 422, "title"),
        ({"title": 5, "url": good_url}, "application/json", 422, "title"),
        ({"title": None, "url": good_url}, "application/json", 422, "title"),
        ({"title": ["Dog"], "url": good_url}, "application/json", 422, "title"),
        ({"title": "Dog", "url": {"href": good_url}}, "application/json", 422, "url"),
        ({"title": "Dog", "url": True}, "application/json", 422, "url"),
        (b'{"title": "Dog", "url": ', "application/json", 400, None),
        (b"not json at all", "application/json", 400, None),
        (b"", "application/json", 400, None),
        (b"[]", "application/json", 400, None),
        (b'"just a string"', "application/json", 400, None),
        (b"\xff\xfe{}", "application/json", 400, None),
        ({"title": "Dog", "url": good_url}, "text/plain", 415, None),
        ({"title": "Dog", "url": good_url}, "application/x-www-form-urlencoded", 415, None),
        ({"title": "Dog", "url": good_url}, "image/png", 415, None),
    ]
    assert len("https://example.org/" + "a" * 2029) == 2049
    before = list_all(admin_app)
    for payload, content_type, status, field in cases:
        response = post_json(admin_app, payload, content_type=content_type)
        try:
            assert_json_error(response, status, field)
        except AssertionError as error:
            raise AssertionError(f"payload {payload!r} ({content_type}): {error}") from None
        assert list_all(admin_app) == before, payload
    # No Content-Type at all.
    response = call(admin_app, "POST", "/api/gifs", {},
                    json.dumps({"title": "Dog", "url": good_url}).encode(), token=TOKEN)
    assert_json_error(response, 415)
    assert list_all(admin_app) == before


def test_boundary_json_submissions_are_accepted(admin_app):
    url_2048 = "https://example.org/" + "a" * 2028
    assert len(url_2048) == 2048
    for payload in (
        {"title": "D", "url": url_2048},
        {"title": "x" * 200, "url": "https://example.org/x.gif"},
        {"title": "é" * 200, "url": "https://example.org/e.gif"},
        {"title": "Dog with \"quotes\" and \\ backslash", "url": "https://example.org/q.gif"},
    ):
        response = post_json(admin_app, payload)
        assert response.status == 201, (payload["title"][:20], response.status, response.body)
        body = response.json()
        assert body["title"] == payload["title"]
        listed = next(g for g in list_all(admin_app) if g["id"] == body["id"])
        assert listed["title"] == payload["title"]
        assert call(admin_app, "GET", f"/gifs/{body['id']}").header("Location") == payload["url"]


def test_invalid_gif_uploads_change_nothing(admin_app):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    cases = [
        (png, "Not a gif", 422, "body"),
        (b"GIF88a" + gif_bytes()[6:], "Wrong version", 422, "body"),
        (b"", "Empty", 422, "body"),
        (b"GIF89a", "Only the magic", 422, "body"),
        (gif_bytes(), None, 422, "title"),
        (gif_bytes(), "", 422, "title"),
        (gif_bytes(), "x" * 201, 422, "title"),
        (gif_bytes(), "ctl\u0001", 422, "title"),
    ]
    before = list_all(admin_app)
    for data, title, status, field in cases:
        response = post_gif(admin_app, data, title)
        try:
            assert_json_error(response, status, field)
        except AssertionError as error:
            raise AssertionError(f"upload {data[:12]!r} title {title!r}: {error}") from None
        assert list_all(admin_app) == before
    wrong_type = post_gif(admin_app, gif_bytes(), "Sent as PNG", content_type="image/png")
    assert_json_error(wrong_type, 415)
    assert list_all(admin_app) == before


@pytest.mark.parametrize("target", [
    "/api/gifs/99999", "/api/gifs/0", "/api/gifs/-1", "/api/gifs/abc",
    "/api/gifs/99999999999999999999999999",
])
def test_delete_unknown_is_404_and_changes_nothing(admin_app, target):
    before = list_all(admin_app)
    response = call(admin_app, "DELETE", target, token=TOKEN)
    assert_json_error(response, 404)
    assert list_all(admin_app) == before


def test_readyz_can_be_disabled_and_enabled(admin_app):
    assert call(admin_app, "GET", "/readyz").status == 200
    assert call(admin_app, "POST", "/readyz/disable", token=TOKEN).status == 200
    for _ in range(3):
        assert call(admin_app, "GET", "/readyz").status == 503
    # Still serving while out of rotation.
    assert call(admin_app, "GET", "/").status == 200
    assert call(admin_app, "POST", "/readyz/disable", token=TOKEN).status == 200  # idempotent
    assert call(admin_app, "POST", "/readyz/enable", token=TOKEN).status == 200
    assert call(admin_app, "GET", "/readyz").status == 200


def test_added_entries_survive_a_restart(start_barkd, tmp_path):
    data = tmp_path / "data"
    first = start_app(start_barkd, data, token=TOKEN)
    image = gif_bytes(width=4, height=4)
    created = post_gif(first, image, "Persistent pup")
    assert created.status == 201
    new_id = created.json()["id"]
    first.send_signal(signal.SIGTERM)
    assert first.wait_exit(15) == 0
    second = start_app(start_barkd, data)
    assert any(g["id"] == new_id and g["title"] == "Persistent pup" for g in list_all(second))
    served = call(second, "GET", f"/gifs/{new_id}")
    assert served.status == 200 and served.body == image


# --------------------------------------------------------------------------------------
# The visitor counter's durability
# --------------------------------------------------------------------------------------


COUNTER_MODES = [
    pytest.param(["--counter-mode", "batched"], id="batched-default-interval"),
    pytest.param(["--counter-mode", "batched", "--counter-flush-interval", "1h"],
                 id="batched-flushed-only-at-shutdown"),
    pytest.param(["--counter-mode", "sync"], id="sync"),
]


@pytest.mark.parametrize("mode_args", COUNTER_MODES)
def test_views_survive_sigterm_and_restart(start_barkd, tmp_path, mode_args):
    data = tmp_path / "data"
    first = start_app(start_barkd, data, *mode_args)
    numbers = [view_page(first)[0] for _ in range(7)]
    assert numbers == list(range(1, 8))
    assert visitors(first) == 7  # stored plus this instance's unflushed views
    first.send_signal(signal.SIGTERM)
    assert first.wait_exit(15) == 0
    second = start_app(start_barkd, data, *mode_args)
    assert visitors(second) == 7
    assert view_page(second)[0] == 8


@pytest.mark.parametrize("mode_args", COUNTER_MODES)
def test_concurrent_views_then_sigterm_all_counted(start_barkd, tmp_path, mode_args):
    data = tmp_path / "data"
    first = start_app(start_barkd, data, *mode_args)
    workers, per_worker = 4, 15

    def worker(_):
        with first.client(timeout=REQUEST_TIMEOUT) as client:
            return [view_page(first, client)[0] for _ in range(per_worker)]

    with ThreadPoolExecutor(workers) as pool:
        served = sum(len(r) for r in pool.map(worker, range(workers)))
    first.send_signal(signal.SIGTERM)
    assert first.wait_exit(15) == 0
    second = start_app(start_barkd, data, *mode_args)
    assert visitors(second) == served == workers * per_worker


def test_views_answered_during_sigterm_are_all_counted(start_barkd, tmp_path):
    """Views run until SIGTERM and during the drain; every one answered 200 is stored."""
    data = tmp_path / "data"
    first = start_app(start_barkd, data, "--shutdown-grace", "5s")
    load = LoadUntilStopped(first)
    load.wait_for(50)
    first.send_signal(signal.SIGTERM)
    assert first.wait_exit(20) == 0
    answered = load.finish()
    assert len(answered) >= 50, len(answered)
    assert len(set(answered)) == len(answered), "a visitor number was shown twice"
    second = start_app(start_barkd, data)
    assert visitors(second) == len(answered)


def test_sync_mode_sigkill_loses_nothing(start_barkd, tmp_path):
    data = tmp_path / "data"
    first = start_app(start_barkd, data, "--counter-mode", "sync")
    n = 9
    with first.client() as client:
        for _ in range(n):
            view_page(first, client)
    first.send_signal(signal.SIGKILL)
    assert first.wait_exit(10) == -signal.SIGKILL
    second = start_app(start_barkd, data, "--counter-mode", "sync")
    assert visitors(second) == n
    assert view_page(second)[0] == n + 1


def test_batched_mode_sigkill_after_a_few_intervals_loses_nothing(start_barkd, tmp_path):
    data = tmp_path / "data"
    first = start_app(start_barkd, data, "--counter-mode", "batched",
                      "--counter-flush-interval", "100ms")
    n = 9
    for _ in range(n):
        view_page(first)
    wait_until(lambda: pending_views(first) == 0, 5, "the batched views written (barkd_pending_views 0)")
    first.send_signal(signal.SIGKILL)
    assert first.wait_exit(10) == -signal.SIGKILL
    second = start_app(start_barkd, data)
    assert visitors(second) == n


def test_two_instances_on_one_data_dir_count_every_view(start_barkd, tmp_path):
    data = tmp_path / "data"
    a = start_app(start_barkd, data)
    b = start_app(start_barkd, data, "--counter-mode", "sync")
    views = 0
    with a.client() as ca, b.client() as cb:
        for i in range(12):
            view_page(a if i % 2 else b, ca if i % 2 else cb)
            views += 1
    for process in (a, b):
        process.send_signal(signal.SIGTERM)
        assert process.wait_exit(15) == 0
    c = start_app(start_barkd, data)
    assert visitors(c) == views


def test_sync_mode_sigkill_under_load_loses_no_answered_view(start_barkd, tmp_path):
    """Views in flight when barkd is SIGKILLed may or may not be stored; every view that
    was answered 200 must be."""
    data = tmp_path / "data"
    first = start_app(start_barkd, data, "--counter-mode", "sync")
    load = LoadUntilStopped(first, threads=4)
    load.wait_for(40)
    first.send_signal(signal.SIGKILL)
    assert first.wait_exit(10) == -signal.SIGKILL
    served = len(load.finish())
    assert served >= 40, served
    second = start_app(start_barkd, data, "--counter-mode", "sync")
    stored = visitors(second)
    # At most one unanswered view per connection may have been written.
    assert served <= stored <= served + len(load.threads), (served, stored)


def test_catalog_changes_on_one_instance_appear_on_another(start_barkd, tmp_path):
    data = tmp_path / "data"
    writer = start_app(start_barkd, data, "--catalog-refresh", "300ms", token=TOKEN)
    reader = start_app(start_barkd, data, "--catalog-refresh", "300ms")
    seed = list_all(reader)
    image = gif_bytes(width=9, height=9)
    created = post_gif(writer, image, "Replicated retriever")
    assert created.status == 201
    new_id = created.json()["id"]
    victim = seed[0]
    assert call(reader, "GET", victim["url"]).status == 200  # cached by the reader
    assert call(writer, "DELETE", f"/api/gifs/{victim['id']}", token=TOKEN).status == 204

    def reader_ids() -> set[int]:
        return {g["id"] for g in list_all(reader)}

    def replicated() -> bool:
        ids = reader_ids()
        return new_id in ids and victim["id"] not in ids

    wait_until(replicated, 5, lambda: f"the reader to list {new_id} and not {victim['id']} (it lists {sorted(reader_ids())})",
               interval=0.1)
    assert call(reader, "GET", f"/gifs/{new_id}").body == image
    assert call(reader, "GET", victim["url"]).status == 404


def test_an_instance_shows_the_total_of_all_instances_after_its_own_write(start_barkd, tmp_path):
    data = tmp_path / "data"
    interval = ("--counter-flush-interval", "100ms")
    a = start_app(start_barkd, data, *interval)
    b = start_app(start_barkd, data, *interval)
    for _ in range(5):
        view_page(a)
    wait_until(lambda: pending_views(a) == 0, 5, "a's views written (barkd_pending_views 0)")
    view_page(b)
    wait_until(lambda: visitors(b) == 6, 5, lambda: f"b to show the stored total 6 (it shows {visitors(b)})",
               interval=0.1)
    assert view_page(b)[0] >= 7


# --------------------------------------------------------------------------------------
# Bad input: right statuses, and barkd keeps serving
# --------------------------------------------------------------------------------------


BAD_REQUESTS = [
    ("GET", "/gifs/abc", 404),
    ("GET", "/gifs/-5", 404),
    ("GET", "/gifs/99999999999999999999999999999999", 404),
    ("GET", "/gifs/%zz", 400),
    ("GET", "/gifs/1/extra", 404),
    ("GET", "/api/gifs?limit=0", 400),
    ("GET", "/api/gifs?limit=abc", 400),
    ("GET", "/api/gifs?limit=-3", 400),
    ("GET", "/api/gifs?after=-1", 400),
    ("PUT", "/", 405),
    ("POST", "/api/visitors", 405),
    ("DELETE", "/gifs/1", 405),
    ("GET", "/api/gif", 404),
]


def test_bad_input_gets_the_right_status_and_barkd_keeps_serving(app):
    catalog_before = list_all(app)
    for method, target, status in BAD_REQUESTS:
        response = call(app, method, target)
        assert response.status == status, (method, target, response.status, response.body)
        assert response.status < 500
    # Huge `after`: either refused (400) or an empty page — never a failure.
    huge = call(app, "GET", "/api/gifs?after=99999999999999999999999999")
    assert huge.status in (200, 400), huge.status
    if huge.status == 200:
        assert huge.json() == {"gifs": []}
    top = call(app, "GET", "/api/gifs?after=9223372036854775807")
    assert top.status == 200 and top.json() == {"gifs": []}
    assert app.alive()
    assert call(app, "GET", "/").status == 200
    assert call(app, "GET", "/readyz").status == 200
    assert list_all(app) == catalog_before
    assert visitors(app) == 1


def test_head_of_the_page_does_not_count_a_visitor(start_barkd, tmp_path):
    b = start_app(start_barkd, tmp_path / "data")
    first, _ = view_page(b)
    response = call(b, "HEAD", "/")
    assert response.status == 200 and response.body == b""
    assert visitors(b) == first
    second, _ = view_page(b)
    assert second == first + 1
