"""The Dog GIF page in a real browser: Debian's headless Chromium, driven by Selenium
through Debian's chromedriver, loads `/` from a barkd the test starts; the GIF decodes
(naturalWidth > 0), the visitor number is shown, "Another dog" counts the next view, and
the layout fits a phone (390×844) and a desktop (1280×800) window. Screenshots are kept
in `Tests/IntegrationTests/artifacts/`.

The browser resolves no host names but 127.0.0.1 (`--host-resolver-rules`), runs with a
temporary profile, and is stopped — with chromedriver — by PID at teardown.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from pathlib import Path

import pytest

from barkd_helpers import view_page, visitors, wait_until

pytestmark = pytest.mark.timeout(150)

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_CANDIDATES = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"]
CHROMEDRIVER_CANDIDATES = ["/usr/bin/chromedriver"]

PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
DESKTOP = {"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False}

#: Bounds of every browser wait (seconds).
PAGE_LOAD_TIMEOUT = 20
WAIT_TIMEOUT = 10
QUIT_TIMEOUT = 15


def _first_executable(candidates: list[str], what: str, package: str) -> str:
    for path in candidates:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    pytest.fail(f"{what} not found ({', '.join(candidates)}): apt-get install {package}",
                pytrace=False)


def _children(pid: int) -> list[int]:
    """Direct children of `pid`, from /proc."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # "pid (comm) state ppid ..."; comm may hold spaces and parentheses.
        fields = stat[stat.rfind(b")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            out.append(int(entry))
    return out


def _descendants(pid: int) -> list[int]:
    seen, queue = [], [pid]
    while queue:
        for child in _children(queue.pop()):
            if child not in seen:
                seen.append(child)
                queue.append(child)
    return seen


def _process_start(pid: int):
    """(start time, comm) of `pid`, or None if it is gone — to tell a PID from a reused one."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    comm = stat[stat.find(b"(") + 1:stat.rfind(b")")]
    fields = stat[stat.rfind(b")") + 2:].split()
    if fields[0] == b"Z":
        return None
    return int(fields[19]), comm


class Browser:
    """chromedriver + Chromium, and every PID they started."""

    def __init__(self, profile: Path, log_path: Path):
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service

        chromium = _first_executable(CHROMIUM_CANDIDATES, "Chromium", "chromium")
        chromedriver = _first_executable(CHROMEDRIVER_CANDIDATES, "chromedriver",
                                         "chromium-driver")
        # Never let Selenium Manager look for (or download) a driver or a browser.
        os.environ["SE_OFFLINE"] = "true"
        options = Options()
        options.binary_location = chromium
        for argument in (
            "--headless=new",
            "--no-sandbox",
            f"--user-data-dir={profile}",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--window-size=1280,800",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--lang=en-US",
        ):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.service = Service(executable_path=chromedriver, log_output=str(log_path))
        self.driver = None
        self.pids: dict[int, tuple] = {}
        try:
            self.driver = webdriver.Chrome(service=self.service, options=options)
        finally:
            self._record_pids()
        self.driver.set_page_load_timeout(PAGE_LOAD_TIMEOUT)
        self.driver.set_script_timeout(WAIT_TIMEOUT)

    def _record_pids(self) -> None:
        process = getattr(self.service, "process", None)
        if process is None:
            return
        for pid in [process.pid, *_descendants(process.pid)]:
            start = _process_start(pid)
            if start is not None:
                self.pids.setdefault(pid, start)

    def stop(self) -> None:
        """quit() (bounded), then SIGKILL by PID whatever it left running."""
        if self.driver is not None:
            self._record_pids()
            quitter = threading.Thread(target=self._quit_quietly, daemon=True)
            quitter.start()
            quitter.join(QUIT_TIMEOUT)
        process = getattr(self.service, "process", None)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(
                _process_start(pid) == start for pid, start in self.pids.items()):
            time.sleep(0.1)
        for pid, start in self.pids.items():
            if _process_start(pid) == start:  # still the same process
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if process is not None:
            try:
                process.wait(timeout=5)
            except Exception:
                pass

    def _quit_quietly(self) -> None:
        try:
            self.driver.quit()
        except Exception:
            pass

    # -- helpers --------------------------------------------------------------------

    def emulate(self, metrics: dict) -> None:
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)

    def wait(self, script: str, what: str):
        """Polls a JS expression until it is truthy (bounded); returns its value."""
        return wait_until(lambda: self.driver.execute_script(f"return ({script});"), WAIT_TIMEOUT,
                          f"{what} ({script!r})", interval=0.1)

    def load(self, url: str) -> None:
        self.driver.get(url)
        self.wait("document.readyState === 'complete'", "the page to load")

    def image_state(self) -> dict:
        return self.driver.execute_script(
            "const img = document.querySelector('figure img');"
            "if (!img) return null;"
            "const r = img.getBoundingClientRect();"
            "return {complete: img.complete, naturalWidth: img.naturalWidth,"
            " naturalHeight: img.naturalHeight, src: img.getAttribute('src'), alt: img.alt,"
            " left: r.left, right: r.right, top: r.top, bottom: r.bottom,"
            " width: r.width, height: r.height};"
        )

    def layout(self) -> dict:
        return self.driver.execute_script(
            "const rect = (sel) => { const e = document.querySelector(sel);"
            "  if (!e) return null; const r = e.getBoundingClientRect();"
            "  return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,"
            "          width: r.width, height: r.height}; };"
            "const visitor = document.getElementById('visitor');"
            "return {innerWidth: window.innerWidth, innerHeight: window.innerHeight,"
            " scrollWidth: document.documentElement.scrollWidth,"
            " bodyFont: parseFloat(getComputedStyle(document.body).fontSize),"
            " visitorText: visitor ? visitor.textContent : null,"
            " visitor: rect('#visitor'), again: rect('a[href=\"/\"]'),"
            " caption: rect('figcaption'), h1: rect('h1')};"
        )

    def console_errors(self) -> list[dict]:
        entries = self.driver.get_log("browser")
        return [e for e in entries if e.get("level") == "SEVERE"
                and "favicon.ico" not in e.get("message", "")]


@pytest.fixture
def browser(tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    b = Browser(profile, ARTIFACTS / "chromedriver.log")
    try:
        yield b
    finally:
        b.stop()


def _check_page(browser: Browser, name: str, metrics: dict) -> dict:
    """Checks the loaded page at `metrics` and saves a screenshot `artifacts/{name}`."""
    browser.emulate(metrics)
    browser.wait("(() => { const i = document.querySelector('figure img');"
                 " return i && i.complete && i.naturalWidth > 0; })()",
                 "the GIF to decode")
    image = browser.image_state()
    layout = browser.layout()
    browser.driver.save_screenshot(str(ARTIFACTS / name))
    assert image["naturalWidth"] == 200 and image["naturalHeight"] == 160, image
    assert re.fullmatch(r"#\d+", layout["visitorText"] or ""), layout["visitorText"]
    width, height = layout["innerWidth"], layout["innerHeight"]
    assert width == metrics["width"], layout
    # Nothing wider than the window (no sideways scrolling) ...
    assert layout["scrollWidth"] <= width, layout
    # ... the GIF is fully visible, not tiny, and not blown up beyond its window ...
    assert image["left"] >= 0 and image["right"] <= width, image
    assert image["top"] >= 0 and image["bottom"] <= height, (image, layout)
    assert image["width"] >= min(200, width * 0.6), image
    # ... and the title, the visitor number and "Another dog" are on screen, in order,
    # without scrolling, in a readable size.
    for part in ("caption", "visitor", "again"):
        box = layout[part]
        assert box is not None, part
        assert 0 <= box["left"] and box["right"] <= width, (part, box)
        assert 0 <= box["top"] and box["bottom"] <= height, (part, box, layout)
    assert layout["caption"]["top"] >= image["bottom"] - 1
    assert layout["visitor"]["top"] >= layout["caption"]["bottom"] - 1
    assert layout["again"]["top"] >= layout["visitor"]["bottom"] - 1
    assert layout["bodyFont"] >= 16, layout
    # A tappable link on a phone.
    assert layout["again"]["height"] >= 32, layout["again"]
    return layout


def test_page_in_headless_chromium(app, browser):
    base = f"http://127.0.0.1:{app.port}"
    browser.emulate(DESKTOP)
    browser.load(base + "/")
    assert browser.driver.title, "the page has no title"
    image = browser.image_state()
    assert image is not None, browser.driver.page_source[:2000]
    assert image["src"].startswith("/gifs/"), image
    assert image["alt"], image

    desktop = _check_page(browser, "page.png", DESKTOP)
    first = int(desktop["visitorText"][1:])
    assert first == 1  # a fresh database: the browser is the first visitor

    # "Another dog" loads a new page and counts one more visitor.
    browser.driver.find_element("css selector", 'a[href="/"]').click()
    browser.wait(f"document.getElementById('visitor') &&"
                 f" document.getElementById('visitor').textContent === '#{first + 1}'",
                 "the next visitor number")
    browser.wait("document.readyState === 'complete'", "the next page to load")
    phone = _check_page(browser, "page-phone.png", PHONE)
    assert phone["visitorText"] == f"#{first + 1}"

    # The GIF came from barkd and decoded; nothing was blocked (CSP) or failed.
    errors = browser.console_errors()
    assert errors == [], errors
    # Two page views in the browser, and the server agrees.
    assert visitors(app) == 2


def test_browser_sees_the_server_side_visitor_number(app, browser):
    """Views from elsewhere move the number the browser shows."""
    for _ in range(4):
        view_page(app)
    browser.emulate(PHONE)
    browser.load(f"http://127.0.0.1:{app.port}/")
    text = browser.wait("document.getElementById('visitor').textContent", "the visitor number")
    assert text == "#5", text
    browser.wait("(() => { const i = document.querySelector('figure img');"
                 " return i && i.complete && i.naturalWidth > 0; })()", "the GIF to decode")
