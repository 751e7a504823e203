"""The worked plugin example (docs/plugins.md): an out-of-tree package adds the ``voltage``
sub-space and the ``voltage_scaling`` stage through the ``codesign.plugins`` entry point, and an
experiment uses its metric as an objective, the engine untouched.

The package is installed the way pip leaves it: its modules and a ``*.dist-info`` folder with
``entry_points.txt`` in a site directory, here a temporary one on ``PYTHONPATH``; the search runs
in a subprocess, as a user would run it."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.search.helpers import synthetic_config

HERE = Path(__file__).parent
ROOT = HERE.parents[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A site directory holding the installed-looking ``codesign-voltage`` distribution."""
    site = tmp_path_factory.mktemp("site")
    shutil.copytree(HERE / "codesign_voltage", site / "codesign_voltage")
    info = site / "codesign_voltage-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: codesign-voltage\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[codesign.plugins]\nvoltage = codesign_voltage\n")
    return site


def _cli(site: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}
    return subprocess.run([sys.executable, "-m", "codesign.cli.main", *args], capture_output=True, text=True,
                          env=env, cwd=site, timeout=600)


def _experiment(tmp_path: Path, **changes) -> Path:
    changes = {"subspaces": {"voltage": {"vdd": [0.6, 0.75, 0.9]}}, **changes}
    config = synthetic_config(budget={"trials": 8}, strategy={"name": "random"},
                              objectives={"proxy": "maximize", "energy_at_vdd": "minimize"},
                              constraints={"latency_at_vdd": "<= 50 ms"}, **changes)
    path = tmp_path / "voltage.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_plugin_sub_space_and_stage_in_a_search(site, tmp_path):
    run = tmp_path / "run"
    done = _cli(site, "run", str(_experiment(tmp_path)), "--out", str(run), "--quiet")
    assert done.returncode == 0, done.stderr
    front = json.loads(_cli(site, "front", str(run), "--json").stdout)
    assert front and all("energy_at_vdd_j" in row for row in front)
    for row in front:
        vdd, metrics = row["parts"]["voltage"]["vdd"], row["metrics"]
        assert vdd in (0.6, 0.75, 0.9)
        # V^2: the scaled energy over the nominal-voltage energy of the same design.
        assert metrics["energy_at_vdd_j"] / metrics["energy_j"] == pytest.approx((vdd / 0.9) ** 2)
        assert (metrics["latency_at_vdd_s"] > metrics["latency_s"]) == (vdd < 0.9)
    table = _cli(site, "front", str(run))
    assert table.returncode == 0 and "voltage" in table.stdout and " V" in table.stdout
    status = json.loads(_cli(site, "status", str(run), "--json").stdout)
    assert status["finished"] == 8
    bundle = tmp_path / "bundle"
    exported = _cli(site, "export", str(run), "--trial", str(front[0]["trial"]), "--out", str(bundle), "--no-onnx")
    assert exported.returncode == 0, exported.stderr
    assert json.loads((bundle / "voltage.json").read_text()) == front[0]["parts"]["voltage"]
    again = _cli(site, "evaluate", str(bundle), "--json", "--no-layers")
    assert again.returncode == 0, again.stderr  # 0: the re-scored metrics match metrics.json


def test_plugin_options_and_metrics_are_checked_when_the_config_is_built(site, tmp_path):
    bad = _cli(site, "run", str(_experiment(tmp_path, subspaces={"voltage": {"vdd": [0.2, 0.9]}})),
               "--out", str(tmp_path / "r1"), "--quiet")
    assert bad.returncode == 2 and bad.stderr.strip() == (
        "codesign: error: subspaces.voltage.vdd: every voltage must be above threshold_v (0.35 V), got 0.2")
    typo = _cli(site, "run", str(_experiment(tmp_path, subspaces={"voltage": {"vddd": [0.9]}})),
                "--out", str(tmp_path / "r2"), "--quiet")
    assert typo.returncode == 2 and "subspaces.voltage.vddd: unknown key" in typo.stderr
    assert not (tmp_path / "r1").exists() and not (tmp_path / "r2").exists()  # refused before any work
    without = synthetic_config(objectives={"energy_at_vdd": "minimize"})
    path = tmp_path / "without.yaml"
    path.write_text(yaml.safe_dump(without))
    missing = _cli(site, "run", str(path), "--out", str(tmp_path / "r3"), "--quiet")
    assert missing.returncode == 2 and "objectives.energy_at_vdd: unknown metric 'energy_at_vdd'" in missing.stderr
