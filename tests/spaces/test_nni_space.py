"""The NNI adapter: a user's ModelSpace becomes a search space (worked example in experiments/)."""
import runpy
from pathlib import Path

import optuna
import pytest
import torch

from codesign.errors import ConfigError
from codesign.spaces import create_space

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = {"model_space": f"{ROOT / 'experiments' / 'nni_user_space.py'}:TinyCNNSpace",
           "init_args": {"num_classes": 10}, "num_classes": 10, "resolution": 32}
KEY = "width=24|depth=2|op0=conv3x3|op1=sep5x5|op2=sep3x3|features/0=false|features/1=true|hidden=64"


@pytest.fixture(scope="module")
def space():
    return create_space("nni", EXAMPLE)


def test_mutables_become_dimensions(space):
    dims = {d.name: d.choices for d in space.dimensions()}
    assert dims == {"width": (16, 24, 32), "depth": (1, 2, 3), "op0": ("conv3x3", "sep5x5", "sep3x3"),
                    "op1": ("conv3x3", "sep5x5", "sep3x3"), "op2": ("conv3x3", "sep5x5", "sep3x3"),
                    "features/0": (True, False), "features/1": (True, False), "hidden": (32, 64)}
    # width x depth <= 72 and exactly one of the two feature inputs
    assert space.size() == (2 * 3 + 1 * 2) * 27 * 2 * 2


def test_key_builds_the_chosen_network(space):
    arch = space.parse(KEY)
    assert space.to_key(arch.genotype) == KEY
    model = space.build(arch)
    assert len(model.blocks) == 2 and model.stem[0].out_channels == 24
    assert type(model.blocks[0].body[0]).__name__ == "Conv2d" and model.blocks[1].body[0].kernel_size == (5, 5)
    assert model.features.chosen == [1] and model.head[0].out_features == 64
    other = space.build(space.parse(KEY.replace("features/0=false|features/1=true", "features/0=true|features/1=false")))
    assert other.features.chosen == [0]


@pytest.mark.parametrize("key,needle", [
    (KEY.replace("width=24", "width=32").replace("depth=2", "depth=3"), "breaks the constraint.s. budget"),
    (KEY.replace("features/0=false", "features/0=true"), "breaks the constraint.s. features/n"),
    (KEY.replace("op0=conv3x3", "op0=conv7x7"), "op0=conv7x7 is not in the space"),
    ("width=24|depth=2", "is not a key of"),
])
def test_bad_keys(space, key, needle):
    with pytest.raises(ConfigError, match=needle):
        space.parse(key)


def test_sampling_repairs_broken_constraints(space):
    """Random draws break the constraints about half the time; the sampled architecture is the
    nearest valid one, and the trial's parameters name it."""
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    repaired = 0
    for _ in range(30):
        trial = study.ask()
        arch = space.sample(trial)
        raw = {k.removeprefix("arch."): v for k, v in trial.params.items()}
        if space.violated(raw):
            repaired += 1
            changed = [k for k in raw if raw[k] != arch.genotype[k]]
            assert 1 <= len(changed) <= 2
        assert not space.violated(arch.genotype) and space.from_params(trial.params) == arch
        study.tell(trial, 0.0)
    assert repaired > 5


def test_numerical_and_multi_choice_mutables():
    space = create_space("nni", {"model_space": "tests.spaces.nni_fixture_space:MixedSpace", "num_classes": 4,
                                 "resolution": 8})
    dims = {d.name: d for d in space.dimensions()}
    assert (dims["scale"].low, dims["scale"].high, dims["scale"].choices) == (0.5, 1.5, None)
    assert [n for n in dims if n.startswith("merge/")] == ["merge/0", "merge/1", "merge/2"]
    assert space.size() is None and space.enumerate() is None
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(5):
        trial = study.ask()
        arch = space.sample(trial)
        assert arch.genotype["kind"] == "x" and sum(arch.genotype[f"merge/{i}"] for i in range(3)) == 2
        assert space.parse(arch.key) == arch
        model = space.build(arch)
        assert model.stem.out_channels == int(arch.genotype["scale"] * 16)
        assert model(torch.zeros(1, 3, 8, 8)).shape == (1, 4)
        study.tell(trial, 0.0)
    with pytest.raises(ConfigError, match=r"scale=2.0 is outside \[0.5, 1.5\]"):
        space.parse(arch.key.replace(f"scale={arch.genotype['scale']!r}", "scale=2.0"))


@pytest.mark.parametrize("options,needle", [
    ({}, "space.options.model_space: required"),
    ({"model_space": "experiments/missing.py:X"}, "file experiments/missing.py not found"),
    ({"model_space": "tests.spaces.no_such_module:X"}, "cannot import tests.spaces.no_such_module"),
    ({"model_space": "tests.spaces.nni_fixture_space:Nope"}, "has no 'Nope'"),
    ({"model_space": "tests.spaces.nni_fixture_space:NotASpace"}, "is not a subclass of nni.nas.nn.pytorch.ModelSpace"),
    ({"model_space": "tests.spaces.nni_fixture_space"}, "should read package.module:Class"),
    ({"model_space": "tests.spaces.nni_fixture_space:NormalSpace"}, "mutable 'scale': only uniform or log-uniform"),
    ({"model_space": "tests.spaces.nni_fixture_space:MixedSpace", "init_args": {"colour": 1}},
     "space.options.init_args: .*colour"),
    ({"model_space": "tests.spaces.nni_fixture_space:BrokenSpace"}, "constructing .* failed: RuntimeError: no GPU here"),
])
def test_bad_options_are_one_line_errors(options, needle):
    with pytest.raises(ConfigError, match=needle):
        create_space("nni", options)


def test_export_bundle_rebuilds_with_nni_and_the_copied_module(space, tmp_path):
    arch = space.parse(KEY)
    files = space.export_files(arch)
    assert set(files) == {"model.py", "nni_user_space.py"}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    rebuilt = runpy.run_path(str(tmp_path / "model.py"))["build"]()
    assert str(rebuilt) == str(space.build(arch))
    assert rebuilt.eval()(torch.zeros(1, 3, 32, 32)).shape == (1, 10)


def test_worked_example_experiment_runs(tmp_path, monkeypatch):
    from codesign.api import run
    from codesign.yamlio import read_yaml

    monkeypatch.chdir(ROOT)  # the example's model_space path is relative to the repository root
    config = read_yaml(ROOT / "experiments" / "nni_user_space.yaml", "experiment")
    config["budget"] = {"trials": 6}
    config["strategy"] = {"name": "nsga2", "options": {"population_size": 4}}
    summary = run(config, out=tmp_path / "run")
    assert summary.finished == 6 and summary.failed == 0


def test_cli_lists_a_user_space(cli):
    code, out, _ = cli("spaces", "nni", f"--space-option=model_space={EXAMPLE['model_space']}")
    assert code == 0 and "864 architectures" in out and "features/0" in out
    code, out, _ = cli("spaces")
    assert code == 0 and "needs options (space.options.model_space: required)" in out
    code, _, err = cli("spaces", "nni")
    assert code == 2 and "space.options.model_space: required" in err
