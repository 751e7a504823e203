"""Executors: evaluate candidates in this process, on Ray actors, or on worker processes of this
machine (``processes``, in ``codesign.search.process_executor``).

The loop keeps ``batch_size`` candidates in flight: it ``submit``s candidates and takes results
with ``next_result`` as they finish, asking a new candidate for each result told, so a worker
never waits for the slowest evaluation of a batch (a cache hit takes milliseconds, a new
architecture a second).

Ray core (actors), not Ray Tune: Tune costs ~3.4 s of machinery per trial here against ~1.4 ms
for a plain Ray task (DESIGN.md). Each actor builds its own ``Pipeline`` (from the plain
``PipelineSpec``) with its own architecture cache;
a candidate is preferably sent to an actor that has already seen its architecture. A dead actor
is replaced and its candidate retried (``MAX_RETRIES`` times); a candidate that runs past the trial
timeout is abandoned (its actor killed and replaced) and reported as failed.

A cluster that goes away (its head killed, ``ray stop``) is told apart from a dead worker: no wait
on Ray blocks longer than ``PROBE_INTERVAL_S``, and after a wait that returned nothing, or a
worker lost, the executor connects to the cluster's GCS (``PROBE_TIMEOUT_S`` at most). When that
fails it raises ``ExecutorLost`` and the loop stops the run as ``interrupted`` (resumable), well
before Ray's own core worker would end the process (it does after 60 s without its GCS). Waiting
unbounded instead would hang (a replacement actor is never scheduled) until that happens.

The inline executor enforces the timeout with ``SIGALRM``: the evaluation is interrupted at the next
Python bytecode, so a single long native call (one huge convolution) overruns until it returns, and
it works only in the main thread of a POSIX process (elsewhere it warns and runs without a limit).
"""
from __future__ import annotations

import os
import signal
import socket
import threading
import time
import warnings
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from codesign.errors import CodesignError
from codesign.registry import Registry
from codesign.search.candidate import Candidate
from codesign.search.pipeline import Outcome, Pipeline, PipelineSpec, failed_outcome

MAX_RETRIES = 2
#: Longest single wait on Ray (s): after a wait that returned nothing the cluster is probed.
PROBE_INTERVAL_S = 2.0
#: Seconds a connection to the cluster's GCS may take before the cluster counts as gone.
PROBE_TIMEOUT_S = 5.0


class ExecutorLost(CodesignError):
    """The executor can evaluate nothing more: its Ray cluster went away. The search loop stops
    the run as ``interrupted`` with this message; ``codesign run --resume`` continues it. (Lost
    before the search started, it is the one-line error of a run that could not start.)"""


class TrialTimeout(BaseException):
    """Raised inside an in-process evaluation that ran past its timeout. A ``BaseException`` so
    that no ``except Exception`` on the way (a proxy guarding its own errors) swallows it."""


def timeout_outcome(seconds: float) -> Outcome:
    return failed_outcome(f"timeout: evaluation ran past {seconds:g} s", seconds)


@contextmanager
def _deadline(seconds: float | None) -> Iterator[None]:
    """Raise ``TrialTimeout`` in this thread after ``seconds`` (main thread, POSIX only)."""
    if seconds is None:
        yield
        return
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        warnings.warn("executor.trial_timeout needs the main thread of a POSIX process with the inline "
                      "executor; running without a limit (the ray executor enforces it anywhere)", stacklevel=3)
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise TrialTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Executor(ABC):
    """Evaluates candidates: ``submit`` them under a key, take ``(key, outcome)`` pairs from
    ``next_result`` in the order they finish."""

    def __init__(self, spec: PipelineSpec, workers: int = 1, address: str | None = None,
                 trial_timeout: float | None = None, pipeline: Pipeline | None = None) -> None:
        self.spec = spec
        self.workers = workers
        self.address = address
        self.trial_timeout = trial_timeout

    @abstractmethod
    def submit(self, key: int, candidate: Candidate) -> None:
        """Queue ``candidate`` for evaluation."""

    @abstractmethod
    def next_result(self) -> tuple[int, Outcome]:
        """Block until a submitted candidate is evaluated; its key and outcome."""

    @property
    @abstractmethod
    def in_flight(self) -> int:
        """Candidates submitted and not yet returned."""

    def run(self, candidates: list[Candidate]) -> Iterator[tuple[int, Outcome]]:
        """Evaluate every candidate, yielding ``(index, outcome)`` as they complete."""
        for i, candidate in enumerate(candidates):
            self.submit(i, candidate)
        for _ in candidates:
            yield self.next_result()

    @property
    def parallelism(self) -> int:
        return self.workers

    def prepare(self, pipeline: Pipeline) -> PipelineSpec:
        """Run the driver pipeline's preparation (a rank combination's reference sample) and give
        the workers the prepared spec, which it returns. Here the driver does the work; executors
        with workers of their own may run its parallel part on them."""
        spec = pipeline.prepare()
        self.use_spec(spec)
        return spec

    def use_spec(self, spec: PipelineSpec) -> None:
        """Evaluate with ``spec`` from now on (nothing may be in flight)."""
        self.spec = spec

    def close(self) -> None:  # noqa: B027 - optional hook, nothing to release in-process
        """Release workers."""


EXECUTORS: Registry[Executor] = Registry("executor", ("codesign.search.executors",
                                                      "codesign.search.process_executor"))


@EXECUTORS.register("inline")
class InlineExecutor(Executor):
    """One evaluator in this process, one candidate at a time (deterministic)."""

    def __init__(self, spec: PipelineSpec, workers: int = 1, address: str | None = None,
                 trial_timeout: float | None = None, pipeline: Pipeline | None = None) -> None:
        super().__init__(spec, 1, address, trial_timeout)
        #: The driver's pipeline when given (built once with the experiment), else one of ``spec``.
        self.evaluator = pipeline if pipeline is not None else Pipeline(spec)
        self._queue: deque[tuple[int, Candidate]] = deque()

    def submit(self, key: int, candidate: Candidate) -> None:
        self._queue.append((key, candidate))

    def prepare(self, pipeline: Pipeline) -> PipelineSpec:
        spec = pipeline.prepare()  # prepares ``pipeline`` itself: the evaluator when it is the driver's
        if self.evaluator is not pipeline:
            self.evaluator = Pipeline(spec)
        self.spec = spec
        return spec

    @property
    def in_flight(self) -> int:
        return len(self._queue)

    def next_result(self) -> tuple[int, Outcome]:
        key, candidate = self._queue.popleft()
        try:
            with _deadline(self.trial_timeout):
                outcome = self.evaluator.evaluate(candidate)
        except TrialTimeout:
            outcome = timeout_outcome(self.trial_timeout or 0.0)
        return key, outcome


class _EvalActor:
    """Body of a Ray actor: a pipeline that returns outcomes without the bulky artefacts."""

    def __init__(self, spec: PipelineSpec) -> None:
        try:
            import torch
        except ImportError:  # a pipeline without torch stages
            pass
        else:
            torch.set_num_threads(1)
        self.evaluator = Pipeline(spec)

    def evaluate(self, candidate: Candidate) -> Outcome:
        return self.evaluator.evaluate(candidate).without_artefacts()

    def use_spec(self, spec: PipelineSpec) -> None:
        self.evaluator = Pipeline(spec)

    def ping(self) -> int:
        return os.getpid()


@EXECUTORS.register("ray")
class RayExecutor(Executor):
    """``workers`` Ray actors on a local Ray started on demand, or on the cluster at ``address``."""

    def __init__(self, spec: PipelineSpec, workers: int = 1, address: str | None = None,
                 trial_timeout: float | None = None, pipeline: Pipeline | None = None) -> None:
        super().__init__(spec, workers, address, trial_timeout)
        import ray

        self._ray = ray
        ex = ray.exceptions
        #: A worker lost (or unreachable: ActorUnavailableError is a RayActorError): retried on a
        #: replacement while the cluster answers, the end of the run when it does not.
        self._dead = (ex.RayActorError, ex.WorkerCrashedError, ex.NodeDiedError, ex.ObjectLostError,
                      ex.LocalRayletDiedError, ex.RaySystemError)
        self._lost = False
        if not ray.is_initialized():
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                                      "configure_logging": False}
            if address:
                ray.init(address=address, **kwargs)
            else:
                ray.init(num_cpus=workers, **kwargs)
            self._owns_ray = True
        else:
            self._owns_ray = False
        try:  # where to probe the cluster (a Ray Client connection may not say: then no probe)
            self._gcs_address: str | None = str(ray.get_runtime_context().gcs_address)
        except Exception:  # noqa: BLE001 - any failure only turns the probe off
            self._gcs_address = None
        self._cached_parts = spec.cached_subspaces()
        self._actor_cls = ray.remote(num_cpus=1, max_restarts=0)(_EvalActor)
        self._actors = [self._new_actor() for _ in range(workers)]
        self._seen: list[set[str]] = [set() for _ in range(workers)]
        #: Replacement actors still starting (their ping's ref -> slot): a trial's clock starts
        #: when an actor is ready, not while a new worker process imports torch.
        self._starting: dict[Any, int] = {}
        self._idle = list(range(workers))
        self._pending: list[tuple[int, Candidate]] = []  # submitted, not yet on an actor
        self._running: dict[Any, tuple[int, Candidate, int, float]] = {}  # ref -> (key, candidate, slot, start)
        self._retries: dict[int, int] = {}
        self._ready: deque[tuple[int, Outcome]] = deque()  # results decided without a ray.get
        self._wait_all([a.ping.remote() for a in self._actors])

    def _wait_all(self, refs: list[Any]) -> list[int]:
        """Wait for one call on each actor (``refs[slot]``) in waits that each end with the
        cluster probed; the slots whose actor died, each replaced (and no longer idle)."""
        waiting = refs
        while waiting:
            _, waiting = self._ray.wait(waiting, num_returns=len(waiting), timeout=PROBE_INTERVAL_S)
            if waiting:
                self._check_cluster()
        dead = []
        for slot, ref in enumerate(refs):
            try:
                self._ray.get(ref)
            except self._dead as exc:
                self._check_cluster(exc)
                if slot in self._idle:
                    self._idle.remove(slot)
                self._replace_actor(slot)  # it starts with ``self.spec``; ready when its ping is
                dead.append(slot)
        return dead

    def _check_cluster(self, cause: BaseException | None = None) -> None:
        """Raise ``ExecutorLost`` when the cluster's GCS no longer accepts a connection."""
        if not self._gcs_address:
            return
        host, _, port = self._gcs_address.rpartition(":")
        try:
            socket.create_connection((host, int(port)), timeout=PROBE_TIMEOUT_S).close()
        except OSError as exc:
            self._lost = True
            seen = f"; {type(cause).__name__} from a worker" if cause is not None else ""
            where = self.address or self._gcs_address  # the address the user knows it by
            raise ExecutorLost(f"the Ray cluster at {where} went away ({exc.strerror or exc}{seen})") from None

    def _affinity(self, candidate: Candidate) -> str:
        """What an actor's cache holds of a candidate: the parts its cached stages depend on."""
        return repr([candidate.part(name) for name in self._cached_parts])

    def _new_actor(self) -> Any:
        return self._actor_cls.remote(self.spec)

    def _replace_actor(self, slot: int) -> None:
        try:
            self._ray.kill(self._actors[slot])
        except Exception:  # noqa: BLE001 - already dead
            pass
        self._actors[slot] = self._new_actor()
        self._seen[slot] = set()
        self._starting[self._actors[slot].ping.remote()] = slot

    @property
    def in_flight(self) -> int:
        return len(self._pending) + len(self._running) + len(self._ready)

    def use_spec(self, spec: PipelineSpec) -> None:
        """The prepared spec on every actor (and on the replacements of dead ones)."""
        if spec == self.spec:
            return
        self.spec = spec
        self._wait_all([actor.use_spec.remote(spec) for actor in self._actors])

    def submit(self, key: int, candidate: Candidate) -> None:
        self._pending.append((key, candidate))
        self._dispatch()

    def _dispatch(self) -> None:
        """Give idle actors pending candidates, preferring one whose architecture they cached."""
        while self._idle and self._pending:
            slot = self._idle.pop(0)
            seen = self._seen[slot]
            pick = next((i for i, (_, c) in enumerate(self._pending) if self._affinity(c) in seen), 0)
            key, candidate = self._pending.pop(pick)
            seen.add(self._affinity(candidate))
            ref = self._actors[slot].evaluate.remote(candidate)
            self._running[ref] = (key, candidate, slot, time.monotonic())

    def next_result(self) -> tuple[int, Outcome]:
        ray = self._ray
        while not self._ready:
            if not self._running and not (self._pending and self._starting):
                raise RuntimeError("next_result() with nothing submitted")
            timeout, expires = PROBE_INTERVAL_S, False
            if self.trial_timeout is not None and self._running:
                oldest = min(start for *_, start in self._running.values())
                left = max(0.0, oldest + self.trial_timeout - time.monotonic())
                timeout, expires = min(left, PROBE_INTERVAL_S), left <= PROBE_INTERVAL_S
            done, _ = ray.wait(list(self._running) + list(self._starting), num_returns=1, timeout=timeout)
            if not done and not expires:  # nothing yet: still a cluster to wait on?
                self._check_cluster()
                continue
            if not done:  # the oldest evaluation ran out of time: abandon it with its actor
                self._check_cluster()  # (unless the cluster is gone: that is not the trial's fault)
                ref = min(self._running, key=lambda r: self._running[r][3])
                key, _, slot, _ = self._running.pop(ref)
                self._replace_actor(slot)
                self._ready.append((key, timeout_outcome(self.trial_timeout or 0.0)))
                continue
            ref = done[0]
            if ref in self._starting:  # a replacement actor is ready (or died starting: again)
                slot = self._starting.pop(ref)
                try:
                    ray.get(ref)
                    self._idle.append(slot)
                except self._dead as exc:
                    self._check_cluster(exc)
                    self._replace_actor(slot)
                self._dispatch()
                continue
            key, candidate, slot, _ = self._running.pop(ref)
            try:
                outcome = ray.get(ref)
            except self._dead as exc:  # the worker died: retry the candidate on a replacement
                self._check_cluster(exc)
                self._replace_actor(slot)
                tries = self._retries.get(key, 0)
                if tries < MAX_RETRIES:
                    self._retries[key] = tries + 1
                    self._pending.insert(0, (key, candidate))
                else:
                    self._ready.append((key, failed_outcome(f"worker died {MAX_RETRIES + 1} times: "
                                                            f"{type(exc).__name__}")))
                self._dispatch()
                continue
            self._idle.append(slot)
            self._ready.append((key, outcome))
            self._dispatch()
        key, outcome = self._ready.popleft()
        self._retries.pop(key, None)
        return key, outcome

    def close(self) -> None:
        for actor in self._actors if not self._lost else ():  # a lost cluster took them with it
            try:
                self._ray.kill(actor)
            except Exception:  # noqa: BLE001
                pass
        if self._owns_ray:
            self._ray.shutdown()


def make_executor(name: str, spec: PipelineSpec, workers: int, address: str | None,
                  trial_timeout: float | None, pipeline: Pipeline | None = None) -> Executor:
    """The executor ``name``; ``pipeline`` (the driver's) is used in-process when given."""
    cls = EXECUTORS.get(name, field="executor.name")
    return cls(spec, workers=workers, address=address, trial_timeout=trial_timeout, pipeline=pipeline)
