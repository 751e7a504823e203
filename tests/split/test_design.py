"""A candidate's split part: best or searched, its cut pair, infeasible reasons instead of crashes."""
from __future__ import annotations

import numpy as np
import pytest

from codesign.errors import ConfigError
from codesign.hardware.config import TEMPLATES
from codesign.split.cuts import remote_side, split_costs
from codesign.split.design import SplitPart, choose, metrics_of
from codesign.split.link import Link
from codesign.split.profile import TierProfile
from codesign.split.tiers import SplitSetup
from codesign.workload import Workload
from codesign.workload.layer import Layer

HW = TEMPLATES.get("systolic")()
RADIO = Link("radio", uplink_bps=10e6, downlink_bps=10e6, latency_s=0.002)


def _chain(n: int) -> Workload:
    return Workload(name="chain", layers=tuple(Layer(name=f"l{i}", op="conv", K=8, C=8, P=4, Q=4) for i in range(n)))


def _analysis(device_lat: np.ndarray, mec_lat: np.ndarray):
    n = len(device_lat)
    workload = _chain(n)
    profiles = {"device": TierProfile.from_layers("device", device_lat, np.full(n, 1e-3), ("too big",)),
                "mec": TierProfile.from_layers("mec", mec_lat, np.zeros(n), ("unsupported op",))}
    setup = SplitSetup.checked(mec=HW, radio=RADIO)
    side = remote_side(setup, workload.cut_bytes_all(8), n, mec=profiles["mec"])
    return workload, profiles, split_costs(profiles["device"], side)


def test_best_takes_the_fastest_pair_and_a_budget_it_cannot_meet_is_a_reason() -> None:
    workload, profiles, costs = _analysis(np.full(6, 5e-3), np.full(6, 1e-4))
    choice = choose(costs, SplitPart("best", 8), workload, profiles, goal="latency")
    assert choice.index == int(np.nanargmin(costs.latency_s)) and not choice.reasons
    tight = choose(costs, SplitPart("best", 8), workload, profiles, goal="energy", max_latency_s=1e-6)
    assert tight.index is not None and "latency budget" in tight.reasons[0]
    ok = choose(costs, SplitPart("best", 8), workload, profiles, goal="energy",
                max_latency_s=float(np.nanmax(costs.latency_s)))
    assert not ok.reasons and costs.device_energy_j[ok.index] == np.nanmin(costs.device_energy_j)


def test_a_searched_position_lands_on_its_cut_and_names_the_tier_that_cannot_run() -> None:
    mec = np.full(6, 1e-4)
    mec[4] = np.nan  # the MEC cannot run layer 4
    workload, profiles, costs = _analysis(np.full(6, 5e-3), mec)
    ends = [choose(costs, SplitPart("searched", 8, position=p), workload, profiles) for p in (0.0, 1.0)]
    assert [int(costs.cut[c.index]) for c in ends] == [-1, 5]
    baselines = [choose(costs, SplitPart(m, 8), workload, profiles) for m in ("full_offload", "device_only")]
    assert [c.index for c in baselines] == [c.index for c in ends]
    assert "mec: unsupported op" in ends[0].reasons[0] and not ends[1].reasons
    metrics = metrics_of(costs, ends[1].index, budget_s=0.1)
    assert metrics["uplink_bytes"] == 0 and metrics["required_uplink_bps"] == 0
    assert metrics["e2e_latency_s"] == pytest.approx(6 * 5e-3)


def test_no_runnable_pair_is_a_reason_not_a_crash() -> None:
    workload, profiles, costs = _analysis(np.full(4, np.nan), np.full(4, np.nan))
    choice = choose(costs, SplitPart("best", 8), workload, profiles)
    assert choice.index is None and "device: too big" in choice.reasons[0]
    assert np.isnan(costs.latency_s).all()


def test_parts_round_trip_and_bad_parts_name_the_field() -> None:
    for part in (SplitPart("best", 16), SplitPart("searched", 8, position=0.25, position2=0.5)):
        assert SplitPart.from_dict(part.to_dict()) == part and part.key
    with pytest.raises(ConfigError, match="split.mode"):
        SplitPart("sometimes", 8)
    with pytest.raises(ConfigError, match="split.cut"):
        SplitPart("searched", 8)
