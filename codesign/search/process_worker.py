"""The body of a ``processes`` executor's worker process, and the messages it exchanges with the
driver over its pipe (``codesign.search.process_executor``).

A worker builds its own ``Pipeline`` from the plain spec (with its own architecture cache), runs
torch on one thread (two processes with one thread each use two cores far better than one with
two threads on small convolutions), ignores Ctrl-C (the driver handles it and stops the
workers), and exits when told to or when the driver is gone, also in the middle of an evaluation:
on Linux the kernel kills it with its parent (``PR_SET_PDEATHSIG``), elsewhere a watchdog thread
ends it within ``PARENT_CHECK_S``. A forked worker holds copies of the driver's open files, the
run directory's lock among them, so one that outlived a killed driver would keep ``--resume``
out.

Messages are tuples, the first item the kind:

- worker → driver, once: ``(READY, pid)``, or ``(FAILED, error)`` when the pipeline cannot be built;
- ``(EVALUATE, key, candidate)`` → ``(key, Outcome)`` (without the artefacts);
- ``(CALL, key, stage, method, item)`` → ``(key, (True, value))`` or ``(key, (False, error))``:
  a stage's method on one item (the parallel part of a stage's preparation);
- ``(SPEC, spec)``: rebuild the pipeline from ``spec`` → ``(READY, pid)`` or ``(FAILED, error)``;
- ``(STOP,)``: exit.
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

READY, FAILED, EVALUATE, CALL, SPEC, STOP = "ready", "failed", "evaluate", "call", "spec", "stop"
#: Seconds between a waiting worker's checks that the driver process still exists.
PARENT_CHECK_S = 1.0


def error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


#: ``prctl`` option: the signal the kernel sends this process when its parent dies (linux/prctl.h).
_PR_SET_PDEATHSIG = 1


def _die_with(parent_pid: int) -> None:
    """End this process when ``parent_pid`` (its parent) ends, whatever it is doing then."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(0)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_S)
        os._exit(0)  # nobody to serve; no cleanup of the driver's state is ours to run

    threading.Thread(target=watch, name="codesign-worker-watchdog", daemon=True).start()


#: glibc ``mallopt`` parameters (malloc.h): M_TRIM_THRESHOLD, M_MMAP_MAX.
_M_TRIM_THRESHOLD, _M_MMAP_MAX = -1, -4


def _keep_freed_memory() -> None:
    """Have glibc keep the memory torch frees for its next tensors, instead of unmapping every
    big block at ``free`` and trimming the heap: a worker allocates and frees activations of
    tens of MB for every architecture, and each block handed back is mapped and zeroed again by
    the kernel on its next use. On the 2-core VM of docs/measurements-search.md the quickstart's
    reference sample cost each worker ~3.5 s of system time that way, 0.5 s with this; the
    whole run's system time went from 6.0-6.7 s to 3.2 s. The price: each worker holds the
    largest heap it reached (~1 GB there; fragmentation can hold more than the largest single
    architecture needs) until it exits. Nothing happens without glibc's ``mallopt`` (macOS, musl
    stubs)."""
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_MAX, 0)  # big blocks come from the heap, where freed ones are reused
    mallopt(_M_TRIM_THRESHOLD, 2 ** 31 - 1)  # and the heap's top is not given back


def _single_threaded_torch() -> None:
    try:
        import torch
    except ImportError:  # a pipeline without torch stages
        return
    torch.set_num_threads(1)


def _answer(pipeline: Any, message: tuple[Any, ...]) -> tuple[Any, Any]:
    """The reply to an EVALUATE or CALL message."""
    if message[0] == EVALUATE:
        _, key, candidate = message
        return key, pipeline.evaluate(candidate).without_artefacts()
    _, key, stage, method, item = message
    try:
        return key, (True, getattr(pipeline.stage(stage), method)(item))
    except Exception as exc:  # noqa: BLE001 - reported to the driver, which raises it there
        return key, (False, error_text(exc))


def _build(spec: Any) -> tuple[Any, tuple[Any, ...]]:
    """The pipeline of ``spec`` and the message that says so: READY, or FAILED with the error."""
    from codesign.search.pipeline import Pipeline

    try:
        return Pipeline(spec), (READY, os.getpid())
    except Exception as exc:  # noqa: BLE001 - the driver reports it as the executor's error
        return None, (FAILED, error_text(exc))


def _send_answer(conn: Connection, pipeline: Any, message: tuple[Any, ...]) -> None:
    """Answer an EVALUATE or CALL message; an answer that cannot be sent (it does not pickle)
    becomes the task's failure, so the driver gets a reason instead of a dead worker."""
    from codesign.search.pipeline import failed_outcome

    key, value = _answer(pipeline, message)
    try:
        conn.send((key, value))  # pickled whole before a byte is written
    except OSError:
        raise
    except Exception as exc:  # noqa: BLE001 - reported to the driver
        reason = f"its result could not be sent to the driver: {error_text(exc)}"
        conn.send((key, failed_outcome(reason) if message[0] == EVALUATE else (False, reason)))


def worker_main(conn: Connection, spec: Any, parent_pid: int) -> None:
    """Serve the driver on ``conn`` until told to stop or the driver is gone."""
    _die_with(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the process group: the driver's to handle
    _single_threaded_torch()
    _keep_freed_memory()
    try:
        pipeline, reply = _build(spec)
        conn.send(reply)
        while pipeline is not None:
            message = conn.recv()
            if message[0] == STOP:
                return
            if message[0] == SPEC:
                pipeline, reply = _build(message[1])
                conn.send(reply)
                continue
            _send_answer(conn, pipeline, message)
    except (EOFError, OSError):  # the driver closed its end: nobody to serve
        return
