"""The mbconv space's workload without tracing (``search_spaces/_mbconv_workload.py``) equals the
traced one, every layer field and the tensor graph, on random architectures of the quickstart
space and of a space that searches everything (widths, squeeze-excite, activations, resolution)."""
from __future__ import annotations

import dataclasses

import optuna
import pytest
import torch.nn as nn

from codesign.spaces.base import create_space
from codesign.workload.extract import extract_workload

QUICKSTART = {"resolution": 96, "num_classes": 10}
EVERYTHING = {
    "num_classes": 7, "resolutions": [64, 80], "activation": "swish", "head_channels": 320,
    "stages": [
        {"channels": [16, 24], "stride": 2, "depths": [1, 2], "kernels": [3, 5], "expansions": [1, 3, 6],
         "se": [False, True], "activations": ["relu", "hswish", "swish"]},
        {"channels": [24, 40], "stride": 1, "depths": [1, 3], "kernels": [3, 7], "expansions": [1, 4],
         "se": [False, True], "activations": ["relu6", "swish"]},
        {"channels": [48], "stride": 2, "depths": [2], "kernels": [5], "expansions": [6], "se": [True]},
    ],
}


def _archs(options, n, seed):
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = create_space("mbconv", options)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
    return space, [space.sample(study.ask()) for _ in range(n)]


@pytest.mark.parametrize(("options", "n", "batch"), [(QUICKSTART, 16, 1), (EVERYTHING, 16, 2)])
def test_the_written_workload_is_the_traced_one(options, n, batch):
    space, archs = _archs(options, n, seed=7)
    for arch in archs:
        model = space.build(arch)
        written = space.workload(arch, batch=batch, model=model)
        traced = extract_workload(model, space.input_shape(arch), batch=batch, name=arch.ref)
        assert written.meta["extraction"] == "analytic" and traced.meta["extraction"] == "fx"
        assert (written.name, written.input_shape) == (traced.name, traced.input_shape)
        assert [dataclasses.asdict(layer) for layer in written.layers] == \
               [dataclasses.asdict(layer) for layer in traced.layers], arch.key
        assert written.graph == traced.graph, arch.key  # tensors (ids, shapes, flags), reads, writes


def test_a_model_the_walk_does_not_know_is_traced():
    space, (arch,) = _archs(QUICKSTART, 1, seed=3)
    model = space.build(arch)
    model.blocks[1][0].aa = nn.ReLU()  # a layer timm's blocks do not have where the walk expects none
    workload = space.workload(arch, model=model)
    assert workload.meta["extraction"] == "fx"
    assert "blocks.1.0.aa" in [layer.name for layer in workload.layers]  # the extra ReLU, traced
