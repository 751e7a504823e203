"""``synthetic``: analytic scores in microseconds, for testing the search engine and measuring
its overhead (``benchmarks/engine_overhead.py``), with faults to inject on demand.

The scores are a smooth, deterministic function of the candidate's parameters with the usual
trade-offs (a "larger" architecture has a better proxy and more MACs; more PEs cut latency and
cost area), so strategies have something to find. Nothing here models real hardware.

Options (``evaluator: {name: synthetic, options: {...}}``), each keyed by trial parameter name
(``arch.<dim>`` or ``hw.<param>``) where a condition is needed:

- ``unmappable: {param: [values]}``: such candidates cannot be mapped (infeasible, half the
  network unmapped);
- ``fail: {param: [values]}``: evaluating such candidates raises (a failed trial);
- ``hang: {param: [values]}``: such candidates sleep ``hang_s`` seconds (for timeouts);
- ``sleep_s``: seconds every evaluation takes (to mimic work);
- ``crash_once``: a file path; the first evaluation that finds it absent creates it and kills its
  own process (a dead worker, exactly once across processes);
- ``crash: {param: [values]}``: evaluating such candidates kills the worker process, every time;
- ``pause_file`` (a path) and ``pause_after`` (a count, default 0): once a process has done
  ``pause_after`` evaluations, each further one waits while the file exists (at most ``hang_s``),
  so a test can stop a run at a known point and kill it there.
"""
from __future__ import annotations

import math
import os
import time
import zlib
from typing import Any

from codesign.search.evaluator import (
    EVALUATORS,
    Candidate,
    CandidateEvaluator,
    EvaluatorSpec,
    Outcome,
    failed_outcome,
)

_CLOCK_HZ = 500e6  # a nominal clock for the made-up latency


def _unit(name: str, value: Any) -> float:
    """A deterministic number in [0, 1) for one parameter value (stable across processes)."""
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, (int, float)):
        return (math.log2(abs(value) + 1.0) % 8.0) / 8.0
    return (zlib.crc32(f"{name}={value}".encode()) % 1000) / 1000.0


def candidate_params(candidate: Candidate) -> dict[str, Any]:
    """The candidate as trial parameter names: ``arch.<dim>`` and ``hw.<param>``."""
    params = {f"arch.{k}": v for k, v in candidate.arch.genotype.items()}
    params.update({f"hw.{k}": v for k, v in candidate.hardware.to_params().items()})
    return params


def _matches(params: dict[str, Any], condition: dict[str, Any] | None) -> bool:
    if not condition:
        return False
    return any(params.get(name) in (values if isinstance(values, (list, tuple)) else [values])
               for name, values in condition.items())


@EVALUATORS.register("synthetic")
class SyntheticEvaluator(CandidateEvaluator):
    """Analytic scores of a candidate (see the module docstring), with optional faults."""

    OPTIONS = ("unmappable", "fail", "hang", "hang_s", "sleep_s", "crash_once", "crash", "pause_file",
               "pause_after")

    def __init__(self, spec: EvaluatorSpec) -> None:
        super().__init__(spec)
        self.check_options(spec.evaluator_options)
        self.options = spec.evaluator_options
        self._done = 0  # evaluations by this process (for pause_after)

    def evaluate(self, candidate: Candidate) -> Outcome:
        start, wall_start = time.perf_counter(), time.time()
        params = candidate_params(candidate)
        marker = self.options.get("crash_once")
        if marker and not os.path.exists(marker):
            with open(marker, "w") as f:
                f.write(str(os.getpid()))
            os._exit(1)
        if _matches(params, self.options.get("crash")):
            os._exit(1)
        self._pause()
        if self.options.get("sleep_s"):
            time.sleep(float(self.options["sleep_s"]))
        if _matches(params, self.options.get("hang")):
            time.sleep(float(self.options.get("hang_s", 3600.0)))
        if _matches(params, self.options.get("fail")):
            return failed_outcome("RuntimeError: synthetic failure", time.perf_counter() - start)

        arch = [_unit(k, v) for k, v in params.items() if k.startswith("arch.")] or [0.5]
        size = sum(arch) / len(arch)  # 0 (small) .. 1 (large)
        macs = 1e6 * (1.0 + 9.0 * size)
        proxy = math.log(macs) + 0.3 * math.sin(7.0 * size)
        hw = candidate.hardware.to_params()
        pes = float(hw.get("rows", 8)) * float(hw.get("cols", 8))
        sram_kib = sum(float(v) for k, v in hw.items() if k.endswith("_kib") and isinstance(v, (int, float)))
        dataflow = 0.6 + 0.4 * _unit("dataflow", hw.get("dataflow", ""))  # utilisation 0.6..1
        latency = macs / (pes * dataflow * _CLOCK_HZ) * (1.0 + 64.0 / (sram_kib + 64.0))
        energy = macs * 1e-12 * (2.0 - dataflow) + 1e-9 * sram_kib * latency * 1e3
        area = 0.002 * pes + 0.005 * sram_kib
        metrics: dict[str, Any] = {
            "proxy": proxy, "macs": macs, "params": int(macs / 50), "area_mm2": area,
            "latency_s": latency, "energy_j": energy, "edp_js": energy * latency, "power_w": energy / latency,
            "unmapped_fraction": 0.0,
            # Where and when it ran, so tests can see that the workers overlapped.
            "worker_pid": os.getpid(), "started_at": wall_start, "ended_at": time.time(),
        }
        feasible, reasons = True, []
        if _matches(params, self.options.get("unmappable")):
            feasible, reasons = False, ["synthetic: half of the layers do not fit"]
            metrics.update(latency_s=None, energy_j=None, edp_js=None, power_w=None, unmapped_fraction=0.5)
        metrics.update(feasible=feasible, infeasible_reasons=reasons)
        return Outcome(metrics=metrics, feasible=feasible, reasons=reasons, seconds=time.perf_counter() - start)

    def _pause(self) -> None:
        """Wait while ``pause_file`` exists, once ``pause_after`` evaluations are done."""
        path = self.options.get("pause_file")
        self._done += 1
        if not path or self._done <= int(self.options.get("pause_after", 0)):
            return
        deadline = time.monotonic() + float(self.options.get("hang_s", 3600.0))
        while os.path.exists(path) and time.monotonic() < deadline:
            time.sleep(0.01)
