"""Real MariaDB servers for the end-to-end tests.

- `SharedMariaDB`: the server `scripts/test.sh` starts for the whole run
  (`BARKD_TEST_MARIADB_URL`, `BARKD_TEST_MARIADB_PASSWORD_FILE`); each test gets its own
  database `barkd_test_<random>` on it, dropped afterwards.
- `PrivateMariaDB`: a server of the test's own (`scripts/mariadb-test-server.sh` in a
  temporary directory), for tests that stop and start it; stopped by its PID at teardown.

SQL from the tests runs through Debian's `mariadb` client over TCP as the test user; the
password goes through `MYSQL_PWD`, never the command line.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from barkd_helpers import REPO_ROOT

SERVER_SCRIPT = REPO_ROOT / "scripts" / "mariadb-test-server.sh"
CLIENT_TIMEOUT = 20.0


@dataclass
class Database:
    """One database on a MariaDB server: its URL for barkd and the password file."""

    url: str
    password_file: Path

    @property
    def _parts(self) -> urllib.parse.SplitResult:
        return urllib.parse.urlsplit(self.url)

    @property
    def name(self) -> str:
        return self._parts.path.lstrip("/")

    def barkd_args(self) -> list[str]:
        return ["--database", self.url]

    def barkd_env(self) -> dict:
        return {"BARKD_DB_PASSWORD_FILE": str(self.password_file)}

    def sql(self, statement: str, database: str | None = None) -> str:
        """Runs `statement` as the test user; returns the output (tab-separated, no
        column names). Raises on failure."""
        parts = self._parts
        argv = ["mariadb", "--no-defaults", "--protocol=tcp", f"--host={parts.hostname}",
                f"--port={parts.port}", f"--user={parts.username}", "--batch",
                "--skip-column-names", "--connect-timeout=5", "-e", statement]
        db = self.name if database is None else database
        if db:
            argv.append(db)
        env = dict(os.environ, MYSQL_PWD=self.password_file.read_text().strip())
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=CLIENT_TIMEOUT)
        if done.returncode != 0:
            raise RuntimeError(f"mariadb client failed ({done.returncode}): {done.stderr.strip()}")
        return done.stdout

    def stored_visitors(self) -> int:
        """The visitor count in the database itself (0 before the first write)."""
        out = self.sql("SELECT COALESCE((SELECT count FROM visitor_counter WHERE id = 1), 0)")
        return int(out.strip())


def _with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


class SharedMariaDB:
    """The run's MariaDB; `fresh_database()` makes an empty database for one test."""

    def __init__(self) -> None:
        url = os.environ.get("BARKD_TEST_MARIADB_URL")
        password_file = os.environ.get("BARKD_TEST_MARIADB_PASSWORD_FILE")
        if not url or not password_file:
            raise RuntimeError(
                "BARKD_TEST_MARIADB_URL and BARKD_TEST_MARIADB_PASSWORD_FILE are not set: run the "
                "tests through ./scripts/test.sh, which starts a test MariaDB")
        self.server = Database(url, Path(password_file))
        self.created: list[Database] = []

    def fresh_database(self) -> Database:
        name = "barkd_test_" + secrets.token_hex(6)
        self.server.sql(f"CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        database = Database(_with_database(self.server.url, name), self.server.password_file)
        self.created.append(database)
        return database

    def cleanup(self) -> None:
        for database in self.created:
            try:
                self.server.sql(f"DROP DATABASE IF EXISTS {database.name}")
            except (RuntimeError, subprocess.TimeoutExpired):
                pass
        self.created.clear()


class PrivateMariaDB:
    """A MariaDB server of one test's own, in `directory`; `stop()` and `start()` keep
    its data, port and password, as an outage would."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.database: Database | None = None

    def _script(self, action: str) -> str:
        done = subprocess.run([str(SERVER_SCRIPT), action, str(self.directory)],
                              capture_output=True, text=True, timeout=90)
        if done.returncode != 0:
            raise RuntimeError(f"mariadb-test-server.sh {action} failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def start(self) -> Database:
        url = self._script("start")
        self.database = Database(url, self.directory / "password")
        return self.database

    def stop(self) -> None:
        self._script("stop")

    @property
    def pid(self) -> int | None:
        path = self.directory / "mariadbd.pid"
        return int(path.read_text()) if path.exists() else None
