"""Split analysis of one network: cost each tier once with the cost model, then every cut pair
from prefix sums (``cuts.split_costs``) with the bytes the workload graph says cross each cut."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from codesign.costmodel.base import cost_model_for
from codesign.costmodel.result import NetworkCost
from codesign.errors import ConfigError
from codesign.hardware.config import AcceleratorConfig
from codesign.split.cuts import RemoteSide, SplitCosts, remote_side, split_costs
from codesign.split.profile import TierProfile
from codesign.split.tiers import SplitSetup
from codesign.workload import Workload

#: Bit widths the split sub-space searches for transmitted activations.
BIT_WIDTHS = (32, 16, 8)
MAX_BITS = 64


def check_bits(bits: object, field: str = "split.bits") -> int:
    """A transmitted bit width: a positive integer up to ``MAX_BITS``."""
    if isinstance(bits, bool) or not isinstance(bits, int) or not 1 <= bits <= MAX_BITS:
        raise ConfigError(field, f"must be an integer bit width in 1..{MAX_BITS}, got {bits!r}")
    return bits


def check_cut(cut: object, workload: Workload, field: str = "split.cut") -> int:
    """A cut of ``workload``: -1 (full offload) .. L-1 (device only)."""
    n = len(workload.layers)
    if isinstance(cut, bool) or not isinstance(cut, int) or not -1 <= cut <= n - 1:
        raise ConfigError(field, f"cut {cut!r} outside the network (-1 = full offload .. {n - 1} = device only)")
    return cut


def transmitted_bytes(workload: Workload, bits: int) -> np.ndarray:
    """Bytes of the live activations crossing each cut -1..L-1 at ``bits`` per element (the last
    entry: the network's outputs, the result sent back)."""
    return np.asarray(workload.cut_bytes_all(check_bits(bits)), dtype=np.float64)


def remote_costs(workload: Workload, setup: SplitSetup, cost_model: str | None = None,
                 goal: str = "edp") -> dict[str, NetworkCost]:
    """The cost model's result of the whole network on each server tier (one call per tier; a
    search caches these by architecture, as they do not depend on the device)."""
    return {name: cost_model_for(hw, cost_model, goal).evaluate(workload, hw) for name, hw in setup.tiers().items()}


@dataclass(frozen=True)
class SplitAnalysis:
    """Every cut pair of one network on one setup at one bit width."""

    workload: Workload
    setup: SplitSetup
    bits: int
    costs: SplitCosts
    profiles: dict[str, TierProfile]


def side_of(workload: Workload, setup: SplitSetup, bits: int, remote: dict[str, NetworkCost]) -> tuple[
        RemoteSide, dict[str, TierProfile]]:
    """The device-independent part of every cut of ``workload`` (a search caches it per
    architecture and bit width), and the server tiers' profiles."""
    profiles = {name: TierProfile.from_cost(name, cost) for name, cost in remote.items()}
    side = remote_side(setup, transmitted_bytes(workload, bits), len(workload.layers),
                       mec=profiles.get("mec"), cloud=profiles.get("cloud"))
    return side, profiles


def analyse(workload: Workload, device: NetworkCost, setup: SplitSetup, bits: int,
            remote: dict[str, NetworkCost]) -> SplitAnalysis:
    """Split costs from already computed per-tier results (no cost-model call here)."""
    side, profiles = side_of(workload, setup, bits, remote)
    profiles = {"device": TierProfile.from_cost("device", device), **profiles}
    costs = split_costs(profiles["device"], side)
    return SplitAnalysis(workload=workload, setup=setup, bits=bits, costs=costs, profiles=profiles)


def analyse_design(workload: Workload, device_hw: AcceleratorConfig, setup: SplitSetup, bits: int,
                   cost_model: str | None = None, goal: str = "edp") -> SplitAnalysis:
    """Cost the device and every server tier, then analyse every cut."""
    device = cost_model_for(device_hw, cost_model, goal).evaluate(workload, device_hw)
    return analyse(workload, device, setup, bits, remote_costs(workload, setup, cost_model, goal))
