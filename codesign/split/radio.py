"""The device radio's power model: P = β + α_up·R_up while sending, β + α_down·R_down while
receiving, then a tail at P_tail for up to T_tail after the last transfer (Huang et al., "A Close
Examination of Performance and Power Characteristics of 4G LTE Networks", MobiSys 2012, Sec. 5).

Rates in bit/s, powers in W, times in s. The radio waits between its uplink and the result's
downlink in the connected (tail) state, which costs P_tail; promotion from idle to connected is not
modelled (the radio is assumed connected when a transfer starts).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from codesign.errors import ConfigError

#: mW per Mbit/s → W per bit/s.
MW_PER_MBPS = 1e-3 / 1e6


@dataclass(frozen=True)
class RadioPower:
    """Huang et al.'s throughput-linear power model of a device radio."""

    base_w: float
    alpha_up_w_per_bps: float
    alpha_down_w_per_bps: float
    tail_w: float = 0.0
    tail_s: float = 0.0

    def __post_init__(self) -> None:
        for name in ("base_w", "alpha_up_w_per_bps", "alpha_down_w_per_bps", "tail_w", "tail_s"):
            value = getattr(self, name)
            if not np.isfinite(value) or value < 0:
                raise ConfigError(f"radio.{name}", f"must be a finite number >= 0, got {value!r}")

    def send_power_w(self, rate_bps: float) -> float:
        """Power while sending at ``rate_bps``."""
        return self.base_w + self.alpha_up_w_per_bps * rate_bps

    def receive_power_w(self, rate_bps: float) -> float:
        """Power while receiving at ``rate_bps``."""
        return self.base_w + self.alpha_down_w_per_bps * rate_bps

    def active_energy_j(self, send_s: np.ndarray, up_bps: float, receive_s: np.ndarray,
                        down_bps: float) -> np.ndarray:
        """Energy while sending for ``send_s`` at ``up_bps`` and receiving for ``receive_s``."""
        return self.send_power_w(up_bps) * send_s + self.receive_power_w(down_bps) * receive_s

    def wait_energy_j(self, wait_s: np.ndarray) -> np.ndarray:
        """Energy of waiting connected between the uplink and the downlink (at most the tail time:
        the radio then drops to idle)."""
        return self.tail_w * np.minimum(wait_s, self.tail_s)

    def tail_energy_j(self, idle_s: np.ndarray | None) -> np.ndarray | float:
        """The tail after the last transfer, cut short by the next inference ``idle_s`` later;
        ``None`` = an isolated inference, which pays the whole tail."""
        if idle_s is None:
            return self.tail_w * self.tail_s
        return self.tail_w * np.minimum(self.tail_s, np.maximum(idle_s, 0.0))
