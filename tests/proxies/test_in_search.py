"""The default proxy inside a search: reference scored once, shared by workers, stored in exports."""
import json

import pytest

from codesign.config.schema import parse_config
from codesign.errors import ConfigError
from codesign.search.evaluator import Evaluator, EvaluatorSpec, prepared_spec
from codesign.search.experiment import Experiment
from codesign.search.loop import run_search
from codesign.storage.run_dir import RunDir
from tests.conftest import TINY_SPACE, tiny_config

COMBO = {"name": "combo", "batch_size": 8, "options": {"reference_size": 4}}


def test_default_proxy_is_the_combination():
    assert parse_config({"name": "x"}).proxy.name == "combo"


def test_prepared_spec_carries_the_reference():
    spec = EvaluatorSpec(space="mbconv", space_options=TINY_SPACE, proxy="combo", proxy_batch_size=8,
                         proxy_options={"reference_size": 4})
    prepared = prepared_spec(spec)
    reference = prepared.proxy_options["reference"]
    assert set(reference) == {"synflow", "naswot", "jacob_cov"} and all(len(v) == 4 for v in reference.values())
    assert prepared_spec(prepared) is prepared  # nothing left to compute
    again = prepared_spec(spec)
    assert again.proxy_options["reference"] == reference  # seeded: the same sample and scores


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
    assert "reference" in manifest["scoring"]["proxy_options"]
    code, out, err = cli("evaluate", str(tmp_path / "b"), "--json", "--no-layers")
    assert code == 0, err
    assert json.loads(out)["proxy"] == complete[0].metrics["proxy"]


def test_real_data_in_the_experiment_file():
    config = parse_config(tiny_config(proxy={"name": "naswot", "data": "digits"}))
    assert Experiment.from_config(config).evaluator_spec.proxy_data == "digits"
    with pytest.raises(ConfigError, match="proxy.data_path: the folder source needs data_path"):
        parse_config(tiny_config(proxy={"name": "naswot", "data": "folder"}))
    with pytest.raises(ConfigError, match="proxy.data: Input should be"):
        parse_config(tiny_config(proxy={"name": "naswot", "data": "cifar"}))


def test_evaluator_with_real_data_scores_differ_from_synthetic():
    arch_key = "res32|ds_r1_k3_s1_c8|ir_r2_k5_s2_e6_c16|ir_r1_k3_s2_e3_c24|ir_r1_k3_s2_e6_c32"
    scores = {}
    for data in ("synthetic", "digits"):
        ev = Evaluator(EvaluatorSpec(space="mbconv", space_options=TINY_SPACE, proxy="naswot", proxy_batch_size=8,
                                     proxy_data=data))
        scores[data] = ev.arch_result(ev.space.parse(arch_key))[0].proxy.value
    assert scores["synthetic"] != scores["digits"]
