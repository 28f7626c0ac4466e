"""A fault-injecting TCP relay for the MySQL/MariaDB client protocol, for the fault tests.

barkd connects to the relay (127.0.0.1) instead of the database; the relay opens one
upstream connection per client connection and forwards bytes both ways. Faults, switched
at run time from the test's thread:

- `delay(seconds)`: every chunk is forwarded `seconds` after it arrived (each direction
  keeps its order), so a round trip takes twice that.
- `freeze()` / `thaw()`: nothing is read or forwarded in either direction while frozen;
  sockets stay open (new connections are accepted and held too). On thaw, what the
  kernel buffered meanwhile is forwarded, as a stalled middlebox would.
- `arm_cut(n)`: the next `n` commit points that wrote the counter are forwarded to the
  server, whose reply is then dropped and both sides closed: the write is committed but
  the client sees a lost connection.

A commit point is found by parsing the client's packets (3-byte length + sequence id;
a command is a packet with sequence id 0): `COM_QUERY` (0x03) text, and prepared
statements (`COM_STMT_PREPARE` 0x16 text, mapped to the statement id of the server's
`PREPARE_OK`, then `COM_STMT_EXECUTE` 0x17 by id). It is either a `COMMIT` (text or
prepared) ending a transaction that wrote a table matching `target`, or such a write in
autocommit mode (it commits by itself). TLS and compression are not supported (the
tests connect without them).

Every socket is closed by `stop()`; the relay runs its own asyncio loop on a thread.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Optional

COM_QUERY = 0x03
COM_STMT_PREPARE = 0x16
COM_STMT_EXECUTE = 0x17
COM_STMT_CLOSE = 0x19

#: Statement id meaning "the statement prepared last" (pipelined prepare + execute).
LAST_PREPARED = 0xFFFFFFFF

_WRITE = re.compile(r"^\s*(UPDATE|INSERT|REPLACE|DELETE)\b", re.I)
_BEGIN = re.compile(r"^\s*(START\s+TRANSACTION|BEGIN)\b", re.I)
_COMMIT = re.compile(r"^\s*COMMIT\b", re.I)
_ROLLBACK = re.compile(r"^\s*ROLLBACK\s*(;|$|WORK\b|AND\b)", re.I)
_AUTOCOMMIT = re.compile(r"\bautocommit\s*=\s*(0|1|ON|OFF|TRUE|FALSE)\b", re.I)
_COMMENT = re.compile(r"^\s*(/\*.*?\*/|--[^\n]*\n|#[^\n]*\n)", re.S)


def _strip_comments(text: str) -> str:
    while True:
        stripped = _COMMENT.sub("", text, count=1)
        if stripped == text:
            return text
        text = stripped


class PacketSplitter:
    """Frames a byte stream into MySQL packets; keeps the first `keep` payload bytes of
    each (enough to classify it without copying large result sets)."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self._header = bytearray()
        self._remaining = 0
        self._current: Optional[tuple[int, int, bytearray]] = None

    def feed(self, data: bytes) -> list[tuple[int, int, bytes]]:
        """Returns the packets completed by `data`: (sequence id, length, payload prefix)."""
        done: list[tuple[int, int, bytes]] = []
        view = memoryview(data)
        i, n = 0, len(data)
        while i < n:
            if self._current is None:
                take = min(4 - len(self._header), n - i)
                self._header += view[i:i + take]
                i += take
                if len(self._header) < 4:
                    break
                length = int.from_bytes(self._header[:3], "little")
                seq = self._header[3]
                self._header.clear()
                self._current = (seq, length, bytearray())
                self._remaining = length
                if length == 0:
                    done.append((seq, 0, b""))
                    self._current = None
                continue
            seq, length, prefix = self._current
            take = min(self._remaining, n - i)
            room = self.keep - len(prefix)
            if room > 0:
                prefix += view[i:i + min(take, room)]
            i += take
            self._remaining -= take
            if self._remaining == 0:
                done.append((seq, length, bytes(prefix)))
                self._current = None
        return done


@dataclass
class SessionTracker:
    """What one client connection is doing: open transaction, prepared statements."""

    target: re.Pattern
    in_transaction: bool = False
    autocommit: bool = True
    wrote_target: bool = False
    statements: dict = field(default_factory=dict)
    last_prepared: Optional[str] = None
    awaiting_prepare: Optional[str] = None

    def client_packet(self, seq: int, payload: bytes) -> Optional[str]:
        """A client packet; returns the statement text if it is a commit point."""
        if seq != 0 or not payload:
            return None
        command = payload[0]
        if command == COM_QUERY:
            return self._statement(payload[1:].decode("utf-8", "replace"))
        if command == COM_STMT_PREPARE:
            self.awaiting_prepare = payload[1:].decode("utf-8", "replace")
            return None
        if command == COM_STMT_EXECUTE and len(payload) >= 5:
            statement_id = int.from_bytes(payload[1:5], "little")
            text = self.last_prepared if statement_id == LAST_PREPARED else self.statements.get(statement_id)
            return self._statement(text) if text else None
        if command == COM_STMT_CLOSE and len(payload) >= 5:
            self.statements.pop(int.from_bytes(payload[1:5], "little"), None)
        return None

    def server_packet(self, seq: int, payload: bytes) -> None:
        """A server packet: the first one after a prepare is its answer."""
        if self.awaiting_prepare is None:
            return
        text, self.awaiting_prepare = self.awaiting_prepare, None
        if len(payload) >= 5 and payload[0] == 0x00:
            statement_id = int.from_bytes(payload[1:5], "little")
            self.statements[statement_id] = text
            self.last_prepared = text

    def _statement(self, text: str) -> Optional[str]:
        commit_point = None
        for part in text.split(";"):
            part = _strip_comments(part)
            if not part.strip():
                continue
            if self._one(part):
                commit_point = text
        return commit_point

    def _one(self, text: str) -> bool:
        if _BEGIN.match(text):
            self.in_transaction, self.wrote_target = True, False
            return False
        if _COMMIT.match(text):
            committed = self.wrote_target
            self.in_transaction, self.wrote_target = False, False
            return committed
        if _ROLLBACK.match(text):
            self.in_transaction, self.wrote_target = False, False
            return False
        setting = _AUTOCOMMIT.search(text)
        if setting and text.lstrip().upper().startswith("SET"):
            on = setting.group(1).upper() in ("1", "ON", "TRUE")
            # Turning autocommit on commits an open implicit transaction.
            committed = on and not self.autocommit and self.wrote_target
            self.autocommit = on
            if on:
                self.wrote_target = False
            return committed
        if _WRITE.match(text) and self.target.search(text):
            if self.in_transaction or not self.autocommit:
                self.wrote_target = True
                return False
            return True
        return False


@dataclass
class CutEvent:
    at: float
    statement: str


class _Connection:
    def __init__(self, relay: "FaultRelay", client: tuple, upstream: tuple) -> None:
        self.relay = relay
        self.client_reader, self.client_writer = client
        self.upstream_reader, self.upstream_writer = upstream
        self.session = SessionTracker(relay.target)
        self.cut_statement: Optional[str] = None
        self.closed = False

    def abort(self) -> None:
        if self.closed:
            return
        self.closed = True
        for writer in (self.client_writer, self.upstream_writer):
            try:
                writer.close()
            except Exception:
                pass


class FaultRelay:
    """See the module's doc. `start()` returns the port to give barkd."""

    def __init__(self, upstream_host: str, upstream_port: int, listen_host: str = "127.0.0.1",
                 target: str = r"\bvisitor_counter\b") -> None:
        self.upstream = (upstream_host, upstream_port)
        self.listen_host = listen_host
        self.target = re.compile(target, re.I)
        self.port: Optional[int] = None
        self._delay = 0.0
        self._cuts_armed = 0
        self.cuts: list[CutEvent] = []
        self.commit_points = 0
        self.accepted = 0
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fault-relay", daemon=True)
        self._server: Optional[asyncio.AbstractServer] = None
        self._flowing: Optional[asyncio.Event] = None
        self._connections: set[_Connection] = set()
        self._tasks: set[asyncio.Task] = set()

    # -- control (from any thread) ---------------------------------------------------

    def start(self) -> int:
        self._thread.start()
        self.port = self._call(self._start())
        return self.port

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        try:
            self._call(self._stop(), timeout=10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            if not self._thread.is_alive():
                self._loop.close()

    def delay(self, seconds: float) -> None:
        """Forwards every later chunk `seconds` after it arrived (0: no delay)."""
        self._delay = max(0.0, seconds)

    def freeze(self) -> None:
        self._call(self._set_flowing(False))

    def thaw(self) -> None:
        self._call(self._set_flowing(True))

    def arm_cut(self, count: int) -> None:
        """Cuts the next `count` commit points of counter writes (see the module doc)."""
        with self._lock:
            self._cuts_armed = count

    def disarm(self) -> None:
        with self._lock:
            self._cuts_armed = 0

    @property
    def cuts_done(self) -> int:
        with self._lock:
            return len(self.cuts)

    def pass_through(self) -> None:
        """No fault at all."""
        self.disarm()
        self.delay(0)
        self.thaw()

    def _call(self, coroutine, timeout: float = 10.0):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    # -- the loop --------------------------------------------------------------------

    async def _start(self) -> int:
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server = await asyncio.start_server(self._accept, self.listen_host, 0)
        return self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for connection in list(self._connections):
            connection.abort()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)

    async def _set_flowing(self, on: bool) -> None:
        if on:
            self._flowing.set()
        else:
            self._flowing.clear()

    def _spawn(self, coroutine) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        try:
            upstream = await asyncio.wait_for(asyncio.open_connection(*self.upstream), timeout=5)
        except (OSError, asyncio.TimeoutError):
            writer.close()
            return
        connection = _Connection(self, (reader, writer), upstream)
        self._connections.add(connection)
        c2s: asyncio.Queue = asyncio.Queue()
        s2c: asyncio.Queue = asyncio.Queue()
        tasks = [
            self._spawn(self._read(connection, reader, c2s, client_side=True)),
            self._spawn(self._write(connection, c2s, upstream[1])),
            self._spawn(self._read(connection, upstream[0], s2c, client_side=False)),
            self._spawn(self._write(connection, s2c, writer)),
        ]
        try:
            await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            connection.abort()
            self._connections.discard(connection)

    async def _read(self, connection: _Connection, reader: asyncio.StreamReader, queue: asyncio.Queue,
                    client_side: bool) -> None:
        splitter = PacketSplitter(keep=64 * 1024 if client_side else 16)
        last_due = 0.0
        try:
            while not connection.closed:
                await self._flowing.wait()
                data = await reader.read(65536)
                if not data:
                    break
                if client_side:
                    for seq, _, payload in splitter.feed(data):
                        statement = connection.session.client_packet(seq, payload)
                        if statement is None:
                            continue
                        with self._lock:
                            self.commit_points += 1
                            if self._cuts_armed > 0:
                                self._cuts_armed -= 1
                                connection.cut_statement = statement
                else:
                    if connection.cut_statement is not None:
                        # The server answered the commit point: drop its reply, close both.
                        with self._lock:
                            self.cuts.append(CutEvent(time.monotonic(), connection.cut_statement))
                        connection.abort()
                        break
                    for seq, _, payload in splitter.feed(data):
                        connection.session.server_packet(seq, payload)
                due = max(time.monotonic() + self._delay, last_due)
                last_due = due
                await queue.put((due, data))
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            await queue.put((0.0, None))

    async def _write(self, connection: _Connection, queue: asyncio.Queue, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                due, data = await queue.get()
                if data is None:
                    break
                await self._flowing.wait()
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                await self._flowing.wait()
                if connection.closed:
                    return
                writer.write(data)
                await writer.drain()
        except (OSError, ConnectionError):
            pass
        finally:
            # The source ended (or failed): the connection is over in both directions.
            connection.abort()


def main() -> None:
    """`python fault_relay.py UPSTREAM_HOST UPSTREAM_PORT [delay SECONDS | cut N]`: a relay
    on 127.0.0.1 for trying faults by hand; prints its port and runs until Ctrl-C."""
    import sys
    host, port = sys.argv[1], int(sys.argv[2])
    relay = FaultRelay(host, port)
    print(relay.start(), flush=True)
    if len(sys.argv) > 4 and sys.argv[3] == "delay":
        relay.delay(float(sys.argv[4]))
    elif len(sys.argv) > 4 and sys.argv[3] == "cut":
        relay.arm_cut(int(sys.argv[4]))
    try:
        while True:
            time.sleep(1)
            print(f"accepted={relay.accepted} commit_points={relay.commit_points} cuts={relay.cuts_done}", flush=True)
    except KeyboardInterrupt:
        relay.stop()


if __name__ == "__main__":
    main()
