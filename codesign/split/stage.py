"""``split``: the candidate's network cut across device, MEC server and cloud — end-to-end
latency, device energy (NPU + radio), bytes sent, latency per tier, the uplink rate a budget needs.

It reads the device's per-layer cost from the ``cost`` stage (no extra cost-model call for the
device) and prices every cut pair at once from prefix sums (``codesign.split.cuts``). The server
tiers and everything else that does not depend on the device NPU are computed once per
architecture and bit width and kept in a small LRU cache, so a trial pays a few array operations.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Literal

from codesign.options import PluginOptions
from codesign.search.metrics import Metric
from codesign.search.stages.base import STAGES, Stage, StageResult, Upstream
from codesign.split.subspace import CUT_EXTRA

_TIME = {"s": 1.0, "ms": 1e3, "us": 1e6}
_ENERGY = {"J": 1.0, "mJ": 1e3, "uJ": 1e6}
_BYTES = {"B": 1.0, "kB": 1e-3, "MB": 1e-6}

E2E_LATENCY = Metric("e2e_latency", "e2e_latency_s", "s", "minimize",
                     "end-to-end latency of the split design: device + links + MEC + cloud + result back", _TIME, "ms")
DEVICE_ENERGY = Metric("device_energy", "device_energy_j", "J", "minimize",
                       "device energy of one inference: its NPU's layers + the radio", _ENERGY, "mJ")
UPLINK_BYTES = Metric("uplink_bytes", "uplink_bytes", "B", "minimize", "bytes the device sends per inference",
                      _BYTES, "kB")
REQUIRED_UPLINK = Metric("required_uplink", "required_uplink_bps", "bit/s", "minimize",
                         "uplink rate the split needs to meet split.latency_budget_ms",
                         {"bit/s": 1.0, "Mbit/s": 1e-6}, "Mbit/s")
DEVICE_LATENCY = Metric("device_latency", "device_latency_s", "s", "minimize", "time on the device NPU", _TIME, "ms")
TRANSFER_LATENCY = Metric("transfer_latency", "transfer_latency_s", "s", "minimize",
                          "time on the links (latency + bytes / rate, both ways)", _TIME, "ms")
MEC_LATENCY = Metric("mec_latency", "mec_latency_s", "s", "minimize", "time on the MEC server", _TIME, "ms")
CLOUD_LATENCY = Metric("cloud_latency", "cloud_latency_s", "s", "minimize", "time in the cloud", _TIME, "ms")
RADIO_ENERGY = Metric("radio_energy", "radio_energy_j", "J", "minimize", "device radio energy of one inference",
                      _ENERGY, "mJ")
SPLIT_METRICS = (E2E_LATENCY, DEVICE_ENERGY, UPLINK_BYTES, REQUIRED_UPLINK, DEVICE_LATENCY, TRANSFER_LATENCY,
                 MEC_LATENCY, CLOUD_LATENCY, RADIO_ENERGY)
#: The stored key each split metric takes its value from (``design.metrics_of``).
_SOURCE = {m.name: m.key for m in SPLIT_METRICS}
_SIDE_CACHE = 256


class SplitStageOptions(PluginOptions):
    #: Cost model and mapping goal of the server tiers (the experiment's accelerator section's).
    cost_model: str | None = None
    mapping_goal: Literal["latency", "energy", "edp"] = "edp"
    #: Seed of the exported per-tier ONNX files' weights (the experiment's seed).
    seed: int = 0


@STAGES.register("split")
class SplitStage(Stage):
    """Price the candidate's split from the device cost and the workload graph's cut bytes."""

    Options = SplitStageOptions
    options: SplitStageOptions
    produces = SPLIT_METRICS
    needs_parts = ("arch", "hw", "split")
    needs = ("workload", "cost")

    def __init__(self, options: SplitStageOptions, subspaces: Any) -> None:
        super().__init__(options, subspaces)
        self._sides: OrderedDict[tuple[str, int], Any] = OrderedDict()

    @classmethod
    def options_from(cls, config: Any, raw: Any, where: str) -> SplitStageOptions:
        base = {}
        if config is not None:
            base = {"cost_model": config.accelerator.cost_model, "mapping_goal": config.accelerator.goal,
                    "seed": config.seed}
        return super().options_from(config, {**base, **(raw or {})}, where)  # type: ignore[return-value]

    def _side(self, arch_key: str, workload: Any, bits: int) -> Any:
        """(RemoteSide, server profiles) of one architecture at one bit width, cached."""
        from codesign.split.analysis import remote_costs, side_of

        key = (arch_key, bits)
        if key in self._sides:
            self._sides.move_to_end(key)
            return self._sides[key]
        setup = self.subspaces["split"].setup
        remote = remote_costs(workload, setup, self.options.cost_model, self.options.mapping_goal)
        value = side_of(workload, setup, bits, remote)
        self._sides[key] = value
        if len(self._sides) > _SIDE_CACHE:
            self._sides.popitem(last=False)
        return value

    def analyse(self, candidate: Any, workload: Any, cost: Any) -> tuple[Any, Any, Any]:
        """(costs of every pair, the part's choice, the tiers' profiles) of ``candidate``."""
        from codesign.split.cuts import split_costs
        from codesign.split.design import choose
        from codesign.split.profile import TierProfile

        sub = self.subspaces["split"]
        part = candidate.part("split")
        side, servers = self._side(self.subspaces["arch"].key(candidate.part("arch")), workload, part.bits)
        device = TierProfile.from_cost("device", cost)
        costs = split_costs(device, side)
        budget = sub.options.latency_budget_ms
        choice = choose(costs, part, workload, {"device": device, **servers}, goal=sub.options.goal,
                        candidates=sub.options.candidates, max_latency_s=None if budget is None else budget * 1e-3)
        return costs, choice, {"device": device, **servers}

    def run(self, candidate: Any, upstream: Upstream) -> StageResult:
        from codesign.split.design import metrics_of

        workload = upstream.artefact("workload")
        costs, choice, _ = self.analyse(candidate, workload, upstream.artefact("cost"))
        if choice.index is None:
            return StageResult(values={m.name: None for m in SPLIT_METRICS}, feasible=False,
                               reasons=list(choice.reasons))
        budget = self.subspaces["split"].options.latency_budget_ms
        found = metrics_of(costs, choice.index, None if budget is None else budget * 1e-3)
        values = {name: found.get(key) for name, key in _SOURCE.items()}
        layers = workload.layers

        def layer_name(cut: int) -> str:
            return "input" if cut < 0 else layers[cut].name

        extras = {CUT_EXTRA: {"cut": found["cut"], "cut_layer": layer_name(found["cut"]), "cut2": found["cut2"],
                            "cut2_layer": layer_name(found["cut2"]), "bits": candidate.part("split").bits,
                            "backhaul_bytes": found["backhaul_bytes"], "layers": len(layers)}}
        return StageResult(values=values, extras=extras, feasible=not choice.reasons, reasons=list(choice.reasons))

    def export(self, candidate: Any, out_dir: Any) -> tuple[list[str], str]:
        """``device.onnx`` / ``mec.onnx`` / ``cloud.onnx``: the network cut where this design cuts
        it, with the network stage's seeded weights; they run in sequence (``docs/split.md``)."""
        import torch

        from codesign.costmodel.base import cost_model_for
        from codesign.split.onnx_export import export_tiers
        from codesign.split.partition import split_graph

        space = self.subspaces["arch"].space
        arch, hardware = candidate.part("arch"), candidate.part("hw")
        model = space.build(arch, seed=self.options.seed).eval()
        shape = (1, *space.input_shape(arch))
        workload = space.workload(arch, model=model)
        cost = cost_model_for(hardware, self.options.cost_model, self.options.mapping_goal).evaluate(workload, hardware)
        costs, choice, _ = self.analyse(candidate, workload, cost)
        if choice.index is None:
            return [], "; ".join(choice.reasons)
        cut, cut2, last = int(costs.cut[choice.index]), int(costs.cut2[choice.index]), len(workload.layers) - 1
        setup = self.subspaces["split"].setup
        cuts = {"device": cut}
        if setup.mec is not None:
            cuts["mec"] = cut2 if setup.cloud is not None else last
        if setup.cloud is not None:
            cuts["cloud"] = last
        try:
            parts = split_graph(model, shape, workload, cuts)
            files = export_tiers(parts, torch.randn(*shape, generator=torch.Generator().manual_seed(0)), out_dir)
        except Exception as exc:  # noqa: BLE001 - the rest of the bundle is still useful
            return [], f"{type(exc).__name__}: {exc}"
        return [path.name for path in files.values()], ""
