"""The ``table`` space and evaluator: precomputed scores replayed through the real search loop."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from codesign.config.schema import parse_config
from codesign.errors import ConfigError
from codesign.search.experiment import Experiment
from codesign.search.score_table import ScoreTable, load_table
from codesign.spaces import create_space
from tests.search.helpers import run_config

NB201_TABLE = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "nb201_systolic.npz"


@pytest.fixture
def table_path(tmp_path):
    """3 architectures (of the 4 genotypes of a x b) x 2 accelerators; one pair does not map."""
    meta = {"arch_dims": {"a": ["x", "y"], "b": [1, 2]}, "arch_metrics": ["acc", "params"],
            "pair_metrics": ["latency_s", "energy_j", "area_mm2", "unmapped_fraction"],
            "hw_params": ["rows"], "hw_fixed": {}, "hw_grid": [[4], [8]]}
    pair = np.array([[[2e-3, 2e-6, 0.1, 0.0], [1e-3, 3e-6, 0.3, 0.0]],
                     [[3e-3, 1e-6, 0.1, 0.0], [np.nan, np.nan, 0.3, 0.25]],
                     [[4e-3, 4e-6, 0.1, 0.0], [2e-3, 5e-6, 0.3, 0.0]]], dtype=np.float32)
    table = ScoreTable(meta=meta, arch_keys=np.array(["x1", "y1", "y2"]), arch_codes=np.array([[0, 0], [1, 0], [1, 1]]),
                       arch_values=np.array([[0.90, 1e6], [0.80, 2e6], [0.95, 3e6]]), pair_values=pair)
    path = tmp_path / "t.npz"
    table.save(path)
    return str(path)


def table_config(path, **overrides):
    config = {"name": "table", "space": {"name": "table", "options": {"table": path}},
              "accelerator": {"template": "systolic", "search": {"rows": [4, 8]}},
              "evaluator": {"name": "table", "options": {"table": path, "proxy": "acc"}},
              "objectives": {"proxy": "maximize", "latency": "minimize"},
              "strategy": {"name": "random"}, "budget": {"trials": 12}}
    config.update(overrides)
    return config


def test_a_search_over_a_table_reports_its_scores(tmp_path, table_path):
    run_dir, summary = run_config(tmp_path / "r", table_config(table_path))
    table = load_table(table_path)
    assert summary.finished == 12
    for r in run_dir.trials():
        a = list(table.arch_keys).index(r.part_data("arch")["key"])
        h = [4, 8].index(r.params["hw.rows"])
        assert r.metrics["proxy"] == pytest.approx(table.arch_values[a, 0])
        if (a, h) == (1, 1):
            assert r.infeasible and r.constraints["mappable"] == 0.25 and r.values[1] == float("inf")
        else:
            assert r.values[1] == pytest.approx(float(table.pair_values[a, h, 0]))


def test_a_genotype_outside_the_table_maps_to_the_nearest_listed_architecture(table_path):
    space = create_space("table", {"table": table_path})
    assert space.from_params({"arch.a": "x", "arch.b": 1}).key == "x1"
    assert space.from_params({"arch.a": "y", "arch.b": 2}).key == "y2"
    # (x, 2) is one step from x1 and from y2: the lower table index wins.
    assert space.from_params({"arch.a": "x", "arch.b": 2}).key == "x1"
    assert [a.key for a in space.enumerate()] == ["x1", "y1", "y2"]
    with pytest.raises(ConfigError, match="not listed in the table"):
        space.parse("x2")
    with pytest.raises(ConfigError, match="names no source space"):
        space.build(space.parse("x1"))


@pytest.mark.parametrize("change,needle", [
    ({"evaluator": {"name": "table", "options": {"table": "/nonexistent.npz"}}}, "evaluator.options.table: score table not found"),
    ({"evaluator": {"name": "table", "options": {}}}, "evaluator.options.table: required"),
    ({"evaluator": {"name": "table", "options": {"table": "T", "proxy": "nope"}}}, "evaluator.options.proxy: unknown column 'nope'"),
    ({"space": {"name": "table", "options": {}}}, "space.options.table: required"),
    ({"evaluator": {"name": "synthetic", "options": {"bogus": 1}}},
     "evaluator.options.bogus: unknown key (known: unmappable"),
    ({"evaluator": {"name": "model", "options": {"x": 1}}}, "for the model evaluator (it takes none)"),
    ({"evaluator": {"name": "nope"}}, "evaluator.name: unknown evaluator 'nope'"),
    ({"storage": "nonsense"}, "storage: not a database URL"),
])
def test_evaluator_and_storage_config_errors_name_the_field(table_path, change, needle):
    if change.get("evaluator", {}).get("options", {}).get("table") == "T":
        change["evaluator"]["options"]["table"] = table_path
    with pytest.raises(ConfigError) as err:
        Experiment.build(parse_config(table_config(table_path, **change)))
    assert needle in str(err.value)


def test_the_benchmark_table_is_complete():
    table = load_table(NB201_TABLE)
    assert table.pair_values.shape == (725, 192, 4) and table.arch_values.shape[0] == 725
    unmapped = table.pair_values[..., table.pair_metrics.index("unmapped_fraction")]
    latency = table.pair_values[..., table.pair_metrics.index("latency_s")]
    assert np.all(np.isfinite(latency) == (unmapped == 0))  # a latency exactly where the pair maps
    space = create_space("table", {"table": str(NB201_TABLE)})
    nb201 = create_space("nb201", {})
    assert all(nb201.parse(str(k)).key == str(k) for k in table.arch_keys[:20])
    assert len({a.key for a in space.enumerate()}) == 725


def test_the_benchmark_table_matches_the_cost_model_today():
    """A change to the cost model or the nb201 space makes the table stale: rebuild it with
    ``python benchmarks/nb201_table.py`` (and re-run the search-quality benchmark)."""
    from codesign.costmodel.base import cost_model_for
    from codesign.hardware.config import TEMPLATES
    from codesign.search.stages.cost import unmapped_fraction

    table = load_table(NB201_TABLE)
    nb201 = create_space("nb201", {})
    template = TEMPLATES.get("systolic")
    base = template.from_params({**template().to_params(), **table.meta["hw_fixed"]})
    model = cost_model_for(base, None, table.meta["goal"])
    for a in (0, 400):
        workload = nb201.workload(nb201.parse(str(table.arch_keys[a])))
        for h in (0, 101, 191):
            hw = base.replace(**dict(zip(table.hw_params, table.meta["hw_grid"][h], strict=True)))
            cost = model.evaluate(workload, hw)
            now = np.array([cost.latency_s, cost.energy_j, cost.area_mm2, unmapped_fraction(cost)], dtype=np.float32)
            assert np.allclose(now, table.pair_values[a, h], rtol=1e-6, equal_nan=True), (a, h)
