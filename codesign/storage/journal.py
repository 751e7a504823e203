"""A journal-file backend for Optuna's ``JournalStorage`` that writes in batches.

Optuna's ``JournalFileBackend`` takes a file lock, opens the file and calls ``fsync`` for every
storage operation; a trial is ~25 operations (one per parameter, attribute and constraint), which
cost ~100 ms per trial on the project's machines (``benchmarks/engine_overhead.py``). This backend
keeps the same on-disk format (one JSON log per line, read back by Optuna's own backend and by
``optuna`` tooling) but appends the logs it is given to a buffer, which the search loop writes out
with ``flush()`` at the points that matter: after a batch is asked (so the running trials are
visible to ``codesign status``) and after every told trial (so a finished trial is on disk before
the next one starts).

Durability: a flushed log is in the operating system's page cache, so a killed process (``kill
-9``) loses nothing flushed; ``fsync`` (what a power cut needs) runs at most every
``sync_interval_s`` and on close. One process writes a run's journal at a time (``RunDir`` holds a
session lock); a second writer is detected at the next flush and refused.
"""
from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from typing import Any

from optuna.storages.journal import BaseJournalBackend, JournalFileSymlinkLock

from codesign.errors import CodesignError

#: Seconds between ``fsync`` calls while a run is going (a power cut loses at most this much).
SYNC_INTERVAL_S = 1.0


class BufferedJournalFile(BaseJournalBackend):
    """Optuna journal file with buffered appends; ``flush`` writes them in one append."""

    def __init__(self, path: str, sync_interval_s: float = SYNC_INTERVAL_S) -> None:
        self.path = path
        self.sync_interval_s = sync_interval_s
        self._lock = JournalFileSymlinkLock(path)
        if not os.path.exists(path):
            open(path, "ab").close()
        self._file_logs = 0  # complete lines read from the file so far
        self._file_bytes = 0  # their total size
        self._pending: list[dict[str, Any]] = []
        self._last_sync = time.monotonic()
        self._unsynced = False

    # -- reading ------------------------------------------------------------------------------
    def _read_file(self, log_number_from: int) -> Iterator[dict[str, Any]]:
        """Complete lines of the file from log ``log_number_from`` on (a torn last line, as a
        writer leaves it mid-append, is not read)."""
        size = os.stat(self.path).st_size
        if size == self._file_bytes and log_number_from >= self._file_logs:
            return
        if size > self._file_bytes and self._pending:
            # Logs this process has not written yet were numbered after the file's end: logs that
            # another process appended meanwhile would be read out of order. (Bytes without a
            # newline are a torn line a killed writer left; ``flush`` cuts them off.)
            with open(self.path, "rb") as f:
                f.seek(self._file_bytes)
                if b"\n" in f.read(size - self._file_bytes):
                    self._refuse_foreign_writer()
            return
        start_number, start_byte = (self._file_logs, self._file_bytes) if log_number_from >= self._file_logs else (0, 0)
        with open(self.path, "rb") as f:
            f.seek(start_byte)
            data = f.read(size - start_byte)
        number, offset = start_number, start_byte
        lines = data.split(b"\n")
        for i, line in enumerate(lines[:-1]):  # the last piece has no newline: torn or empty
            try:
                log = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CodesignError(f"{self.path}: log {number} is corrupt ({exc}); "
                                    f"lines after it: {len(lines) - 2 - i}") from None
            offset += len(line) + 1
            number += 1
            if number > self._file_logs:
                self._file_logs, self._file_bytes = number, offset
            if number - 1 >= log_number_from:
                yield log

    def read_logs(self, log_number_from: int) -> Iterator[dict[str, Any]]:
        """Logs from ``log_number_from`` on: those in the file, then those not yet flushed."""
        yield from self._read_file(log_number_from)
        first_pending = self._file_logs
        for i, log in enumerate(self._pending):
            if first_pending + i >= log_number_from:
                yield log

    # -- writing ------------------------------------------------------------------------------
    def append_logs(self, logs: list[dict[str, Any]]) -> None:
        self._pending.extend(logs)

    def flush(self, sync: bool = False) -> None:
        """Write the buffered logs in one append; ``fsync`` when ``sync`` or when the last one
        is older than ``sync_interval_s``."""
        if self._pending:
            text = "".join(json.dumps(log, separators=(",", ":")) + "\n" for log in self._pending).encode()
            self._lock.acquire()
            try:
                size = os.stat(self.path).st_size
                if size != self._file_bytes:
                    self._handle_foreign_bytes(size)
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
                try:
                    self._append(fd, text)
                    if sync or time.monotonic() - self._last_sync >= self.sync_interval_s:
                        os.fsync(fd)
                        self._last_sync, self._unsynced = time.monotonic(), False
                    else:
                        self._unsynced = True
                finally:
                    os.close(fd)
            finally:
                self._lock.release()
            self._file_logs += len(self._pending)
            self._file_bytes += len(text)
            self._pending.clear()
        elif sync and self._unsynced:
            with open(self.path, "ab") as f:
                os.fsync(f.fileno())
            self._last_sync, self._unsynced = time.monotonic(), False

    def _append(self, fd: int, text: bytes) -> None:
        """Write ``text`` whole, or (a full disk, a file-size limit) cut the file back to its last
        complete log and re-raise: the journal stays readable and the logs stay pending."""
        view = memoryview(text)
        try:
            while view:
                view = view[os.write(fd, view):]
        except OSError as exc:
            os.ftruncate(fd, self._file_bytes)
            raise OSError(exc.errno, exc.strerror, self.path) from None

    def _handle_foreign_bytes(self, size: int) -> None:
        """Bytes past what this process read: a torn line left by a killed writer is cut off;
        complete logs from another writer are an error (their order would differ from ours)."""
        with open(self.path, "rb+") as f:
            f.seek(self._file_bytes)
            tail = f.read(size - self._file_bytes)
            if b"\n" in tail:
                self._refuse_foreign_writer()
            f.truncate(self._file_bytes)

    def _refuse_foreign_writer(self) -> None:
        raise CodesignError(f"{self.path}: another process wrote to this journal; one process may write "
                            f"a run at a time (share a study between processes through an RDB URL)")

    @property
    def pending(self) -> int:
        """Logs not yet written."""
        return len(self._pending)
