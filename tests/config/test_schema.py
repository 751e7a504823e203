from pathlib import Path

import pytest

from codesign.config.schema import load_config, parse_config
from codesign.errors import ConfigError
from tests.conftest import tiny_config

ROOT = Path(__file__).resolve().parents[2]


def test_quickstart_is_valid_and_large_enough():
    config = load_config(ROOT / "experiments" / "quickstart.yaml")
    assert config.budget.trials >= 200
    assert config.executor.name in ("inline", "processes")  # runs on one machine, no cluster to start
    assert config.space.name == "mbconv" and config.accelerator.template == "systolic"


@pytest.mark.parametrize("path", sorted((ROOT / "experiments").glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_experiment_validates(path):
    from codesign.search.experiment import Experiment

    Experiment.build(load_config(path))


def test_defaults_fill_a_minimal_config():
    config = parse_config({"name": "x"})
    assert config.strategy.name == "nsga2" and config.budget.trials == 100
    assert config.objectives == {"proxy": "maximize", "latency": "minimize", "energy": "minimize"}


@pytest.mark.parametrize("change,message", [
    ({"colour": "red"}, "colour: unknown key"),
    ({"seed": "zero"}, "seed: Input should be a valid integer"),
    ({"strategy": {"name": "nsga3"}}, "strategy.name: unknown strategy 'nsga3' (known: grid, nested, nsga2, qmc, random, tpe)"),
    ({"strategy": {"name": "nsga2", "options": {"populaton_size": 4}}}, "strategy.options.populaton_size: unknown option"),
    ({"space": {"name": "mbconvx"}}, "space.name: unknown search space 'mbconvx'"),
    ({"space": {"name": "mbconv", "options": {"resolution": "big"}}}, "space.options.resolution:"),
    ({"accelerator": {"template": "systolik"}}, "accelerator.template: unknown accelerator template 'systolik'"),
    ({"accelerator": {"template": "systolic", "params": {"rows": "x"}}}, "accelerator.params.rows: must be an integer"),
    ({"accelerator": {"template": "systolic", "search": {"dataflow": ["rs"]}}}, "accelerator.search.dataflow: unknown value 'rs'"),
    ({"accelerator": {"preset": "tpu_v9"}}, "accelerator.preset: unknown preset 'tpu_v9'"),
    ({"accelerator": {"template": "systolic", "preset": "tpu_v1"}}, "accelerator: give either 'template' or 'preset'"),
    ({"accelerator": {"template": "systolic", "cost_model": "timeloop"}}, "accelerator.cost_model: unknown cost model"),
    ({"accelerator": {"template": "systolic", "goal": "speed"}}, "accelerator.goal: Input should be"),
    ({"objectives": {"accuracy": "maximize"}}, "objectives.accuracy: unknown metric 'accuracy'"),
    ({"objectives": {"latency": "lower"}}, "objectives.latency: direction must be minimize or maximize"),
    ({"objectives": {}}, "objectives: at least one objective is needed"),
    ({"constraints": {"area": "< 3 mm2"}}, "constraints.area: expected '<= VALUE UNIT'"),
    ({"constraints": {"latency": "<= 3 hours"}}, "constraints.latency: unknown unit 'hours'"),
    ({"proxy": {"name": "magic"}}, "proxy.name: unknown proxy 'magic'"),
    ({"proxy": {"name": "naswot", "batch_size": 1}}, "proxy.batch_size: Input should be greater than or equal to 2"),
    ({"budget": {"trials": 0}}, "budget.trials: Input should be greater than or equal to 1"),
    ({"budget": {"trials": None, "time": None}}, "budget: give trials, time or both"),
    ({"budget": {"time": "soon"}}, "budget.time: expected seconds or a duration"),
    ({"executor": {"name": "slurm"}}, "executor.name: unknown executor 'slurm'"),
    ({"executor": {"name": "ray", "workers": 0}}, "executor.workers: Input should be greater than or equal to 1"),
])
def test_invalid_configs_name_the_field(change, message):
    from codesign.search.experiment import Experiment

    with pytest.raises(ConfigError) as info:
        Experiment.build(parse_config(tiny_config(**change)))
    text = str(info.value)
    assert text.startswith(message), text
    assert "\n" not in text


def test_constraints_and_durations_are_parsed_to_si():
    from codesign.search.experiment import Experiment

    config = parse_config(tiny_config(constraints={"latency": "<= 5 ms", "power": ">= 2 mW", "area": 3},
                                      budget={"trials": 5, "time": "2m"}))
    assert config.budget.time == 120
    constraints = {c.metric.name: c for c in Experiment.from_config(config).constraints}
    assert constraints["latency"].bound_si == pytest.approx(0.005) and constraints["latency"].op == "<="
    assert constraints["power"].bound_si == pytest.approx(0.002) and constraints["power"].op == ">="
    assert constraints["area"].bound_si == 3
    assert constraints["latency"].violation(0.004) < 0 < constraints["latency"].violation(0.006)
    assert constraints["power"].violation(0.001) > 0


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(ConfigError, match="experiment file not found"):
        load_config(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)
    bad.write_text("- a list\n")
    with pytest.raises(ConfigError, match="must be a YAML mapping"):
        load_config(bad)


def test_parsing_a_config_imports_neither_torch_nor_optuna():
    """Loading an experiment file is cheap: the registry checks wait for ``Experiment.build``."""
    import subprocess
    import sys

    code = ("import sys; from codesign.config.schema import load_config; "
            f"load_config({str(ROOT / 'experiments' / 'quickstart.yaml')!r}); "
            "print(sorted(m for m in ('torch', 'optuna', 'ray') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_objectives_are_checked_against_the_stages_metrics():
    from codesign.search.experiment import Experiment

    with pytest.raises(ConfigError) as info:
        Experiment.build(parse_config(tiny_config(objectives={"accuracy": "maximize"})))
    text = str(info.value)
    assert text.startswith("objectives.accuracy: unknown metric 'accuracy' (available: ")
    for name in ("area", "edp", "energy", "latency", "macs", "params", "power", "proxy", "unmapped_fraction"):
        assert name in text
    # A table of scores declares no MACs: the same objective is refused there.
    with pytest.raises(ConfigError, match="objectives.macs: unknown metric 'macs'"):
        Experiment.build(parse_config(tiny_config(evaluator={"name": "table", "options": {"table": str(
            ROOT / "tests" / "data" / "nb201" / "missing.npz")}}, objectives={"macs": "minimize"})))


def test_unknown_top_level_and_sub_space_keys():
    from codesign.search.experiment import Experiment

    with pytest.raises(ConfigError, match=r"^colour: unknown key$"):
        parse_config(tiny_config(colour="red"))
    with pytest.raises(ConfigError, match=r"^subspaces.voltagee: unknown sub-space 'voltagee'"):
        Experiment.build(parse_config(tiny_config(subspaces={"voltagee": {}})))
    with pytest.raises(ConfigError, match=r"^subspaces.arch: is configured by the top-level 'space' section"):
        Experiment.build(parse_config(tiny_config(subspaces={"arch": {}})))
    with pytest.raises(ConfigError, match=r"^stages\[0\].name: unknown stage 'nope'"):
        Experiment.build(parse_config(tiny_config(stages=[{"name": "nope"}])))
