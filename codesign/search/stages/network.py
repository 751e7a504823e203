"""``network``: build the architecture's torch model once (seeded weights) and trace it into its
``Workload``; the model is passed on so the proxy stage scores copies of it instead of building
the network again. Depends on the architecture only, so the pipeline caches it by arch key."""
from __future__ import annotations

from typing import Any

from codesign.options import PluginOptions
from codesign.search.metrics import PARAMS
from codesign.search.stages.base import STAGES, Stage, StageResult, Upstream


class NetworkOptions(PluginOptions):
    seed: int = 0
    #: Inference batch of the costed workload.
    batch: int = 1


@STAGES.register("network")
class NetworkStage(Stage):
    """Build the network (seeded) and extract its layers at the experiment's batch."""

    Options = NetworkOptions
    options: NetworkOptions
    produces = (PARAMS,)
    needs_parts = ("arch",)
    provides = ("model", "workload")
    #: Not kept in the cache (a model per cached architecture would hold gigabytes).
    transient = ("model",)
    cache_by = "arch"

    @classmethod
    def options_from(cls, config: Any, raw: Any, where: str) -> NetworkOptions:
        base = {"seed": config.seed, "batch": config.batch} if config is not None else {}
        return super().options_from(config, {**base, **(raw or {})}, where)  # type: ignore[return-value]

    def export(self, candidate: Any, out_dir: Any) -> tuple[list[str], str]:
        """``model.onnx``: the network at its input shape with this stage's seeded weights."""
        import torch

        space = self.subspaces["arch"].space
        arch = candidate.part("arch")
        model = space.build(arch, seed=self.options.seed).eval()
        example = torch.zeros(1, *space.input_shape(arch))
        try:
            torch.onnx.export(model, (example,), str(out_dir / "model.onnx"), dynamo=False, input_names=["input"],
                              output_names=["logits"], opset_version=17)
        except Exception as exc:  # noqa: BLE001 - the rest of the bundle is still useful
            return [], f"{type(exc).__name__}: {exc}"
        return ["model.onnx"], ""

    def run(self, candidate: Any, upstream: Upstream) -> StageResult:
        space = self.subspaces["arch"].space
        arch = candidate.part("arch")
        model = space.build(arch, seed=self.options.seed)
        params = sum(p.numel() for p in model.parameters())
        training = model.training
        workload = space.workload(arch, batch=self.options.batch, model=model)
        model.train(training)  # extraction puts it in eval mode; the proxies get it as built
        return StageResult(values={PARAMS.name: params}, artefacts={"model": model, "workload": workload})
