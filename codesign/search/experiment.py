"""An experiment config resolved into the objects a search uses (validate → normalise → build)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from codesign.config.schema import ExperimentConfig
from codesign.costmodel.base import COST_MODELS
from codesign.errors import ConfigError
from codesign.hardware.config import TEMPLATES
from codesign.hardware.presets import presets
from codesign.hardware.space import HW_PREFIX, HardwareSpace
from codesign.proxies.base import PROXIES
from codesign.search.evaluator import EvaluatorSpec
from codesign.search.metrics import Constraint, Objective, parse_constraint, parse_objectives
from codesign.search.strategies import JointSpace, Strategy, make_strategy
from codesign.spaces.base import ARCH_PREFIX, SearchSpace, create_space


def _hardware_space(section: Any) -> HardwareSpace:
    if section.preset and section.template:
        raise ConfigError("accelerator", "give either 'template' or 'preset', not both")
    if section.preset:
        if section.preset not in presets():
            raise ConfigError("accelerator.preset", f"unknown preset {section.preset!r} (known: {', '.join(presets())})")
        base = presets()[section.preset].config()
        search = section.search or {}
    else:
        cls = TEMPLATES.get(section.template or "systolic", field="accelerator.template")
        base = cls()
        search = cls.default_search if section.search is None else section.search
    base = type(base).from_params({**base.to_params(), **section.params}, where="accelerator.params")
    base.check_runnable("accelerator.params")
    space = HardwareSpace.build(base, search, where="accelerator.search")
    if section.cost_model is not None:
        model = COST_MODELS.get(section.cost_model, field="accelerator.cost_model")
        if base.template not in model.templates:
            raise ConfigError("accelerator.cost_model", f"{section.cost_model!r} does not model template "
                                                        f"{base.template!r} (it models: {', '.join(model.templates)})")
    return space


@dataclass
class Experiment:
    """The resolved experiment."""

    config: ExperimentConfig
    space: SearchSpace
    hardware: HardwareSpace
    objectives: list[Objective]
    constraints: list[Constraint]
    evaluator_spec: EvaluatorSpec

    @classmethod
    def from_config(cls, config: ExperimentConfig) -> Experiment:
        space = create_space(config.space.name, config.space.options)
        hardware = _hardware_space(config.accelerator)
        objectives = parse_objectives(config.objectives)
        constraints = [parse_constraint(name, raw, f"constraints.{name}") for name, raw in config.constraints.items()]
        uses_proxy = any(o.metric.name == "proxy" for o in objectives) or any(
            c.metric.name == "proxy" for c in constraints)
        PROXIES.get(config.proxy.name, field="proxy.name")  # a typo is an error even where unused
        if uses_proxy and config.evaluator.name == "model":
            proxy_cls = PROXIES.get(config.proxy.name, field="proxy.name")
            try:
                proxy_cls(**config.proxy.options)
            except TypeError as exc:
                raise ConfigError("proxy.options", str(exc)) from None
            if config.proxy.data == "folder" and not config.proxy.data_path:
                raise ConfigError("proxy.data_path", "the folder source needs data_path (a folder of class sub-folders)")
        from codesign.search.executors import EXECUTORS

        EXECUTORS.get(config.executor.name, field="executor.name")
        spec = EvaluatorSpec(
            space=config.space.name, space_options=dict(config.space.options),
            proxy=config.proxy.name if uses_proxy else None, proxy_options=dict(config.proxy.options),
            proxy_batch_size=config.proxy.batch_size, proxy_data=config.proxy.data,
            proxy_data_path=config.proxy.data_path, cost_model=config.accelerator.cost_model,
            goal=config.accelerator.goal, batch=config.batch, seed=config.seed,
            evaluator=config.evaluator.name, evaluator_options=dict(config.evaluator.options),
        )
        from codesign.search.evaluator import EVALUATORS

        EVALUATORS.get(config.evaluator.name, field="evaluator.name").check_options(dict(config.evaluator.options))
        if config.storage is not None:
            from codesign.storage.run_dir import check_storage_url

            check_storage_url(config.storage)
        experiment = cls(config, space, hardware, objectives, constraints, spec)
        experiment.strategy().sampler(experiment.joint_space)  # validates strategy name and options
        return experiment

    @property
    def joint_space(self) -> JointSpace:
        """The trial parameters: the space's dimensions and the searched accelerator ones."""
        return JointSpace(arch=tuple((ARCH_PREFIX + d.name, d) for d in self.space.dimensions()),
                          hardware=tuple((HW_PREFIX + d.name, d) for d in self.hardware.dimensions))

    @property
    def directions(self) -> list[str]:
        return [o.direction for o in self.objectives]

    def strategy(self) -> Strategy:
        return make_strategy(self.config.strategy.name, self.config.seed, dict(self.config.strategy.options))
