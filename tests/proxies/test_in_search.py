"""The default proxy inside a search: reference scored once, shared by workers, stored in exports."""
import json

import pytest

from codesign.config.schema import parse_config
from codesign.errors import ConfigError
from codesign.search.design import model_pipeline, model_pipeline_spec
from codesign.search.experiment import Experiment
from codesign.search.loop import run_search
from codesign.search.pipeline import Pipeline
from codesign.storage.run_dir import RunDir
from tests.conftest import TINY_SPACE, tiny_config

COMBO = {"name": "combo", "batch_size": 8, "options": {"reference_size": 4}}


def test_default_proxy_is_the_combination():
    assert parse_config({"name": "x"}).proxy.name == "combo"


def _proxy_options(spec):
    return next(s.options for s in spec.stages if s.name == "proxy").options


def test_prepared_spec_carries_the_reference():
    spec = model_pipeline_spec("mbconv", space_options=TINY_SPACE, proxy="combo", proxy_batch_size=8,
                               proxy_options={"reference_size": 4})
    prepared = Pipeline(spec).prepare()
    reference = _proxy_options(prepared)["reference"]
    assert set(reference) == {"synflow", "naswot", "jacob_cov"} and all(len(v) == 4 for v in reference.values())
    assert Pipeline(prepared).prepare() == prepared  # nothing left to compute
    again = Pipeline(spec).prepare()
    assert _proxy_options(again)["reference"] == reference  # seeded: the same sample and scores


def test_search_and_export_with_the_combination(tmp_path, cli):
    config = parse_config(tiny_config(proxy=COMBO, budget={"trials": 4}))
    run_dir = RunDir.create(tmp_path / "run", config)
    summary = run_search(Experiment.from_config(config), run_dir, quiet=True)
    assert summary.finished == 4
    complete = [r for r in run_dir.trials() if r.state == "COMPLETE"]
    assert complete and all(0 < r.metrics["proxy"] < 1 for r in complete)
    code, _, err = cli("export", str(run_dir.path), "--trial", str(complete[0].number), "--out", str(tmp_path / "b"),
                       "--no-onnx")
    assert code == 0, err
    manifest = json.loads((tmp_path / "b" / "bundle.json").read_text())
    proxy = next(s for s in manifest["pipeline"]["stages"] if s["name"] == "proxy")
    assert "reference" in proxy["options"]["options"]
    code, out, err = cli("evaluate", str(tmp_path / "b"), "--json", "--no-layers")
    assert code == 0, err
    assert json.loads(out)["proxy"] == complete[0].metrics["proxy"]


def test_real_data_in_the_experiment_file():
    config = parse_config(tiny_config(proxy={"name": "naswot", "data": "digits"}))
    stages = Experiment.build(config).pipeline_spec.stages
    assert next(s.options for s in stages if s.name == "proxy").data == "digits"
    with pytest.raises(ConfigError, match="proxy.data_path: the folder source needs data_path"):
        Experiment.build(parse_config(tiny_config(proxy={"name": "naswot", "data": "folder"})))
    with pytest.raises(ConfigError, match="proxy.data: Input should be"):
        Experiment.build(parse_config(tiny_config(proxy={"name": "naswot", "data": "cifar"})))


def test_evaluator_with_real_data_scores_differ_from_synthetic():
    arch_key = "res32|ds_r1_k3_s1_c8|ir_r2_k5_s2_e6_c16|ir_r1_k3_s2_e3_c24|ir_r1_k3_s2_e6_c32"
    scores = {}
    for data in ("synthetic", "digits"):
        stage = model_pipeline("mbconv", space_options=TINY_SPACE, proxy="naswot", proxy_batch_size=8,
                               proxy_data=data).stage("proxy")
        scores[data] = stage.score(stage.space.parse(arch_key)).value
    assert scores["synthetic"] != scores["digits"]
