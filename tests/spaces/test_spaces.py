"""Every registered search space: sample, round-trip keys, build, run, extract the workload."""
from pathlib import Path

import optuna
import pytest
import torch

from codesign.errors import ConfigError
from codesign.spaces import SPACES, create_space
from tests.conftest import TINY_SPACE

#: Options that keep each space small enough for a fast test (spaces not listed use defaults).
FAST_OPTIONS = {"mbconv": TINY_SPACE,
                "table": {"table": str(Path(__file__).resolve().parents[2] / "benchmarks/data/nb201_systolic.npz")}}


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
        assert workload.macs > 0 and workload.meta["extraction"] == "fx"
        study.tell(trial, 0.0)


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
