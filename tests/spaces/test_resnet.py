"""ResNet space: keys, and the networks equal timm's own ResNets."""
import runpy

import pytest
import timm
import torch

from codesign.errors import ConfigError
from codesign.spaces import create_space

RESNET18 = "res224|basic|d2_w64|d2_w128|d2_w256|d2_w512"
RESNET50 = "res224|bottleneck|d3_w64|d4_w128|d6_w256|d3_w512"


@pytest.fixture(scope="module")
def space():
    return create_space("resnet")


def _shapes(model):
    return [(name, tuple(p.shape)) for name, p in model.named_parameters()]


@pytest.mark.parametrize("key,timm_name", [(RESNET18, "resnet18"), (RESNET50, "resnet50")])
def test_default_space_holds_the_classic_resnets(space, key, timm_name):
    arch = space.parse(key)
    assert _shapes(space.build(arch)) == _shapes(timm.create_model(timm_name, pretrained=False))


def test_key_round_trip_and_describe(space):
    arch = space.parse(RESNET50)
    assert arch.genotype == {"block": "bottleneck", "d1": 3, "w1": 64, "d2": 4, "w2": 128, "d3": 6, "w3": 256,
                             "d4": 3, "w4": 512}
    assert space.to_key(arch.genotype) == RESNET50
    assert space.describe(arch) == "bottleneck d3463 w64-128-256-512"


@pytest.mark.parametrize("key,needle", [
    ("res224|dense|d2_w64|d2_w128|d2_w256|d2_w512", "block 'dense' is not in the space"),
    ("res224|basic|d5_w64|d2_w128|d2_w256|d2_w512", "stage 1 depth 5 is not in the space"),
    ("res224|basic|d2_w64|d2_w100|d2_w256|d2_w512", "stage 2 width 100 is not in the space"),
    ("res224|basic|d2w64|d2_w128|d2_w256|d2_w512", "is not d<blocks>_w<width>"),
    ("res96|basic|d2_w64|d2_w128|d2_w256|d2_w512", "resolution 96 differs"),
    ("res224|basic|d2_w64", "is not a resnet key"),
])
def test_bad_keys(space, key, needle):
    with pytest.raises(ConfigError, match=needle):
        space.parse(key)


def test_export_rebuilds_with_timm_alone(space, tmp_path):
    small = create_space("resnet", {"resolution": 64, "num_classes": 5})
    arch = small.parse("res64|bottleneck|d1_w32|d2_w64|d1_w128|d1_w256")
    path = tmp_path / "model.py"
    path.write_text(small.export_files(arch)["model.py"])
    rebuilt = runpy.run_path(str(path))["build"]()
    assert _shapes(rebuilt) == _shapes(small.build(arch))
    assert rebuilt.eval()(torch.zeros(1, 3, 64, 64)).shape == (1, 5)


@pytest.mark.parametrize("options,needle", [
    ({"stages": [{"depths": [1], "widths": [8]}]}, "stages must list 4 stages"),
    ({"blocks": ["basic", "dense"]}, "blocks must list some of basic, bottleneck"),
    ({"resolution": 16}, "resolution must be at least 32"),
])
def test_bad_options(options, needle):
    with pytest.raises(ConfigError, match=needle):
        create_space("resnet", options)
