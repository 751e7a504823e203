"""Every cut of a network across device, MEC and cloud at once, as numpy arrays.

Cuts are indexed like the workload's: cut ``c`` = the device runs layers ``0 .. c`` (``-1`` = full
offload, ``L-1`` = device only). A *pair* (c1, c2) with c1 <= c2 puts layers ``c1+1 .. c2`` on the
MEC server and ``c2+1 .. L-1`` in the cloud. Internally ``j = c + 1`` indexes the prefix sums.

End-to-end latency of one inference (batch 1, tiers run one after another, no queueing):

    device compute + [radio latency + uplink bytes / uplink rate]       if anything leaves the device
    + MEC compute + [backhaul latency + backhaul bytes / backhaul rate]  if anything reaches the cloud
    + cloud compute + the result's way back (backhaul, then radio)

Device energy = the device NPU's energy for its layers + the radio's: sending and receiving
(``RadioPower.active_energy_j``), waiting connected for the result (``wait_energy_j``), then the
tail (``tail_energy_j``), all only if anything leaves the device.

Everything but the device's own compute is the same for every device NPU, so it is computed once
per (network, bit width, setup) as a ``RemoteSide``; ``split_costs`` then adds a device profile
with a handful of array operations (what a search pays per trial).
"""
from __future__ import annotations

from dataclasses import dataclass

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
class RemoteSide:
    """Per cut pair, what does not depend on the device NPU: bytes on each link, link and server
    time, whether the servers can run their layers, the radio energy up to the result's arrival."""

    setup: SplitSetup
    n_layers: int
    j1: np.ndarray
    j2: np.ndarray
    offloaded: np.ndarray  # bool: anything leaves the device
    uplink_bytes: np.ndarray
    backhaul_bytes: np.ndarray
    downlink_bytes: np.ndarray
    uplink_latency_s: np.ndarray  # link latency + time on the wire
    mec_latency_s: np.ndarray
    backhaul_latency_s: np.ndarray
    cloud_latency_s: np.ndarray
    downlink_latency_s: np.ndarray  # the result's way back over backhaul and radio
    after_device_s: np.ndarray  # everything after the device's compute
    up_wire_s: np.ndarray
    feasible: np.ndarray  # the servers can run their layers
    radio_until_result_j: np.ndarray  # sending, waiting connected, receiving
    remote_energy_j: np.ndarray

    def __len__(self) -> int:
        return len(self.j1)


def remote_side(setup: SplitSetup, cut_bytes: np.ndarray, n_layers: int, mec: TierProfile | None = None,
                cloud: TierProfile | None = None) -> RemoteSide:
    """The device-independent part of every cut pair of an ``n_layers`` network.

    ``mec``/``cloud``: the server tiers' prefix sums over the same layers (required when ``setup``
    has that tier); ``cut_bytes[c + 1]``: bytes of the activations crossing cut ``c`` at the sent bit
    width (length L+1; the last entry is the network's output, the result sent back).
    """
    n = n_layers
    cut_bytes = np.asarray(cut_bytes, dtype=np.float64)
    if cut_bytes.shape != (n + 1,):
        raise ConfigError("split.cut_bytes", f"expected {n + 1} entries (cuts -1..{n - 1}), got {cut_bytes.shape}")
    for name, hw, profile in (("mec", setup.mec, mec), ("cloud", setup.cloud, cloud)):
        if hw is not None and (profile is None or profile.n_layers != n):
            raise ConfigError(f"split.{name}", f"the {name} tier needs its cost over the same {n} layers")
    mec = mec if setup.mec is not None else TierProfile.empty("mec", n)
    cloud = cloud if setup.cloud is not None else TierProfile.empty("cloud", n)
    j1, j2 = cut_pairs(n, setup.mec is not None, setup.cloud is not None)
    offloaded = j1 < n
    off = offloaded.astype(np.float64)
    to_cloud = (j2 < n).astype(np.float64)
    out_bytes = cut_bytes[n]
    radio = setup.radio or _NO_LINK
    backhaul = setup.backhaul or _NO_LINK

    up_bytes = off * cut_bytes[j1]
    bh_bytes = to_cloud * cut_bytes[j2]
    down_bytes = off * out_bytes
    up_wire = radio.up_seconds(up_bytes)
    down_wire = radio.down_seconds(down_bytes)
    uplink_t = up_wire + off * radio.latency_s
    mec_t = mec.latency_s[j2] - mec.latency_s[j1]
    backhaul_t = backhaul.up_seconds(bh_bytes) + to_cloud * backhaul.latency_s
    cloud_t = cloud.latency_s[n] - cloud.latency_s[j2]
    downlink_t = (down_wire + off * radio.latency_s
                  + to_cloud * (backhaul.latency_s + backhaul.down_seconds(out_bytes)))
    after_device = uplink_t + mec_t + backhaul_t + cloud_t + downlink_t
    if radio.power is not None:
        power = radio.power
        radio_e = off * (power.active_energy_j(up_wire, radio.uplink_bps, down_wire, radio.downlink_bps)
                         + power.wait_energy_j(after_device - up_wire - down_wire))
    else:
        radio_e = np.zeros(len(j1))
    return RemoteSide(
        setup=setup, n_layers=n, j1=j1, j2=j2, offloaded=offloaded, uplink_bytes=up_bytes,
        backhaul_bytes=bh_bytes, downlink_bytes=down_bytes, uplink_latency_s=uplink_t, mec_latency_s=mec_t,
        backhaul_latency_s=backhaul_t, cloud_latency_s=cloud_t, downlink_latency_s=downlink_t,
        after_device_s=after_device, up_wire_s=up_wire,
        feasible=(mec.bad[j2] == mec.bad[j1]) & (cloud.bad[n] == cloud.bad[j2]), radio_until_result_j=radio_e,
        remote_energy_j=(mec.energy_j[j2] - mec.energy_j[j1]) + (cloud.energy_j[n] - cloud.energy_j[j2]),
    )


@dataclass(frozen=True)
class SplitCosts:
    """Per cut pair (one array entry each): what the split costs with one device NPU. SI units;
    latency and device energy are ``NaN`` where a tier cannot run its part (``feasible`` False)."""

    side: RemoteSide
    feasible: np.ndarray
    device_latency_s: np.ndarray
    latency_s: np.ndarray
    device_compute_energy_j: np.ndarray
    radio_energy_j: np.ndarray
    device_energy_j: np.ndarray

    def __len__(self) -> int:
        return len(self.side)

    @property
    def cut(self) -> np.ndarray:
        """Last device layer of each pair (-1 = full offload)."""
        return self.side.j1 - 1

    @property
    def cut2(self) -> np.ndarray:
        """Last MEC layer of each pair (== ``cut``: the MEC runs nothing)."""
        return self.side.j2 - 1

    @property
    def transfer_latency_s(self) -> np.ndarray:
        s = self.side
        return s.uplink_latency_s + s.backhaul_latency_s + s.downlink_latency_s

    @property
    def remote_latency_s(self) -> np.ndarray:
        return self.side.mec_latency_s + self.side.cloud_latency_s

    def required_uplink_bps(self, budget_s: float) -> np.ndarray:
        """Uplink rate each cut pair needs to finish within ``budget_s``: 0 when nothing is sent,
        ``inf`` when the rest of the work alone exceeds the budget."""
        slack = budget_s - (self.latency_s - self.side.up_wire_s)
        sent = self.side.uplink_bytes
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(slack > 0, 8.0 * sent / np.where(slack > 0, slack, 1.0), np.inf)
        rate = np.where(sent > 0, rate, np.where(slack >= 0, 0.0, np.inf))
        return np.where(self.feasible, rate, np.nan)

    def select(self, index: int) -> dict[str, float | int | bool]:
        """The metrics of one cut pair as plain numbers."""
        s = self.side
        out: dict[str, float | int | bool] = {"cut": int(self.cut[index]), "cut2": int(self.cut2[index]),
                                              "feasible": bool(self.feasible[index])}
        for name in ("uplink_bytes", "backhaul_bytes", "downlink_bytes"):
            out[name] = int(getattr(s, name)[index])
        for name in ("uplink_latency_s", "mec_latency_s", "backhaul_latency_s", "cloud_latency_s",
                     "downlink_latency_s", "remote_energy_j"):
            out[name] = float(getattr(s, name)[index])
        for name in ("device_latency_s", "latency_s", "device_compute_energy_j", "radio_energy_j",
                     "device_energy_j"):
            out[name] = float(getattr(self, name)[index])
        out["transfer_latency_s"] = float(self.transfer_latency_s[index])
        out["remote_latency_s"] = float(self.remote_latency_s[index])
        return out


def split_costs(device: TierProfile, side: RemoteSide) -> SplitCosts:
    """Every cut pair of ``side`` with ``device``'s prefix sums (a few array operations)."""
    if device.n_layers != side.n_layers:
        raise ConfigError("split.device", f"device cost over {device.n_layers} layers, the split has {side.n_layers}")
    j1 = side.j1
    device_t = device.latency_s[j1]
    latency = device_t + side.after_device_s
    compute_e = device.energy_j[j1]
    radio = side.setup.radio
    radio_e = side.radio_until_result_j
    if radio is not None and radio.power is not None and radio.power.tail_w > 0:
        period = side.setup.period_s
        radio_e = radio_e + side.offloaded * radio.power.tail_energy_j(None if period is None else period - latency)
    feasible = (device.bad[j1] == 0) & side.feasible
    energy = compute_e + radio_e
    return SplitCosts(side=side, feasible=feasible, device_latency_s=device_t,
                      latency_s=np.where(feasible, latency, np.nan), device_compute_energy_j=compute_e,
                      radio_energy_j=radio_e, device_energy_j=np.where(feasible, energy, np.nan))


#: Stands in for an absent link, which only device-only cuts (sending nothing) meet.
_NO_LINK = Link("none", uplink_bps=1.0, downlink_bps=1.0, latency_s=0.0)
