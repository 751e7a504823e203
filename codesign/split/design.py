"""How one candidate is split: the ``split`` part of a candidate, and choosing its cut pair.

A part is either ``best`` (the exact best pair for the configured goal, found from every pair at
once) or a searched position: a fraction of the way through the candidate cuts for the device|MEC
cut and, with both server tiers, for the MEC|cloud cut among the cuts after it
(``positions.cut_at``). Either way it carries the transmitted bit width.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from codesign.errors import ConfigError
from codesign.split.best import best_index
from codesign.split.cuts import SplitCosts
from codesign.split.positions import candidate_cuts, cut_at
from codesign.split.profile import TierProfile
from codesign.workload import Workload

#: ``best``: the exact best pair for the goal; ``searched``: the sampled positions; ``device_only``
#: and ``full_offload``: the two ends, the baselines split inference is measured against.
MODES = ("best", "searched", "device_only", "full_offload")


@dataclass(frozen=True)
class SplitPart:
    """One candidate's split: ``mode`` best or searched, the searched positions in [0, 1], the bit
    width of the transmitted activations."""

    mode: str
    bits: int
    position: float | None = None
    position2: float | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ConfigError("split.mode", f"unknown mode {self.mode!r} (known: {', '.join(MODES)})")
        if self.mode == "searched" and self.position is None:
            raise ConfigError("split.cut", "a searched split needs a cut position")

    @property
    def key(self) -> str:
        """Canonical text (caches, dedup, tables)."""
        if self.mode != "searched":
            return f"{self.mode}@{self.bits}b"
        where = f"{self.position:.4g}" + ("" if self.position2 is None else f",{self.position2:.4g}")
        return f"cut={where}@{self.bits}b"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"mode": self.mode, "bits": self.bits}
        if self.position is not None:
            out["position"] = self.position
        if self.position2 is not None:
            out["position2"] = self.position2
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SplitPart:
        return cls(mode=str(data["mode"]), bits=int(data["bits"]), position=data.get("position"),
                   position2=data.get("position2"))


@dataclass(frozen=True)
class Choice:
    """The cut pair a part lands on (index into ``SplitCosts``), or why there is none."""

    index: int | None
    reasons: tuple[str, ...] = ()


def choose(costs: SplitCosts, part: SplitPart, workload: Workload, profiles: dict[str, TierProfile],
           goal: str = "latency", candidates: str = "all", max_latency_s: float | None = None) -> Choice:
    """The pair ``part`` selects; ``reasons`` say why it is infeasible (a tier cannot run its
    layers, no pair meets ``max_latency_s``), so the trial is infeasible rather than a crash.
    ``profiles``: the tiers' prefix sums by tier name (their reasons explain infeasible pairs)."""
    if part.mode == "best":
        index = best_index(costs, goal, max_latency_s)
        if index is not None:
            return Choice(index)
        fallback = best_index(costs, "latency")
        if fallback is None:
            device_only = len(costs) - 1
            return Choice(None, ("no cut pair can run: " + why_infeasible(costs, device_only, profiles),))
        return Choice(fallback, (f"no cut meets the latency budget of {max_latency_s * 1e3:.4g} ms "
                                 f"(fastest: {costs.latency_s[fallback] * 1e3:.4g} ms)",))
    cuts = candidate_cuts(workload, candidates)
    position = {"device_only": 1.0, "full_offload": 0.0}.get(part.mode, part.position)
    c1 = cut_at(float(position), cuts)
    members = costs.cut == c1
    if costs.side.setup.mec is not None and costs.side.setup.cloud is not None:
        after = cuts[cuts >= c1]
        # full offload sends the input to the first server tier, which runs the rest
        c2 = cut_at(float(part.position2 if part.position2 is not None and part.mode == "searched" else 1.0), after)
        members &= costs.cut2 == c2
    index = int(np.flatnonzero(members)[0])
    reasons: tuple[str, ...] = ()
    if not costs.feasible[index]:
        reasons = (f"cut {c1} cannot run: " + why_infeasible(costs, index, profiles),)
    elif max_latency_s is not None and costs.latency_s[index] > max_latency_s:
        reasons = (f"cut {c1} takes {costs.latency_s[index] * 1e3:.4g} ms, over the latency budget of "
                   f"{max_latency_s * 1e3:.4g} ms",)
    return Choice(index, reasons)


def why_infeasible(costs: SplitCosts, index: int, profiles: dict[str, TierProfile]) -> str:
    """Which tiers of pair ``index`` cannot run the layers placed on them, with their reasons."""
    j1, j2, n = int(costs.side.j1[index]), int(costs.side.j2[index]), costs.side.n_layers
    spans = {"device": (0, j1), "mec": (j1, j2), "cloud": (j2, n)}
    out = []
    for tier, (lo, hi) in spans.items():
        profile = profiles.get(tier)
        if profile is not None and profile.bad[hi] != profile.bad[lo]:
            out.append(f"{tier}: " + ("; ".join(profile.reasons) or "cannot run some layers"))
    return "; ".join(out) or "no tier can run the network"


#: What a split design reports (SI keys), for the split stage's metrics.
METRIC_KEYS = ("e2e_latency_s", "device_energy_j", "uplink_bytes", "device_latency_s", "transfer_latency_s",
               "mec_latency_s", "cloud_latency_s", "radio_energy_j")


def metrics_of(costs: SplitCosts, index: int, budget_s: float | None = None) -> dict[str, Any]:
    """The metrics of pair ``index``: end-to-end latency, device energy, bytes sent, latency per
    tier, the cut itself and, with a latency budget, the uplink rate it needs."""
    row = costs.select(index)
    out: dict[str, Any] = {"e2e_latency_s": row["latency_s"]}
    out.update({key: row[key] for key in METRIC_KEYS if key in row})
    out.update(cut=row["cut"], cut2=row["cut2"], backhaul_bytes=row["backhaul_bytes"])
    if budget_s is not None:
        out["required_uplink_bps"] = float(costs.required_uplink_bps(budget_s)[index])
    return out
