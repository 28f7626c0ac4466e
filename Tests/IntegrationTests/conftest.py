"""pytest fixtures and hooks for barkd's end-to-end tests. The helpers they use (and
that the tests import) are in barkd_helpers.py.

Every barkd a fixture starts is stopped by its PID at teardown (SIGTERM, then SIGKILL
after a timeout), and its log lines are checked then.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from barkd_helpers import REPO_ROOT, TEST_TIMEOUT, TOKEN, BarkdRunner, NotifySocket, start_app


def pytest_collection_modifyitems(config, items):
    """Puts a hard time limit on every test of this suite's own files."""
    mine = {"test_http.py", "test_lifecycle.py"}
    for item in items:
        if Path(str(item.fspath)).name in mine and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(TEST_TIMEOUT))


# --------------------------------------------------------------------------------------
# The binary and the commit it was built from
# --------------------------------------------------------------------------------------


def executable_from(variable: str, how: str) -> str:
    path = os.environ.get(variable)
    if not path:
        pytest.fail(f"{variable} is not set: {how}", pytrace=False)
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        pytest.fail(f"{variable}={path!r} is not an executable file", pytrace=False)
    return os.path.abspath(path)


@pytest.fixture(scope="session")
def barkd_bin() -> str:
    return executable_from("BARKD_BIN", "build barkd (swift build) and point BARKD_BIN at the binary, "
                                        "e.g. BARKD_BIN=$PWD/.build/debug/barkd")


@pytest.fixture(scope="session")
def release_barkd_bin() -> str:
    """The release build, for the attacks and floods (they measure what users run)."""
    return executable_from("BARKD_RELEASE_BIN", "build it (swift build -c release --product barkd) and point "
                                                "BARKD_RELEASE_BIN at .build/release/barkd")


@pytest.fixture(scope="session")
def expected_commit() -> str:
    """The commit the binary under test was built from: `BARKD_EXPECTED_COMMIT`, else
    `git rev-parse HEAD` of this checkout (the build records HEAD)."""
    given = os.environ.get("BARKD_EXPECTED_COMMIT")
    if given:
        return given.strip()
    result = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"],
        capture_output=True, text=True, timeout=10,
    )
    if result.returncode != 0:
        pytest.fail(
            f"cannot determine the expected commit (git rev-parse HEAD failed: "
            f"{result.stderr.strip()}); set BARKD_EXPECTED_COMMIT",
            pytrace=False,
        )
    return result.stdout.strip()



def starter(binary: str):
    """Yields a factory of barkd processes of `binary`; stops each by its PID after."""
    runner = BarkdRunner(binary)
    try:
        yield runner.start
    finally:
        runner.cleanup()


@pytest.fixture
def start_barkd(barkd_bin):
    """A factory: `start_barkd("--header-timeout", "1s", env={...})` → running Barkd."""
    yield from starter(barkd_bin)


@pytest.fixture
def start_release_barkd(release_barkd_bin):
    """`start_barkd` for the release binary."""
    yield from starter(release_barkd_bin)


@pytest.fixture(scope="module")
def server(barkd_bin):
    """One barkd shared by a module's tests that do not depend on its configuration."""
    runner = BarkdRunner(barkd_bin)
    try:
        yield runner.start("--header-timeout", "2s", "--body-timeout", "2s")
    finally:
        runner.cleanup()


@pytest.fixture
def app(start_barkd, tmp_path):
    """A fresh barkd (default batched counter) on its own SQLite data directory."""
    return start_app(start_barkd, tmp_path / "data")


@pytest.fixture
def admin_app(start_barkd, tmp_path):
    """A fresh barkd with the admin API enabled (token `TOKEN`)."""
    return start_app(start_barkd, tmp_path / "data", token=TOKEN)


@pytest.fixture
def notify_socket():
    ns = NotifySocket()
    try:
        yield ns
    finally:
        ns.close()
