"""Executors: evaluate batches of candidates in this process or on Ray actors.

Ray core (actors), not Ray Tune: Tune costs ~3.4 s of machinery per trial here against ~1.4 ms
for a plain Ray task (DESIGN.md). Each actor holds its own ``Evaluator`` and architecture cache;
a candidate is preferably sent to an actor that has already seen its architecture. A dead actor
is replaced and its candidate retried (``MAX_RETRIES`` times); a candidate that runs past the trial
timeout is abandoned (its actor killed and replaced) and reported as failed.

The inline executor enforces the timeout with ``SIGALRM``: the evaluation is interrupted at the next
Python bytecode, so a single long native call (one huge convolution) overruns until it returns, and
it works only in the main thread of a POSIX process (elsewhere it warns and runs without a limit).
"""
from __future__ import annotations

import os
import signal
import threading
import time
import warnings
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from codesign.registry import Registry
from codesign.search.evaluator import (
    Candidate,
    EvaluatorSpec,
    Outcome,
    failed_outcome,
    make_evaluator,
)

MAX_RETRIES = 2


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
    """Evaluates candidates; ``run`` yields ``(index, outcome)`` as evaluations finish."""

    def __init__(self, spec: EvaluatorSpec, workers: int = 1, address: str | None = None,
                 trial_timeout: float | None = None) -> None:
        self.spec = spec
        self.workers = workers
        self.address = address
        self.trial_timeout = trial_timeout

    @abstractmethod
    def run(self, candidates: list[Candidate]) -> Iterator[tuple[int, Outcome]]:
        """Evaluate every candidate, yielding results as they complete."""

    @property
    def parallelism(self) -> int:
        return self.workers

    def close(self) -> None:  # noqa: B027 - optional hook, nothing to release in-process
        """Release workers."""


EXECUTORS: Registry[Executor] = Registry("executor", ("codesign.search.executors",))


@EXECUTORS.register("inline")
class InlineExecutor(Executor):
    """One evaluator in this process, one candidate at a time (deterministic)."""

    def __init__(self, spec: EvaluatorSpec, workers: int = 1, address: str | None = None,
                 trial_timeout: float | None = None) -> None:
        super().__init__(spec, 1, address, trial_timeout)
        self.evaluator = make_evaluator(spec)

    def run(self, candidates: list[Candidate]) -> Iterator[tuple[int, Outcome]]:
        for i, candidate in enumerate(candidates):
            try:
                with _deadline(self.trial_timeout):
                    outcome = self.evaluator.evaluate(candidate)
            except TrialTimeout:
                outcome = timeout_outcome(self.trial_timeout or 0.0)
            yield i, outcome


class _EvalActor:
    """Body of a Ray actor: an evaluator that returns outcomes without the bulky per-layer cost."""

    def __init__(self, spec: EvaluatorSpec) -> None:
        import torch

        torch.set_num_threads(1)
        self.evaluator = make_evaluator(spec)

    def evaluate(self, candidate: Candidate) -> Outcome:
        return replace(self.evaluator.evaluate(candidate), cost=None)

    def ping(self) -> int:
        return os.getpid()


@EXECUTORS.register("ray")
class RayExecutor(Executor):
    """``workers`` Ray actors on a local Ray started on demand, or on the cluster at ``address``."""

    def __init__(self, spec: EvaluatorSpec, workers: int = 1, address: str | None = None,
                 trial_timeout: float | None = None) -> None:
        super().__init__(spec, workers, address, trial_timeout)
        import ray

        self._ray = ray
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
        self._actor_cls = ray.remote(num_cpus=1, max_restarts=0)(_EvalActor)
        self._actors = [self._new_actor() for _ in range(workers)]
        self._seen: list[set[str]] = [set() for _ in range(workers)]
        #: Replacement actors still starting (their ping's ref -> slot): a trial's clock starts
        #: when an actor is ready, not while a new worker process imports torch.
        self._starting: dict[Any, int] = {}
        ray.get([a.ping.remote() for a in self._actors])

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

    def run(self, candidates: list[Candidate]) -> Iterator[tuple[int, Outcome]]:
        ray = self._ray
        pending = list(range(len(candidates)))
        retries = [0] * len(candidates)
        running: dict[Any, tuple[int, int, float]] = {}  # ref -> (candidate index, slot, start)
        starting = self._starting
        idle = [slot for slot in range(len(self._actors)) if slot not in starting.values()]

        def dispatch() -> None:
            while idle and pending:
                slot = idle.pop(0)
                seen = self._seen[slot]
                pick = next((i for i in pending if candidates[i].arch.key in seen), pending[0])
                pending.remove(pick)
                seen.add(candidates[pick].arch.key)
                ref = self._actors[slot].evaluate.remote(candidates[pick])
                running[ref] = (pick, slot, time.monotonic())

        def lost(index: int, exc: BaseException) -> Iterator[tuple[int, Outcome]]:
            if retries[index] < MAX_RETRIES:
                retries[index] += 1
                pending.insert(0, index)
            else:
                yield index, failed_outcome(f"worker died {MAX_RETRIES + 1} times: {type(exc).__name__}")

        dispatch()
        while running or (pending and starting):
            timeout = None
            if self.trial_timeout is not None and running:
                oldest = min(start for _, _, start in running.values())
                timeout = max(0.0, oldest + self.trial_timeout - time.monotonic())
            done, _ = ray.wait(list(running) + list(starting), num_returns=1, timeout=timeout)
            if not done:  # the oldest evaluation ran out of time
                ref = min(running, key=lambda r: running[r][2])
                index, slot, _ = running.pop(ref)
                self._replace_actor(slot)
                yield index, timeout_outcome(self.trial_timeout or 0.0)
                continue
            ref = done[0]
            if ref in starting:  # a replacement actor is ready (or died starting: try again)
                slot = starting.pop(ref)
                try:
                    ray.get(ref)
                    idle.append(slot)
                except (ray.exceptions.RayActorError, ray.exceptions.WorkerCrashedError):
                    self._replace_actor(slot)
                dispatch()
                continue
            index, slot, _ = running.pop(ref)
            try:
                outcome = ray.get(ref)
            except (ray.exceptions.RayActorError, ray.exceptions.WorkerCrashedError) as exc:
                self._replace_actor(slot)
                yield from lost(index, exc)
                dispatch()
                continue
            idle.append(slot)
            yield index, outcome
            dispatch()

    def close(self) -> None:
        for actor in self._actors:
            try:
                self._ray.kill(actor)
            except Exception:  # noqa: BLE001
                pass
        if self._owns_ray:
            self._ray.shutdown()


def make_executor(name: str, spec: EvaluatorSpec, workers: int, address: str | None,
                  trial_timeout: float | None) -> Executor:
    cls = EXECUTORS.get(name, field="executor.name")
    return cls(spec, workers=workers, address=address, trial_timeout=trial_timeout)
