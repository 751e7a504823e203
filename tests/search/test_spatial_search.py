"""A joint search over the spatial template: its parameters are searchable like the systolic one's."""
from codesign.config.schema import parse_config
from codesign.search.experiment import Experiment
from codesign.search.loop import run_search
from codesign.storage.run_dir import RunDir
from tests.conftest import tiny_config


def test_search_over_spatial_hardware(tmp_path):
    config = parse_config(tiny_config(
        accelerator={"preset": "eyeriss",
                     "search": {"dataflow": ["rs", "ws", "os"], "rf_bytes": [128, 256, 520],
                                "glb_kib": {"low": 16, "high": 128, "log": True}}},
        constraints={"area": "<= 3 mm2"}, budget={"trials": 4}))
    run_dir = RunDir.create(tmp_path / "spatial", config)
    summary = run_search(Experiment.from_config(config), run_dir, quiet=True)
    records = run_dir.trials()
    assert summary.finished == len(records) == 4
    complete = [r for r in records if r.state == "COMPLETE"]
    assert complete, [r.result.get("error") for r in records]
    for r in complete:
        hw = r.part_data("hw")
        assert hw["template"] == "spatial" and hw["params"]["rows"] == 12
        assert hw["params"]["dataflow"] in ("rs", "ws", "os")
        assert r.metrics["latency_s"] > 0 and r.metrics["energy_j"] > 0
