"""``processes``: candidates evaluated by ``workers`` worker processes on this machine.

A light alternative to Ray on one machine: no cluster to start (a worker is a fork of the
driver, so it starts in milliseconds with everything imported), each worker one torch thread
and its own pipeline and architecture cache (``codesign.search.process_worker``). It keeps the
executor contract of the others:

- results come back **in submission order** (a finished result waits for the older ones), so
  what the loop asks and tells does not depend on which worker was faster: with a strategy whose
  asks ahead are exact (``Strategy.askable``, NSGA-II) a run is the same as the ``inline``
  executor's, with any other it is the same from run to run (for its batch size);
- a candidate goes preferably to a worker that has already seen its architecture (cache hits);
- a worker that dies (its process exits: a crash, the OOM killer) is replaced and its
  candidate retried, ``MAX_RETRIES`` times, after which the trial fails with
  ``worker died N times: <how>`` and the search goes on;
- a candidate that runs past ``trial_timeout`` has its worker killed and replaced and fails
  with the timeout (enforced from the driver, so a long native call cannot overrun it);
- Ctrl-C is the driver's (workers ignore SIGINT): the loop stops the run as ``interrupted``
  and ``close`` ends the workers;
- a stage's preparation runs its parallel part on the workers (``prepare``): a rank
  combination's reference sample is scored there, architecture by architecture.

Where ``fork`` is not the platform's safe default (macOS, Windows) the workers are spawned,
importing the project first.
"""
from __future__ import annotations

import itertools
import multiprocessing
import multiprocessing.connection
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from codesign.errors import CodesignError
from codesign.search.candidate import Candidate
from codesign.search.executors import (
    EXECUTORS,
    MAX_RETRIES,
    Executor,
    ExecutorLost,
    timeout_outcome,
)
from codesign.search.pipeline import Outcome, Pipeline, PipelineSpec, failed_outcome
from codesign.search.process_worker import CALL, EVALUATE, FAILED, READY, SPEC, STOP, worker_main

#: How workers are started: a fork of the driver on Linux, a fresh interpreter elsewhere.
START_METHOD = "fork" if sys.platform.startswith("linux") else "spawn"
#: Seconds ``close`` waits for a worker to exit after STOP before killing it.
STOP_WAIT_S = 2.0


def exit_description(exitcode: int | None) -> str:
    """How a worker process ended, in words."""
    if exitcode is None:
        return "its pipe closed"
    if exitcode < 0:
        return f"killed by signal {-exitcode}"
    return f"exit status {exitcode}"


@dataclass
class _Worker:
    """One worker process and what the driver knows of it."""

    process: Any
    conn: Any
    ready: bool = False
    #: (key, message, start) of the task it is running.
    task: tuple[Any, tuple[Any, ...], float] | None = None
    #: Architecture keys (affinities) it has been sent: its cache holds them.
    seen: set[str] = field(default_factory=set)


@EXECUTORS.register("processes")
class ProcessExecutor(Executor):
    """``workers`` worker processes on this machine; results in submission order."""

    def __init__(self, spec: PipelineSpec, workers: int = 1, address: str | None = None,
                 trial_timeout: float | None = None, pipeline: Pipeline | None = None) -> None:
        super().__init__(spec, workers, address, trial_timeout)
        self._context = multiprocessing.get_context(START_METHOD)
        #: Seams for tests (a fake clock, a wait that expires): the wall clock and the pipes' wait.
        self._clock: Callable[[], float] = time.monotonic
        self._wait: Callable[[list[Any], float | None], list[Any]] = multiprocessing.connection.wait
        self._cached_parts = spec.cached_subspaces()
        self._pending: list[tuple[Any, tuple[Any, ...]]] = []  # (key, message) not yet on a worker
        self._order: list[int] = []  # keys of the submitted candidates not yet returned, oldest first
        self._results: dict[Any, Any] = {}
        self._retries: dict[Any, int] = {}
        self._start_failures = 0
        self._calls = itertools.count()
        self._workers: list[_Worker] = []
        self._started = False
        try:
            for _ in range(workers):
                self._workers.append(self._start())  # one by one: close() ends those started
            self._await_ready()
            self._started = True
        except BaseException:
            self.close()
            raise

    # -- workers -----------------------------------------------------------------------------
    def _start(self) -> _Worker:
        driver_end, worker_end = self._context.Pipe()
        process = self._context.Process(target=worker_main, args=(worker_end, self.spec, os.getpid()),
                                        name="codesign-worker", daemon=True)
        process.start()
        worker_end.close()  # the worker's copy is its own; the driver then sees EOF when it dies
        return _Worker(process, driver_end)

    def _await_ready(self) -> None:
        """Until every worker has built its pipeline (a trial's clock starts on a ready worker)."""
        while not all(w.ready for w in self._workers):
            self._step()

    def _replace(self, worker: _Worker) -> None:
        """Put a fresh worker in ``worker``'s place (the old process is killed if still there)."""
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join()
        worker.conn.close()
        fresh = self._start()
        worker.process, worker.conn, worker.ready, worker.task, worker.seen = fresh.process, fresh.conn, False, None, set()

    def _died(self, worker: _Worker) -> None:
        """A worker's process ended (or its pipe broke): replace it and retry or fail its task."""
        worker.process.join(STOP_WAIT_S)
        how = exit_description(worker.process.exitcode)
        task, was_ready = worker.task, worker.ready
        self._replace(worker)
        if not was_ready:  # died while starting: again, a few times
            self._start_failures += 1
            if self._start_failures > MAX_RETRIES:
                raise ExecutorLost(f"worker processes die as they start ({how})")
            return
        if task is None:
            return
        key, message, _ = task
        tries = self._retries.get(key, 0)
        if tries < MAX_RETRIES:
            self._retries[key] = tries + 1
            self._pending.insert(0, (key, message))
        elif message[0] == EVALUATE:
            self._results[key] = failed_outcome(f"worker died {MAX_RETRIES + 1} times: {how}")
        else:
            self._results[key] = (False, f"worker died {MAX_RETRIES + 1} times: {how}")

    def _receive(self, worker: _Worker) -> None:
        """Read what a worker sent (or find it dead)."""
        try:
            if not worker.conn.poll():
                raise EOFError
            message = worker.conn.recv()
        except (EOFError, OSError):
            self._died(worker)
            return
        if not worker.ready:
            if message[0] == FAILED:
                what = f"a worker process could not build the pipeline: {message[1]}"
                # Mid-run (a replacement, the prepared spec) the run stops as interrupted and can be
                # resumed; before any trial the pipeline itself is at fault.
                raise ExecutorLost(what) if self._started else CodesignError(what)
            assert message[0] == READY, message
            worker.ready = True
            self._start_failures = 0
            return
        key, value = message
        self._results[key] = value
        worker.task = None

    def _affinity(self, message: tuple[Any, ...]) -> str | None:
        """What a worker's cache holds of an evaluation: the parts its cached stages depend on."""
        if message[0] != EVALUATE:
            return None
        candidate: Candidate = message[2]
        return repr([candidate.part(name) for name in self._cached_parts])

    def _dispatch(self) -> None:
        """Give idle workers pending tasks, preferring one whose architecture they cached."""
        for worker in self._workers:
            if not self._pending:
                return
            if not worker.ready or worker.task is not None:
                continue
            pick = next((i for i, (_, m) in enumerate(self._pending) if self._affinity(m) in worker.seen), 0)
            key, message = self._pending.pop(pick)
            affinity = self._affinity(message)
            if affinity is not None:
                worker.seen.add(affinity)
            worker.task = (key, message, self._clock())
            try:
                worker.conn.send(message)
            except OSError:  # it died since it was last heard from
                self._died(worker)

    def _step(self) -> None:
        """One wait for workers' answers (bounded by the oldest evaluation's deadline), then the
        answers read, expired evaluations abandoned and idle workers given work."""
        self._dispatch()
        busy = [w for w in self._workers if w.task is not None or not w.ready]
        if not busy:
            raise RuntimeError("waiting with nothing submitted")
        timeout = None
        deadlines = [w.task[2] + self.trial_timeout for w in busy
                     if w.task is not None and w.task[1][0] == EVALUATE and self.trial_timeout is not None]
        if deadlines:
            timeout = max(0.0, min(deadlines) - self._clock())
        ready = set(self._wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout))
        for worker in busy:
            if worker.conn in ready or worker.process.sentinel in ready:
                self._receive(worker)
        if self.trial_timeout is not None:
            now = self._clock()
            for worker in self._workers:
                task = worker.task
                if task is not None and task[1][0] == EVALUATE and now - task[2] >= self.trial_timeout:
                    self._replace(worker)  # the evaluation is abandoned with its worker
                    self._results[task[0]] = timeout_outcome(self.trial_timeout)
        self._dispatch()

    # -- the executor contract -----------------------------------------------------------------
    def submit(self, key: int, candidate: Candidate) -> None:
        self._order.append(key)
        self._pending.append((key, (EVALUATE, key, candidate)))
        self._dispatch()

    @property
    def in_flight(self) -> int:
        return len(self._order)

    def next_result(self) -> tuple[int, Outcome]:
        """The oldest submitted candidate's outcome (waiting for it if needed)."""
        if not self._order:
            raise RuntimeError("next_result() with nothing submitted")
        key = self._order[0]
        while key not in self._results:
            self._step()
        self._order.pop(0)
        self._retries.pop(key, None)
        return key, self._results.pop(key)

    def map_stage(self, stage: str, method: str, items: Sequence[Any]) -> list[Any]:
        """``[pipeline.stage(stage).method(item) for item in items]``, on the workers in parallel;
        an error in any raises here."""
        keys = [("call", next(self._calls)) for _ in items]
        self._pending += [(key, (CALL, key, stage, method, item)) for key, item in zip(keys, items, strict=True)]
        while any(key not in self._results for key in keys):
            self._step()
        values = []
        for key in keys:
            ok, value = self._results.pop(key)
            self._retries.pop(key, None)
            if not ok:
                raise CodesignError(f"{stage} stage: {method} failed in a worker process: {value}")
            values.append(value)
        return values

    def prepare(self, pipeline: Pipeline) -> PipelineSpec:
        spec = pipeline.prepare(self.map_stage)
        self.use_spec(spec)
        return spec

    def use_spec(self, spec: PipelineSpec) -> None:
        """The prepared spec on every worker (and on the replacements of dead ones)."""
        if spec == self.spec:
            return
        self.spec = spec
        self._await_ready()
        for worker in self._workers:
            try:
                worker.conn.send((SPEC, spec))
                worker.ready = False  # until it answers READY on the new spec
            except OSError:
                self._died(worker)  # its replacement starts with the new spec
        self._await_ready()

    def close(self) -> None:
        """Stop every worker (killed when it does not exit within ``STOP_WAIT_S``)."""
        for worker in self._workers:
            try:
                worker.conn.send((STOP,))
            except OSError:
                pass
        deadline = time.monotonic() + STOP_WAIT_S
        for worker in self._workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()
        self._workers = []
