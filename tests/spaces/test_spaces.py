"""Every registered search space: sample, round-trip keys, build, run, extract the workload."""
from pathlib import Path

import optuna
import pytest
import torch

from codesign.errors import ConfigError
from codesign.spaces import SPACES, create_space
from tests.conftest import TINY_SPACE

EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"

#: Options that keep each space small enough for a fast test (spaces not listed use defaults).
FAST_OPTIONS = {
    "mbconv": TINY_SPACE,
    "resnet": {"resolution": 32, "num_classes": 10,
               "stages": [{"depths": [1, 2], "widths": [8, 16]}, {"depths": [1], "widths": [16]},
                          {"depths": [1], "widths": [16]}, {"depths": [1], "widths": [24, 32]}]},
    "vit": {"resolution": 32, "num_classes": 10, "patch_sizes": [8, 16], "embed_dims": [24, 40], "depths": [1, 2],
            "heads": [2, 3, 4], "mlp_ratios": [1.0, 2.0]},
    "nni": {"model_space": f"{EXPERIMENTS / 'nni_user_space.py'}:TinyCNNSpace", "init_args": {"num_classes": 10},
            "num_classes": 10, "resolution": 32},
    "table": {"table": str(EXPERIMENTS.parent / "benchmarks" / "data" / "nb201_systolic.npz")},
}


@pytest.fixture(params=SPACES.names())
def space(request):
    return create_space(request.param, FAST_OPTIONS.get(request.param, {}))


def test_sample_build_forward_and_trace(space):
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(3):
        trial = study.ask()
        arch = space.sample(trial)
        assert space.parse(arch.key) == arch
        assert space.from_key(arch.key) == arch.genotype
        assert space.from_params(trial.params) == arch
        model = space.build(arch).eval()
        shape = space.input_shape(arch)
        with torch.no_grad():
            out = model(torch.zeros(2, *shape))
        assert out.shape == (2, space.options.num_classes)
        workload = space.workload(arch)
        assert workload.macs > 0 and workload.meta["extraction"] in ("fx", "analytic")  # mbconv: written
        study.tell(trial, 0.0)


def test_every_space_has_fast_options():
    """A new space must say how to keep this suite fast."""
    assert set(SPACES.names()) <= set(FAST_OPTIONS) | {"nb201"}


def test_sampling_respects_constraints_and_enumeration_agrees(space):
    """Many sampled architectures are valid (their key parses, their params name them), and where
    the space is small the enumeration lists each valid architecture once."""
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    seen = set()
    for _ in range(40):
        trial = study.ask()
        arch = space.sample(trial)
        assert space.parse(arch.key) == arch and space.from_params(trial.params) == arch
        seen.add(arch.key)
        study.tell(trial, 0.0)
    size = space.size()
    archs = space.enumerate()
    if size is not None and size <= 20_000:
        assert archs is not None
        keys = [a.key for a in archs]
        assert len(keys) == len(set(keys)) == size and seen <= set(keys)


def test_build_is_deterministic_per_seed(space):
    arch = space.sample(optuna.create_study().ask())
    a, b, c = space.build(arch, seed=1), space.build(arch, seed=1), space.build(arch, seed=2)
    pa, pb, pc = (torch.cat([p.flatten() for p in m.parameters()]) for m in (a, b, c))
    assert torch.equal(pa, pb) and not torch.equal(pa, pc)


def test_bad_key_is_a_config_error(space):
    with pytest.raises(ConfigError):
        space.parse("definitely not a key")


def test_bad_options_name_the_field():
    with pytest.raises(ConfigError) as info:
        create_space("mbconv", {"resolutoin": 64})
    assert str(info.value).startswith("space.options.resolutoin: unknown key")
    with pytest.raises(ConfigError, match="unknown search space 'nope'"):
        create_space("nope")


def test_cli_evaluate_accepts_the_key(space, cli):
    import json

    arch = space.sample(optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=2)).ask())
    options = [f"--space-option={k}={json.dumps(v)}" for k, v in FAST_OPTIONS.get(space.name, {}).items()]
    code, out, err = cli("evaluate", "--space", space.name, *options, "--arch", arch.key,
                         "--accelerator", "scalesim_32x32", "--proxy", "params", "--json", "--no-layers")
    assert code == 0, err
    result = json.loads(out)
    assert result["arch"] == arch.key and result["latency_s"] > 0


def test_exported_model_script_rebuilds_the_network(space, tmp_path):
    import runpy

    arch = space.sample(optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=3)).ask())
    files = space.export_files(arch)
    assert "model.py" in files
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    rebuilt = runpy.run_path(str(tmp_path / "model.py"))["build"]()
    ours = space.build(arch)
    assert [(n, tuple(p.shape)) for n, p in rebuilt.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in ours.named_parameters()]
