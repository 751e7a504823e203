"""The vectorised split math against a per-layer loop written independently (tier of each layer,
then sums), on random profiles; the best cut against brute force; required rate, tail, infeasible
layers."""
from __future__ import annotations

import math

import numpy as np
import pytest

from codesign.hardware.config import TEMPLATES
from codesign.split.best import best_index
from codesign.split.cuts import SplitCosts, remote_side, split_costs
from codesign.split.link import Link
from codesign.split.profile import TierProfile
from codesign.split.radio import RadioPower
from codesign.split.tiers import SplitSetup

HW = TEMPLATES.get("systolic")()
RADIO = Link("radio", uplink_bps=20e6, downlink_bps=80e6, latency_s=0.004,
             power=RadioPower(base_w=1.0, alpha_up_w_per_bps=3e-8, alpha_down_w_per_bps=1e-8,
                              tail_w=0.5, tail_s=0.2))
BACKHAUL = Link("backhaul", uplink_bps=1e9, downlink_bps=2e9, latency_s=0.006)


def _costs(device: TierProfile, setup: SplitSetup, nbytes: np.ndarray, mec: TierProfile | None = None,
           cloud: TierProfile | None = None) -> SplitCosts:
    return split_costs(device, remote_side(setup, nbytes, device.n_layers, mec=mec, cloud=cloud))


def _random_tier(rng: np.random.Generator, n: int, scale: float) -> tuple[np.ndarray, np.ndarray]:
    return rng.uniform(0.1, 1.0, n) * scale, rng.uniform(0.1, 1.0, n) * scale * 10


def _reference(lat: dict[str, np.ndarray], en: dict[str, np.ndarray], nbytes: np.ndarray, c1: int, c2: int,
               setup: SplitSetup) -> tuple[float, float]:
    """Latency and device energy of one pair by walking the layers (no prefix sums)."""
    n = len(lat["device"])
    tier = ["device" if i <= c1 else "mec" if i <= c2 else "cloud" for i in range(n)]
    compute = sum(lat[t][i] for i, t in enumerate(tier))
    latency = compute
    energy = sum(en["device"][i] for i, t in enumerate(tier) if t == "device")
    if c1 == n - 1:
        return latency, energy
    out = nbytes[-1]
    up_bits, down_bits = 8 * nbytes[c1 + 1], 8 * out
    latency += 2 * RADIO.latency_s + up_bits / RADIO.uplink_bps + down_bits / RADIO.downlink_bps
    if c2 < n - 1:
        latency += 2 * BACKHAUL.latency_s + 8 * nbytes[c2 + 1] / BACKHAUL.uplink_bps + down_bits / BACKHAUL.downlink_bps
    p = RADIO.power
    send, recv = up_bits / RADIO.uplink_bps, down_bits / RADIO.downlink_bps
    wait = latency - sum(lat["device"][i] for i, t in enumerate(tier) if t == "device") - send - recv
    idle = p.tail_s if setup.period_s is None else min(p.tail_s, max(0.0, setup.period_s - latency))
    energy += ((p.base_w + p.alpha_up_w_per_bps * RADIO.uplink_bps) * send
               + (p.base_w + p.alpha_down_w_per_bps * RADIO.downlink_bps) * recv
               + p.tail_w * (min(wait, p.tail_s) + idle))
    return latency, energy


@pytest.mark.parametrize("tiers", ["mec", "cloud", "both"])
@pytest.mark.parametrize("period_s", [None, 0.05])
def test_every_pair_matches_a_layer_walk(tiers: str, period_s: float | None) -> None:
    rng = np.random.default_rng(7)
    n = 9
    lat, en = {}, {}
    for name, scale in (("device", 1e-2), ("mec", 1e-3), ("cloud", 2e-4)):
        lat[name], en[name] = _random_tier(rng, n, scale)
    nbytes = rng.integers(1_000, 200_000, n + 1).astype(float)
    has_mec, has_cloud = tiers in ("mec", "both"), tiers in ("cloud", "both")
    setup = SplitSetup.checked(mec=HW if has_mec else None, cloud=HW if has_cloud else None, radio=RADIO,
                               backhaul=BACKHAUL if has_cloud else None, period_s=period_s)
    profiles = {k: TierProfile.from_layers(k, lat[k], en[k]) for k in lat}
    costs = _costs(profiles["device"], setup, nbytes, mec=profiles["mec"], cloud=profiles["cloud"])
    expected_pairs = {"mec": n + 1, "cloud": n + 1, "both": (n + 1) * (n + 2) // 2}[tiers]
    assert len(costs) == expected_pairs
    for k in range(len(costs)):
        c1, c2 = int(costs.cut[k]), int(costs.cut2[k])
        assert -1 <= c1 <= c2 <= n - 1
        ref_lat, ref_en = _reference(lat, en, nbytes, c1, c2, setup)
        assert costs.latency_s[k] == pytest.approx(ref_lat, rel=1e-12)
        assert costs.device_energy_j[k] == pytest.approx(ref_en, rel=1e-12)
    best = best_index(costs, "latency")
    brute = min(range(len(costs)), key=lambda k: _reference(lat, en, nbytes, int(costs.cut[k]),
                                                            int(costs.cut2[k]), setup)[0])
    assert best == brute
    best_e = best_index(costs, "energy")
    assert costs.device_energy_j[best_e] == np.nanmin(costs.device_energy_j)


def test_device_only_and_full_offload_ends() -> None:
    rng = np.random.default_rng(1)
    lat, en = _random_tier(rng, 5, 1e-2)
    device = TierProfile.from_layers("device", lat, en)
    mec = TierProfile.from_layers("mec", lat / 10, en / 10)
    nbytes = np.array([150_000, 50_000, 20_000, 9_000, 4_000, 4_000], dtype=float)
    costs = _costs(device, SplitSetup.checked(mec=HW, radio=RADIO), nbytes, mec=mec)
    only = int(np.flatnonzero(costs.cut == 4)[0])
    assert costs.side.uplink_bytes[only] == 0 and costs.radio_energy_j[only] == 0
    assert costs.latency_s[only] == pytest.approx(lat.sum())
    offload = int(np.flatnonzero(costs.cut == -1)[0])
    assert costs.side.uplink_bytes[offload] == 150_000 and costs.device_compute_energy_j[offload] == 0
    assert costs.remote_latency_s[offload] == pytest.approx(lat.sum() / 10)


def test_a_device_only_setup_has_one_cut() -> None:
    device = TierProfile.from_layers("device", np.ones(3), np.ones(3))
    costs = _costs(device, SplitSetup(), np.ones(4))
    assert list(costs.cut) == [2] and costs.latency_s[0] == 3


def test_unrunnable_layers_rule_out_only_the_pairs_that_place_them() -> None:
    n = 6
    lat = np.full(n, 1e-3)
    device_lat = lat.copy()
    device_lat[4] = np.nan  # the device cannot run layer 4
    mec_lat = lat.copy()
    mec_lat[1] = np.nan  # the MEC cannot run layer 1
    device = TierProfile.from_layers("device", device_lat, lat)
    mec = TierProfile.from_layers("mec", mec_lat, lat)
    costs = _costs(device, SplitSetup.checked(mec=HW, radio=RADIO), np.ones(n + 1), mec=mec)
    feasible = {int(c): bool(f) for c, f in zip(costs.cut, costs.feasible, strict=True)}
    # cut c: the device runs 0..c, the MEC c+1..5
    assert feasible == {-1: False, 0: False, 1: True, 2: True, 3: True, 4: False, 5: False}
    assert math.isnan(costs.latency_s[list(costs.cut).index(5)])
    assert best_index(costs, "latency") is not None
    none = TierProfile.from_layers("device", np.full(n, np.nan), lat)
    assert best_index(_costs(none, SplitSetup(), np.ones(n + 1)), "latency") is None


def test_required_uplink_rate_meets_the_budget_exactly() -> None:
    rng = np.random.default_rng(3)
    lat, en = _random_tier(rng, 4, 1e-3)
    device = TierProfile.from_layers("device", lat, en)
    nbytes = np.array([270_000, 80_000, 40_000, 10_000, 1_000], dtype=float)
    setup = SplitSetup.checked(mec=HW, radio=RADIO)
    mec = TierProfile.from_layers("mec", lat / 5, en)
    costs = _costs(device, setup, nbytes, mec=mec)
    budget = 0.03
    need = costs.required_uplink_bps(budget)
    for k in range(len(costs) - 1):  # the last pair is device only: it needs no uplink
        if not math.isfinite(need[k]):
            continue
        at_rate = Link("r", uplink_bps=float(need[k]), downlink_bps=RADIO.downlink_bps, latency_s=RADIO.latency_s)
        again = _costs(device, SplitSetup.checked(mec=HW, radio=at_rate), nbytes, mec=mec)
        assert again.latency_s[k] == pytest.approx(budget, rel=1e-9)
    assert need[-1] == 0
    assert np.isinf(costs.required_uplink_bps(1e-6)[0])


def test_a_stream_cuts_the_radio_tail_short() -> None:
    device = TierProfile.from_layers("device", np.full(3, 1e-3), np.full(3, 1e-3))
    mec = TierProfile.from_layers("mec", np.full(3, 1e-4), np.zeros(3))
    nbytes = np.full(4, 10_000.0)
    isolated = _costs(device, SplitSetup.checked(mec=HW, radio=RADIO), nbytes, mec=mec)
    stream = _costs(device, SplitSetup.checked(mec=HW, radio=RADIO, period_s=1e-3), nbytes, mec=mec)
    tail = RADIO.power.tail_w * RADIO.power.tail_s
    offload = 0  # cut -1
    assert isolated.radio_energy_j[offload] - stream.radio_energy_j[offload] == pytest.approx(tail)
