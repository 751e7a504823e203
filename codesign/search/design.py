"""The ``model`` pipeline for scoring single designs outside a search (``codesign evaluate``,
``codesign proxy``, ``codesign.evaluate``, bundles written before pipelines were stored)."""
from __future__ import annotations

from typing import Any

from codesign.config.schema import AcceleratorSection, SpaceSection
from codesign.options import validate_options
from codesign.search.pipeline import Pipeline, PipelineSpec, PluginSpec
from codesign.search.stages.base import STAGES


def _stage(name: str, options: dict[str, Any], where: str) -> PluginSpec:
    return PluginSpec(name, validate_options(STAGES.get(name).Options, options, where))


def model_pipeline_spec(space: str, space_options: dict[str, Any] | None = None, template: str = "systolic",
                        proxy: str | None = None, proxy_options: dict[str, Any] | None = None,
                        proxy_batch_size: int = 16, proxy_data: str = "synthetic", proxy_data_path: str | None = None,
                        cost_model: str | None = None, goal: str = "edp", batch: int = 1, seed: int = 0,
                        cost: bool = True) -> PipelineSpec:
    """Network → (proxy) → (cost) over ``space`` and an accelerator of ``template``."""
    subspaces = (PluginSpec("arch", validate_options(SpaceSection, {"name": space, "options": space_options or {}}, "space")),
                 PluginSpec("hw", validate_options(AcceleratorSection, {"template": template}, "accelerator")))
    stages = [_stage("network", {"seed": seed, "batch": batch}, "network")]
    if proxy:
        from codesign.proxies.base import create_proxy

        create_proxy(proxy, proxy_options, name_field="--proxy")
        stages.append(_stage("proxy", {"name": proxy, "options": proxy_options or {}, "batch_size": proxy_batch_size,
                                       "data": proxy_data, "data_path": proxy_data_path, "seed": seed}, "proxy"))
    if cost:
        stages.append(_stage("cost", {"cost_model": cost_model, "goal": goal}, "accelerator"))
    return PipelineSpec(subspaces=subspaces, stages=tuple(stages))


def model_pipeline(space: str, **kwargs: Any) -> Pipeline:
    """The ``Pipeline`` of ``model_pipeline_spec``."""
    return Pipeline(model_pipeline_spec(space, **kwargs))
