"""``synthetic``: analytic scores in microseconds, for testing the search engine and measuring
its overhead (``benchmarks/engine_overhead.py``), with faults to inject on demand.

The scores are a smooth, deterministic function of the candidate's parameters with the usual
trade-offs (a "larger" architecture has a better proxy and more MACs; more PEs cut latency and
cost area), so strategies have something to find. Nothing here models real hardware.

A stage (the ``synthetic`` stage set: ``evaluator: {name: synthetic, options: {...}}``). Options, each keyed by trial parameter name
(``arch.<dim>`` or ``hw.<param>``) where a condition is needed:

- ``unmappable: {param: [values]}``: such candidates cannot be mapped (infeasible, half the
  network unmapped);
- ``fail: {param: [values]}``: evaluating such candidates raises (a failed trial);
- ``hang: {param: [values]}``: such candidates sleep ``hang_s`` seconds (for timeouts);
- ``sleep_s``: seconds every evaluation takes (to mimic work);
- ``crash_once``: a file path; the first evaluation that finds it absent creates it and kills its
  own process (a dead worker, exactly once across processes).
"""
from __future__ import annotations

import math
import os
import time
import zlib
from typing import Any

from pydantic import Field

from codesign.options import PluginOptions
from codesign.search.metrics import AREA, ENERGY, LATENCY, MACS, PARAMS, PROXY, UNMAPPED
from codesign.search.stages.base import STAGES, Stage, StageResult, Upstream

_CLOCK_HZ = 500e6  # a nominal clock for the made-up latency


def _unit(name: str, value: Any) -> float:
    """A deterministic number in [0, 1) for one parameter value (stable across processes)."""
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, (int, float)):
        return (math.log2(abs(value) + 1.0) % 8.0) / 8.0
    return (zlib.crc32(f"{name}={value}".encode()) % 1000) / 1000.0


def candidate_params(candidate: Any, subspaces: Any) -> dict[str, Any]:
    """The candidate as trial parameter names (``NAME.<dim>``), every part flattened."""
    params = {}
    for name, part in candidate.parts.items():
        params.update({f"{name}.{k}": v for k, v in subspaces[name].flat(part).items()})
    return params


def _matches(params: dict[str, Any], condition: dict[str, Any] | None) -> bool:
    if not condition:
        return False
    return any(params.get(name) in (values if isinstance(values, (list, tuple)) else [values])
               for name, values in condition.items())


class SyntheticOptions(PluginOptions):
    unmappable: dict[str, Any] | None = None
    fail: dict[str, Any] | None = None
    hang: dict[str, Any] | None = None
    hang_s: float = Field(3600.0, gt=0)
    sleep_s: float | None = Field(None, ge=0)
    crash_once: str | None = None


@STAGES.register("synthetic")
class SyntheticStage(Stage):
    """Analytic scores of a candidate (see the module docstring), with optional faults."""

    Options = SyntheticOptions
    options: SyntheticOptions
    produces = (PROXY, MACS, PARAMS, AREA, LATENCY, ENERGY, UNMAPPED)

    def run(self, candidate: Any, upstream: Upstream) -> StageResult:
        wall_start = time.time()
        o = self.options
        params = candidate_params(candidate, self.subspaces)
        marker = o.crash_once
        if marker and not os.path.exists(marker):
            with open(marker, "w") as f:
                f.write(str(os.getpid()))
            os._exit(1)
        if o.sleep_s:
            time.sleep(float(o.sleep_s))
        if _matches(params, o.hang):
            time.sleep(float(o.hang_s))
        if _matches(params, o.fail):
            raise RuntimeError("synthetic failure")

        arch = [_unit(k, v) for k, v in params.items() if k.startswith("arch.")] or [0.5]
        size = sum(arch) / len(arch)  # 0 (small) .. 1 (large)
        macs = 1e6 * (1.0 + 9.0 * size)
        proxy = math.log(macs) + 0.3 * math.sin(7.0 * size)
        hw = {k[3:]: v for k, v in params.items() if k.startswith("hw.")}
        pes = float(hw.get("rows", 8)) * float(hw.get("cols", 8))
        sram_kib = sum(float(v) for k, v in hw.items() if k.endswith("_kib") and isinstance(v, (int, float)))
        dataflow = 0.6 + 0.4 * _unit("dataflow", hw.get("dataflow", ""))  # utilisation 0.6..1
        latency = macs / (pes * dataflow * _CLOCK_HZ) * (1.0 + 64.0 / (sram_kib + 64.0))
        energy = macs * 1e-12 * (2.0 - dataflow) + 1e-9 * sram_kib * latency * 1e3
        area = 0.002 * pes + 0.005 * sram_kib
        values: dict[str, float | None] = {
            PROXY.name: proxy, MACS.name: macs, PARAMS.name: int(macs / 50), AREA.name: area,
            LATENCY.name: latency, ENERGY.name: energy, UNMAPPED.name: 0.0,
        }
        feasible, reasons = True, []
        if _matches(params, o.unmappable):
            feasible, reasons = False, ["synthetic: half of the layers do not fit"]
            values.update({LATENCY.name: None, ENERGY.name: None, UNMAPPED.name: 0.5})
        # Where and when it ran, so tests can see that the workers overlapped.
        extras = {"worker_pid": os.getpid(), "started_at": wall_start, "ended_at": time.time()}
        return StageResult(values=values, extras=extras, feasible=feasible, reasons=reasons)
