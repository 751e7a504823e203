"""The body of a ``processes`` executor's worker process, and the messages it exchanges with the
driver over its pipe (``codesign.search.process_executor``).

A worker builds its own ``Pipeline`` from the plain spec (with its own architecture cache), runs
torch on one thread (two processes with one thread each use two cores far better than one with
two threads on small convolutions), ignores Ctrl-C (the driver handles it and stops the
workers), and exits when told to, when its pipe closes, or when the driver is gone (checked every
``PARENT_CHECK_S`` while it waits), so a killed run leaves no worker behind.

Messages are tuples, the first item the kind:

- worker → driver, once: ``(READY, pid)``, or ``(FAILED, error)`` when the pipeline cannot be built;
- ``(EVALUATE, key, candidate)`` → ``(key, Outcome)`` (without the artefacts);
- ``(CALL, key, stage, method, item)`` → ``(key, (True, value))`` or ``(key, (False, error))``:
  a stage's method on one item (the parallel part of a stage's preparation);
- ``(SPEC, spec)``: rebuild the pipeline from ``spec`` (no answer);
- ``(STOP,)``: exit.
"""
from __future__ import annotations

import os
import signal
from multiprocessing.connection import Connection
from typing import Any

READY, FAILED, EVALUATE, CALL, SPEC, STOP = "ready", "failed", "evaluate", "call", "spec", "stop"
#: Seconds between a waiting worker's checks that the driver process still exists.
PARENT_CHECK_S = 1.0


def error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


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


def worker_main(conn: Connection, spec: Any, parent_pid: int) -> None:
    """Serve the driver on ``conn`` until told to stop or the driver is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the process group: the driver's to handle
    _single_threaded_torch()
    from codesign.search.pipeline import Pipeline

    try:
        pipeline = Pipeline(spec)
    except Exception as exc:  # noqa: BLE001 - the driver reports it as the executor's error
        conn.send((FAILED, error_text(exc)))
        return
    conn.send((READY, os.getpid()))
    while True:
        if not conn.poll(PARENT_CHECK_S):
            if os.getppid() != parent_pid:  # the driver died (kill -9): nobody to serve
                return
            continue
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message[0] == STOP:
            return
        if message[0] == SPEC:
            pipeline = Pipeline(message[1])
            continue
        conn.send(_answer(pipeline, message))
