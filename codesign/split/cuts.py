"""Every cut of a network across device, MEC and cloud at once, as numpy arrays.

Cuts are indexed like the workload's: cut ``c`` = the device runs layers ``0 .. c`` (``-1`` = full
offload, ``L-1`` = device only). A *pair* (c1, c2) with c1 <= c2 puts layers ``c1+1 .. c2`` on the
MEC server and ``c2+1 .. L-1`` in the cloud. Internally ``j = c + 1`` indexes the prefix sums.

End-to-end latency of one inference (batch 1, tiers run one after another, no queueing):

    device compute + [radio latency + uplink bytes / uplink rate]       if anything leaves the device
    + MEC compute + [backhaul latency + backhaul bytes / backhaul rate]  if anything reaches the cloud
    + cloud compute + the result's way back (backhaul, then radio)

Device energy = the device NPU's energy for its layers + the radio's (``RadioPower.energy_j``):
sending, waiting connected for the result, receiving it, then the tail.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from codesign.errors import ConfigError
from codesign.split.link import Link
from codesign.split.profile import TierProfile
from codesign.split.tiers import SplitSetup


def cut_pairs(n_layers: int, has_mec: bool, has_cloud: bool) -> tuple[np.ndarray, np.ndarray]:
    """Prefix indices (j1, j2) of every admissible cut pair: device-only always; with one remote
    tier, every device cut; with both, every j1 <= j2."""
    n = n_layers
    if has_mec and has_cloud:
        j1, j2 = np.triu_indices(n + 1)
        return j1.astype(np.int64), j2.astype(np.int64)
    if has_mec:
        return np.arange(n + 1), np.full(n + 1, n)
    if has_cloud:
        return np.arange(n + 1), np.arange(n + 1)
    return np.array([n]), np.array([n])


@dataclass(frozen=True)
class SplitCosts:
    """Per cut pair (one array entry each): what the split costs. SI units; ``NaN`` where a tier
    cannot run its part (``feasible`` is False there)."""

    cut: np.ndarray  # last device layer (-1 = full offload)
    cut2: np.ndarray  # last MEC layer (== cut: the MEC runs nothing)
    feasible: np.ndarray
    uplink_bytes: np.ndarray
    backhaul_bytes: np.ndarray
    downlink_bytes: np.ndarray
    device_latency_s: np.ndarray
    uplink_latency_s: np.ndarray  # link latency + time on the wire
    mec_latency_s: np.ndarray
    backhaul_latency_s: np.ndarray
    cloud_latency_s: np.ndarray
    downlink_latency_s: np.ndarray  # the result's way back over backhaul and radio
    latency_s: np.ndarray
    device_compute_energy_j: np.ndarray
    radio_energy_j: np.ndarray
    device_energy_j: np.ndarray
    remote_energy_j: np.ndarray
    #: Seconds the result takes besides sending the uplink bytes (for the required uplink rate).
    _other_latency_s: np.ndarray

    @property
    def transfer_latency_s(self) -> np.ndarray:
        return self.uplink_latency_s + self.backhaul_latency_s + self.downlink_latency_s

    @property
    def remote_latency_s(self) -> np.ndarray:
        return self.mec_latency_s + self.cloud_latency_s

    def __len__(self) -> int:
        return len(self.cut)

    def required_uplink_bps(self, budget_s: float) -> np.ndarray:
        """Uplink rate each cut pair needs to finish within ``budget_s``: 0 when nothing is sent,
        ``inf`` when the rest of the work alone exceeds the budget."""
        slack = budget_s - self._other_latency_s
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(slack > 0, 8.0 * self.uplink_bytes / np.where(slack > 0, slack, 1.0), np.inf)
        rate = np.where(self.uplink_bytes > 0, rate, np.where(slack >= 0, 0.0, np.inf))
        return np.where(self.feasible, rate, np.nan)

    def select(self, index: int) -> dict[str, float]:
        """The metrics of one cut pair as plain numbers (ints for cuts and bytes)."""
        out: dict[str, float] = {}
        for f in fields(self):
            if f.name.startswith("_"):
                continue
            value = getattr(self, f.name)[index]
            out[f.name] = bool(value) if f.name == "feasible" else (
                int(value) if f.name in ("cut", "cut2") or f.name.endswith("_bytes") else float(value))
        out["transfer_latency_s"] = float(self.transfer_latency_s[index])
        out["remote_latency_s"] = float(self.remote_latency_s[index])
        return out


def split_costs(device: TierProfile, setup: SplitSetup, cut_bytes: np.ndarray,
                mec: TierProfile | None = None, cloud: TierProfile | None = None) -> SplitCosts:
    """The cost of every admissible cut pair of one network.

    ``device``/``mec``/``cloud``: the tiers' prefix sums over the same L layers (``mec``/``cloud``
    required when ``setup`` has that tier); ``cut_bytes[c + 1]``: bytes of the activations crossing
    cut ``c`` at the transmitted bit width (length L+1; the last entry is the network's output).
    """
    n = device.n_layers
    cut_bytes = np.asarray(cut_bytes, dtype=np.float64)
    if cut_bytes.shape != (n + 1,):
        raise ConfigError("split.cut_bytes", f"expected {n + 1} entries (cuts -1..{n - 1}), got {cut_bytes.shape}")
    for name, hw, profile in (("mec", setup.mec, mec), ("cloud", setup.cloud, cloud)):
        if hw is not None and (profile is None or profile.n_layers != n):
            raise ConfigError(f"split.{name}", f"the {name} tier needs its cost over the same {n} layers")
    mec = mec if setup.mec is not None else TierProfile.empty("mec", n)
    cloud = cloud if setup.cloud is not None else TierProfile.empty("cloud", n)
    j1, j2 = cut_pairs(n, setup.mec is not None, setup.cloud is not None)
    off = (j1 < n).astype(np.float64)
    to_cloud = (j2 < n).astype(np.float64)
    out_bytes = cut_bytes[n]
    radio = setup.radio or _NO_LINK
    backhaul = setup.backhaul or _NO_LINK

    up_bytes = off * cut_bytes[j1]
    bh_bytes = to_cloud * cut_bytes[j2]
    down_bytes = off * out_bytes
    up_wire = radio.up_seconds(up_bytes)
    down_wire = radio.down_seconds(down_bytes)
    device_t = device.latency_s[j1]
    uplink_t = up_wire + off * radio.latency_s
    mec_t = mec.latency_s[j2] - mec.latency_s[j1]
    backhaul_t = backhaul.up_seconds(bh_bytes) + to_cloud * backhaul.latency_s
    cloud_t = cloud.latency_s[n] - cloud.latency_s[j2]
    downlink_t = (down_wire + off * radio.latency_s
                  + to_cloud * (backhaul.latency_s + backhaul.down_seconds(out_bytes)))
    latency = device_t + uplink_t + mec_t + backhaul_t + cloud_t + downlink_t

    if radio.power is not None:
        idle = None if setup.period_s is None else setup.period_s - latency
        radio_e = off * radio.power.energy_j(up_wire, radio.uplink_bps, down_wire, radio.downlink_bps,
                                             latency - device_t - up_wire - down_wire, idle)
    else:
        radio_e = np.zeros(len(j1))
    compute_e = device.energy_j[j1]
    remote_e = (mec.energy_j[j2] - mec.energy_j[j1]) + (cloud.energy_j[n] - cloud.energy_j[j2])
    feasible = ((device.bad[j1] == 0) & (mec.bad[j2] == mec.bad[j1]) & (cloud.bad[n] == cloud.bad[j2]))

    def masked(values: np.ndarray) -> np.ndarray:
        return np.where(feasible, values, np.nan)

    return SplitCosts(
        cut=j1 - 1, cut2=j2 - 1, feasible=feasible, uplink_bytes=up_bytes, backhaul_bytes=bh_bytes,
        downlink_bytes=down_bytes, device_latency_s=masked(device_t), uplink_latency_s=uplink_t,
        mec_latency_s=masked(mec_t), backhaul_latency_s=backhaul_t, cloud_latency_s=masked(cloud_t),
        downlink_latency_s=downlink_t, latency_s=masked(latency), device_compute_energy_j=masked(compute_e),
        radio_energy_j=masked(radio_e), device_energy_j=masked(compute_e + radio_e),
        remote_energy_j=masked(remote_e), _other_latency_s=masked(latency - up_wire),
    )


#: Stands in for an absent link, which only device-only cuts (sending nothing) meet.
_NO_LINK = Link("none", uplink_bps=1.0, downlink_bps=1.0, latency_s=0.0)
