"""``proxy``: the architecture's zero-cost accuracy proxy, configured by the ``proxy:`` section.

It scores copies of the model the ``network`` stage built (one build per architecture, shared
by workload extraction and every component of a combination), and depends on the architecture
only, so the pipeline caches it by arch key. A rank combination needs reference scores of a
seeded sample of the space: ``prepare`` computes them once (on the executor's workers in
parallel, where it has several) and hands them to the workers (and to export bundles) in the
stage's options, with each sampled architecture's component scores (``scored``): a trial of one
of them is answered from those, and a strategy whose first trials are uniform random draws
takes its first architectures from that sample (``seeds``), so their proxy work is done
once."""
from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any, Literal

from pydantic import Field

from codesign.errors import ConfigError
from codesign.options import PluginOptions
from codesign.search.metrics import PROXY
from codesign.search.stages.base import STAGES, Stage, StageMap, StageResult, Upstream


class ProxyStageOptions(PluginOptions):
    name: str = "combo"
    options: dict[str, Any] = Field(default_factory=dict)
    batch_size: int = Field(16, ge=2, le=1024)
    data: Literal["synthetic", "gaussian", "digits", "mnist", "folder"] = "synthetic"
    data_path: str | None = None
    seed: int = 0
    #: Component scores of the architectures scored while preparing (a rank combination's
    #: reference sample), by arch key; set by ``prepare``.
    scored: dict[str, dict[str, float]] = Field(default_factory=dict)


def shared_model_factory(model: Any) -> Callable[[], Any]:
    """Fresh copies of one built model: the same weights a seeded rebuild gives, without
    building the network again."""
    return lambda: copy.deepcopy(model)


@STAGES.register("proxy")
class ProxyStage(Stage):
    """Score the network with the configured accuracy proxy."""

    Options = ProxyStageOptions
    options: ProxyStageOptions
    produces = (PROXY,)
    needs_parts = ("arch",)
    needs = ("workload",)
    cache_by = "arch"
    optional = True

    @classmethod
    def options_from(cls, config: Any, raw: Any, where: str) -> ProxyStageOptions:
        from codesign.proxies.base import create_proxy

        base: dict[str, Any] = {}
        if config is not None:
            base = {**config.proxy.model_dump(), "seed": config.seed}
        options: ProxyStageOptions = super().options_from(config, {**base, **(raw or {})}, where)  # type: ignore[assignment]
        create_proxy(options.name, options.options)  # names and options checked now
        if options.data == "folder" and not options.data_path:
            raise ConfigError("proxy.data_path", "the folder source needs data_path (a folder of class sub-folders)")
        return options

    def __init__(self, options: ProxyStageOptions, subspaces: Any) -> None:
        super().__init__(options, subspaces)
        from codesign.proxies.base import create_proxy

        self.proxy = create_proxy(options.name, options.options)

    @property
    def space(self) -> Any:
        return self.subspaces["arch"].space

    def context(self, arch: Any, model: Any = None, workload: Any = None) -> Any:
        """What a proxy sees of ``arch``: copies of the (seeded) model (or the model itself, lent to
        proxies that change no weight), the batch, the workload."""
        from codesign.proxies.base import ProxyContext
        from codesign.proxies.data import proxy_batch

        o = self.options
        batch = proxy_batch(o.data, self.space.input_shape(arch), o.batch_size, self.space.options.num_classes,
                            o.seed, o.data_path)
        if model is None:
            model = self.space.build(arch, seed=o.seed)
        return ProxyContext(model_factory=shared_model_factory(model), batch=batch, built=model,
                            workload_factory=(lambda: workload) if workload is not None else (lambda: self.space.workload(arch)))

    def reference_sample(self) -> list[tuple[Any, dict[str, Any]]]:
        """The seeded reference sample of the space that a rank combination scores against:
        (architecture, the trial parameters that sample it) each."""
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=self.options.seed))
        sample = []
        for _ in range(self.proxy.reference_size):
            trial = study.ask()
            sample.append((self.space.sample(trial), dict(trial.params)))
            study.tell(trial, 0.0)
        return sample

    def reference_scores(self, arch: Any) -> dict[str, float | None]:
        """Every component's score of one reference architecture (``None`` where it failed)."""
        return self.proxy.component_scores(self.context(arch))

    def ensure_reference(self, run: StageMap | None = None) -> None:
        """Score the reference sample a rank combination needs (once); ``run`` scores the
        architectures on the executor's workers (``Stage.prepare``), else they are scored here.
        Either way each gets the same scores, gathered in the sample's order."""
        if not getattr(self.proxy, "needs_reference", False):
            return
        sample = self.reference_sample()
        archs = [arch for arch, _ in sample]
        rows = run("reference_scores", archs) if run is not None else [self.reference_scores(a) for a in archs]
        self.proxy.set_reference(rows)
        # Architectures every component scored: a trial of one is answered from its row.
        complete = [(i, arch, params, row) for i, ((arch, params), row) in enumerate(zip(sample, rows, strict=True))
                    if all(row.get(name) is not None for name in self.proxy.components)]
        self.options = self.options.model_copy(update={"scored": {arch.key: row for _, arch, _, row in complete}})
        # Seeds: parameters that give the same architecture again (a space drawing outside the
        # trial's suggestions would not), labelled by their place in the sample.
        self._seeds = [(params, f"reference sample #{i}") for i, arch, params, _ in complete
                       if self._redraws(params, arch)]

    def _redraws(self, params: dict[str, Any], arch: Any) -> bool:
        try:
            return self.space.from_params(params).key == arch.key
        except Exception:  # noqa: BLE001 - a space that cannot rebuild from parameters gives no seeds
            return False

    def prepare(self, run: StageMap | None = None) -> ProxyStageOptions | None:
        if not getattr(self.proxy, "needs_reference", False):
            return None
        self.ensure_reference(run)
        return self.options.model_copy(update={"options": {**self.options.options, "reference": self.proxy.reference}})

    def seeds(self) -> list[tuple[dict[str, Any], str]]:
        """(trial parameters, "reference sample #i") of the reference architectures ``prepare``
        scored completely, in the sample's order (none before it ran)."""
        return list(getattr(self, "_seeds", ()))

    def seed_params(self) -> list[dict[str, Any]]:
        """The trial parameters of ``seeds``."""
        return [params for params, _ in self.seeds()]

    def score(self, arch: Any, model: Any = None, workload: Any = None) -> Any:
        """The ``ProxyScore`` of ``arch`` (the reference sample is scored first when needed); an
        architecture the preparation scored is answered from its component scores."""
        from codesign.proxies.base import ProxyScore

        self.ensure_reference()
        row = self.options.scored.get(arch.key)
        components = getattr(self.proxy, "components", ())
        if row is not None and hasattr(self.proxy, "combine") and all(name in row for name in components):
            start = time.perf_counter()
            return ProxyScore(self.proxy.name, self.proxy.combine(row), time.perf_counter() - start)
        return self.proxy.score(self.context(arch, model, workload))

    def run(self, candidate: Any, upstream: Upstream) -> StageResult:
        score = self.score(candidate.part("arch"), upstream.artefacts.get("model"), upstream.artefact("workload"))
        extras: dict[str, Any] = {"proxy_name": score.name}
        error = ""
        if not score.ok:
            extras["proxy_error"] = score.error
            error = f"proxy {score.name} failed: {score.error}"
        return StageResult(values={PROXY.name: score.value}, extras=extras, error=error)
