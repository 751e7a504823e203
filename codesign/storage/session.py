"""Who is running a run directory right now, and how its last session ended.

``RUN_DIR/session.json`` is written when ``codesign run`` starts, refreshed by a heartbeat thread
every ``HEARTBEAT_S`` seconds while it runs, and rewritten with the reason when it ends. A process
killed with ``kill -9`` leaves the file saying "running" with a dead process and a stale
heartbeat, which is how ``codesign status`` tells an interrupted run from a running one.
"""
from __future__ import annotations

import datetime as _dt
import fcntl
import json
import os
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codesign.errors import CodesignError

SESSION_FILE = "session.json"
#: Held (``flock``) by the process that runs the search.
LOCK_FILE = "session.lock"
#: Seconds between heartbeats of a running session.
HEARTBEAT_S = 5.0
#: A heartbeat older than this means the process is gone (several missed beats).
STALE_AFTER_S = 30.0


def _now() -> float:
    return time.time()


def _write(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    os.replace(tmp, path)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class Liveness:
    """What ``session.json`` says: ``running`` (a live process holds the run), ``dead`` (the
    holder was killed), ``ended`` (the last session exited, with ``reason``) or ``none``."""

    state: str
    info: dict[str, Any]

    @property
    def reason(self) -> str:
        return str(self.info.get("reason", ""))


def read_liveness(run_path: Path) -> Liveness:
    """The liveness of the run in ``run_path``."""
    path = run_path / SESSION_FILE
    try:
        info = json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return Liveness("none", {})
    if info.get("state") != "running":
        return Liveness("ended", info)
    same_host = info.get("host") == socket.gethostname()
    if same_host and not _pid_alive(int(info.get("pid", -1))):
        return Liveness("dead", info)
    fresh = _now() - float(info.get("heartbeat", 0.0)) < STALE_AFTER_S
    return Liveness("running" if fresh else "dead", info)


class Session:
    """Holds a run directory while a search runs: refuses a second live holder, beats, and
    records how the session ended."""

    def __init__(self, run_path: Path) -> None:
        self.path = run_path / SESSION_FILE
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._info: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._lock_fd: int | None = None

    def __enter__(self) -> Session:
        # An exclusive lock on the run directory (released by the kernel when the process dies):
        # of two processes that start at once, exactly one holds it.
        try:
            self._lock_fd = os.open(self.path.parent / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:  # a read-only run directory: say so before any work is done
            raise self._not_writable(exc) from None
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock_fd)
            self._lock_fd = None
            self._refuse(read_liveness(self.path.parent))
        live = read_liveness(self.path.parent)
        if live.state == "running":
            self._release()
            self._refuse(live)
        now = _now()
        self._info = {"state": "running", "pid": os.getpid(), "host": socket.gethostname(),
                      "started": _dt.datetime.now().isoformat(timespec="seconds"), "started_ts": now,
                      "heartbeat": now}
        try:
            _write(self.path, self._info)
        except OSError as exc:
            self._release()
            raise self._not_writable(exc) from None
        self._thread = threading.Thread(target=self._beat, name="codesign-heartbeat", daemon=True)
        self._thread.start()
        return self

    def _not_writable(self, exc: OSError) -> CodesignError:
        return CodesignError(f"{self.path.parent}: cannot run a search in this run directory: {exc.strerror} "
                             f"(a search writes its journal and {SESSION_FILE} there)")

    def _refuse(self, live: Liveness) -> None:
        holder = f"pid {live.info.get('pid')} on {live.info.get('host')}" if live.state == "running" else "another process"
        raise CodesignError(f"{self.path.parent}: a search is running on it ({holder}); wait for it or stop it first")

    def _release(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing the descriptor releases the lock
            self._lock_fd = None

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_S):
            with self._lock:
                if self._info.get("state") != "running":
                    return
                self._info["heartbeat"] = _now()
                try:
                    _write(self.path, self._info)
                except OSError:  # a full disk must not kill the search; status will call it stale
                    pass

    def end(self, reason: str, **extra: Any) -> None:
        """Record how the session ended (``budget``, ``time``, ``exhausted``, ``interrupted``, an
        error); the run directory is free again."""
        self._stop.set()
        with self._lock:
            now = _now()
            self._info.update(state="ended", reason=reason, heartbeat=now, ended_ts=now,
                              ended=_dt.datetime.now().isoformat(timespec="seconds"), **extra)
            _write(self.path, self._info)

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self._info.get("state") == "running":
            reason = "interrupted" if exc_type is KeyboardInterrupt else (
                f"error: {exc_type.__name__}: {exc}" if exc_type is not None else "ended")
            try:
                self.end(reason)
            except OSError:  # the disk that failed the search: keep its error, not this one
                if exc_type is None:
                    raise
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1.0)
        self._release()
