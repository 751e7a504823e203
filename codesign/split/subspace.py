"""``split``: where a candidate's network is cut between the device, the MEC server and the cloud,
and at what bit width the activations travel; configured by the experiment's ``split:`` section
(absent: nothing is split, the experiment behaves as before).

    split:
      mec: nvdla_large            # server tiers: accelerator presets or {template|preset, params}
      cloud: tpu_v1               # optional
      radio: 5g_sub6              # device -> MEC site: a link preset or inline (docs/split.md)
      backhaul: fiber_backhaul    # MEC site -> cloud (with a cloud tier)
      period_ms: 33               # time between inferences (cuts the radio tail); omit: isolated
      mode: best                  # best | searched | device_only | full_offload
      goal: latency               # what best minimises: latency | energy | edp
      bits: [32, 16, 8]           # transmitted bit width, searched when several
      candidates: all             # cuts a searched position may land on: all | single
      latency_budget_ms: 50       # optional hard budget: best picks under it, a cut over it is infeasible

Searched cuts are positions in [0, 1] among the candidate cuts (``positions.py``), so a value keeps
its meaning when the sampled network changes depth.
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import field_validator

from codesign.dimension import Dimension
from codesign.errors import ConfigError
from codesign.options import PluginOptions, validate_options
from codesign.search.subspaces.base import SUBSPACES, SubSpace
from codesign.split.analysis import MAX_BITS
from codesign.split.design import SplitPart
from codesign.split.tiers import SPLIT_KEYS, split_setup_from_dict

#: Key of the stored metrics' details where the split stage says where it cut.
CUT_EXTRA = "split_cut"
#: Grid of a searched cut position (51 positions from full offload to device only).
POSITION_STEP = 0.02


def describe_cut(cut: dict[str, Any]) -> str:
    """``cut 41 (blocks.3.0.conv_pw) of 102 layers``, ``full offload``, ``device only``."""
    last = cut["layers"] - 1
    if cut["cut"] == last:
        return "device only"
    text = "full offload" if cut["cut"] < 0 else f"cut {cut['cut']} ({cut['cut_layer']})"
    if cut.get("cut2") is not None and cut["cut2"] != last:
        text += f", MEC|cloud {cut['cut2']} ({cut['cut2_layer']})"
    return f"{text} of {cut['layers']} layers"


def split_summary(result: dict[str, Any]) -> str:
    """One line for ``codesign evaluate``: where the design cuts and what the split costs."""
    cut = result[CUT_EXTRA]

    def num(key: str, scale: float) -> str:
        value = result.get(key)
        return "-" if value is None else f"{value * scale:.4g}"

    return (f"{describe_cut(cut)}, activations at {cut['bits']} bit: end-to-end {num('e2e_latency_s', 1e3)} ms, "
            f"device energy {num('device_energy_j', 1e3)} mJ (radio {num('radio_energy_j', 1e3)} mJ), "
            f"uplink {num('uplink_bytes', 1e-3)} kB")


class SplitOptions(PluginOptions):
    mec: str | dict[str, Any] | None = None
    cloud: str | dict[str, Any] | None = None
    radio: str | dict[str, Any] | None = None
    backhaul: str | dict[str, Any] | None = None
    period_ms: float | None = None
    mode: Literal["best", "searched", "device_only", "full_offload"] = "best"
    goal: Literal["latency", "energy", "edp"] = "latency"
    bits: int | list[int] = 8
    candidates: Literal["all", "single"] = "all"
    latency_budget_ms: float | None = None

    @field_validator("bits")
    @classmethod
    def _bits(cls, value: int | list[int]) -> int | list[int]:
        values = value if isinstance(value, list) else [value]
        if not values or any(isinstance(b, bool) or not 1 <= b <= MAX_BITS for b in values):
            raise ValueError(f"bit widths must be integers in 1..{MAX_BITS}")
        return value

    @field_validator("latency_budget_ms")
    @classmethod
    def _budget(cls, value: float | None) -> float | None:
        if value is not None and value <= 0:
            raise ValueError("must be > 0")
        return value

    @property
    def bit_choices(self) -> tuple[int, ...]:
        return tuple(self.bits) if isinstance(self.bits, list) else (self.bits,)

    def setup_fields(self) -> dict[str, Any]:
        """The tiers-and-links part, as ``split_setup_from_dict`` reads it."""
        return {key: getattr(self, key) for key in SPLIT_KEYS if getattr(self, key) is not None}


@SUBSPACES.register("split")
class SplitSubSpace(SubSpace):
    """Where to cut the network and at what bit width (or the exact best cut, ``mode: best``)."""

    Options = SplitOptions
    options: SplitOptions
    section = "split"
    stages = ("split",)
    title = "split"
    example = {"mec": "nvdla_large", "radio": "5g_sub6", "mode": "searched", "bits": [16, 8]}

    @classmethod
    def options_from(cls, raw: Any, where: str) -> SplitOptions:
        options = validate_options(cls.Options, raw, where)
        setup = split_setup_from_dict(options.setup_fields(), where)
        if not setup.remote and options.mode not in ("device_only",):
            raise ConfigError(f"{where}.mec", "a split needs a server tier: give split.mec or split.cloud "
                                              "(and split.radio)")
        return options

    def __init__(self, options: SplitOptions) -> None:
        super().__init__(options)
        self.setup = split_setup_from_dict(options.setup_fields(), "split")

    def dimensions(self) -> list[Dimension]:
        dims = []
        if len(self.options.bit_choices) > 1:
            dims.append(Dimension("bits", choices=self.options.bit_choices))
        if self.options.mode == "searched":
            dims.append(Dimension("cut", low=0.0, high=1.0, step=POSITION_STEP))
            if self.setup.mec is not None and self.setup.cloud is not None:
                dims.append(Dimension("cut2", low=0.0, high=1.0, step=POSITION_STEP))
        return dims

    def make(self, values: dict[str, Any]) -> SplitPart:
        return SplitPart(mode=self.options.mode, bits=int(values.get("bits", self.options.bit_choices[0])),
                         position=values.get("cut"), position2=values.get("cut2"))

    def to_dict(self, part: SplitPart) -> dict[str, Any]:
        return part.to_dict()

    def from_dict(self, data: dict[str, Any], where: str = "") -> SplitPart:
        if not isinstance(data, dict) or "mode" not in data or "bits" not in data:
            raise ConfigError(where or "split", f"expected a split part with 'mode' and 'bits', got {data!r}")
        return SplitPart.from_dict(data)

    def flat(self, part: SplitPart) -> dict[str, Any]:
        out: dict[str, Any] = {"bits": part.bits}
        if part.position is not None:
            out["cut"] = part.position
        if part.position2 is not None:
            out["cut2"] = part.position2
        return out

    def key(self, part: SplitPart) -> str:
        return part.key

    def describe(self, part: SplitPart) -> str:
        return part.key

    def describe_record(self, data: dict[str, Any], metrics: dict[str, Any]) -> str:
        """The part and where it cut: ``best@8b: cut 41 blocks.3.0.conv_pw / 101``."""
        text = self.describe_data(data)
        return f"{text}: {describe_cut(metrics.get(CUT_EXTRA))}" if isinstance(metrics.get(CUT_EXTRA), dict) else text

    def summary(self, part: SplitPart) -> dict[str, Any]:
        return {"split": {**part.to_dict(), "setup": self.setup.to_dict()}}

    def export_files(self, part: SplitPart) -> dict[str, str]:
        import json

        return {"split.json": json.dumps({**part.to_dict(), "setup": self.setup.to_dict()}, indent=2) + "\n"}

