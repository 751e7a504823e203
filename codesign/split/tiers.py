"""The tiers a network can run on (device, MEC server, cloud) and the links between them.

The device is always present (its NPU is searched or fixed elsewhere); the MEC server and the cloud
are optional. Data from the device reaches the MEC site over the ``radio`` link and the cloud over
the radio and then the ``backhaul`` (the MEC site relays when there is no MEC tier). The result
travels back the same way. Validation names the field: a link without a tier to reach, or a tier
without the link that reaches it, is an error.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from codesign.errors import ConfigError
from codesign.hardware.config import AcceleratorConfig
from codesign.split.link import MS, Link, link_from_dict

#: Remote tiers, in the order data reaches them.
REMOTE_TIERS = ("mec", "cloud")
SPLIT_KEYS = ("mec", "cloud", "radio", "backhaul", "period_ms")


@dataclass(frozen=True)
class SplitSetup:
    """Server tiers, links and the inference period of a split deployment.

    ``period_s``: time between consecutive inferences (a video stream's frame time), which cuts the
    radio's tail short; ``None`` = an isolated inference that pays the whole tail.
    """

    mec: AcceleratorConfig | None = None
    cloud: AcceleratorConfig | None = None
    radio: Link | None = None
    backhaul: Link | None = None
    period_s: float | None = None

    @classmethod
    def checked(cls, where: str = "split", names: dict[str, str] | None = None, **parts: Any) -> SplitSetup:
        """A setup whose links and tiers fit together (errors name fields under ``where``)."""
        setup = cls(**parts)
        setup.check(where, names)
        return setup

    def check(self, where: str = "split", names: dict[str, str] | None = None) -> None:
        """Raise ``ConfigError`` naming the field when a link or a tier is missing or dangling.
        ``names``: how the fields are called where they were given (CLI options), by key."""
        name = {key: f"{where}.{key}" for key in SPLIT_KEYS} | (names or {})
        if self.radio is not None and self.mec is None and self.cloud is None:
            raise ConfigError(name["radio"], f"a link without a tier: give {name['mec']} or {name['cloud']}")
        if (self.mec is not None or self.cloud is not None) and self.radio is None:
            raise ConfigError(name["radio"], "required to reach the "
                                             + ("MEC" if self.mec is not None else "cloud") + " tier")
        if self.backhaul is not None and self.cloud is None:
            raise ConfigError(name["backhaul"], f"a link without a tier: give {name['cloud']}")
        if self.cloud is not None and self.backhaul is None:
            raise ConfigError(name["backhaul"], "required to reach the cloud tier")
        if self.period_s is not None and (not math.isfinite(self.period_s) or self.period_s <= 0):
            raise ConfigError(name["period_ms"], f"must be > 0, got {self.period_s / MS!r}")

    @property
    def remote(self) -> bool:
        """Whether any layer can leave the device."""
        return self.mec is not None or self.cloud is not None

    def tiers(self) -> dict[str, AcceleratorConfig]:
        """The present server tiers by name."""
        return {name: hw for name, hw in (("mec", self.mec), ("cloud", self.cloud)) if hw is not None}

    def to_dict(self) -> dict[str, Any]:
        """The YAML form (accelerators and links inline)."""
        out: dict[str, Any] = {name: hw.to_dict() for name, hw in self.tiers().items()}
        if self.radio is not None:
            out["radio"] = self.radio.to_dict()
        if self.backhaul is not None:
            out["backhaul"] = {k: v for k, v in self.backhaul.to_dict().items() if k != "power"}
        if self.period_s is not None:
            out["period_ms"] = self.period_s / MS
        return out


def split_setup_from_dict(data: Any, where: str = "split") -> SplitSetup:
    """Validate the tiers-and-links part of a ``split:`` section."""
    from codesign.hardware.presets import accelerator_from_dict, load_accelerator

    if not isinstance(data, dict):
        raise ConfigError(where, f"expected a mapping with some of {', '.join(SPLIT_KEYS)}")
    unknown = sorted(set(data) - set(SPLIT_KEYS))
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]}", f"unknown key (known: {', '.join(SPLIT_KEYS)})")
    tiers: dict[str, AcceleratorConfig] = {}
    for name in REMOTE_TIERS:
        spec = data.get(name)
        if spec is None:
            continue
        if isinstance(spec, str):
            try:
                tiers[name] = load_accelerator(spec)
            except ConfigError as exc:
                raise ConfigError(f"{where}.{name}", exc.message) from None
        else:
            tiers[name] = accelerator_from_dict(spec, f"{where}.{name}")
    radio = link_from_dict(data["radio"], f"{where}.radio") if data.get("radio") is not None else None
    backhaul = (link_from_dict(data["backhaul"], f"{where}.backhaul", wired=True)
                if data.get("backhaul") is not None else None)
    period = data.get("period_ms")
    if period is not None and (isinstance(period, bool) or not isinstance(period, (int, float))):
        raise ConfigError(f"{where}.period_ms", f"must be a number, got {period!r}")
    return SplitSetup.checked(where, radio=radio, backhaul=backhaul,
                              period_s=None if period is None else float(period) * MS, **tiers)
