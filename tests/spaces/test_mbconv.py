import pytest

from codesign.errors import ConfigError
from codesign.spaces import create_space
from tests.conftest import TINY_SPACE


def test_key_is_timm_block_strings(tiny_space):
    genotype = {"d1": 2, "k1": 5, "e1": 6, "d2": 1, "k2": 3, "e2": 3, "d3": 1, "k3": 3, "e3": 6}
    arch = tiny_space.spec(genotype)
    assert arch.key == "res32|ds_r1_k3_s1_c8|ir_r2_k5_s2_e6_c16|ir_r1_k3_s2_e3_c24|ir_r1_k3_s2_e6_c32"
    assert tiny_space.describe(arch) == "r32 d211 k533 e636"


@pytest.mark.parametrize("key,needle", [
    ("res32|ds_r1_k3_s1_c8|ir_r2_k9_s2_e6_c16|ir_r1_k3_s2_e3_c24|ir_r1_k3_s2_e6_c32", "kernel 9 is not in the space"),
    ("res32|ds_r1_k3_s1_c8|ir_r2_k5_s1_e6_c16|ir_r1_k3_s2_e3_c24|ir_r1_k3_s2_e6_c32", "stride/channels"),
    ("res64|ds_r1_k3_s1_c8|ir_r2_k5_s2_e6_c16|ir_r1_k3_s2_e3_c24|ir_r1_k3_s2_e6_c32", "resolution 64"),
    ("res32|ds_r1_k3_s1_c8|ir_r2_k5_s2_e6_c16", "is not an mbconv key"),
])
def test_keys_outside_the_space_are_rejected(tiny_space, key, needle):
    with pytest.raises(ConfigError, match=needle):
        tiny_space.parse(key)


def test_resolution_dimension():
    space = create_space("mbconv", {**TINY_SPACE, "resolutions": [32, 48]})
    assert "resolution" in [d.name for d in space.dimensions()]
    genotype = {"d1": 1, "k1": 3, "e1": 3, "d2": 1, "k2": 3, "e2": 3, "d3": 1, "k3": 3, "e3": 3, "resolution": 48}
    arch = space.spec(genotype)
    assert arch.key.startswith("res48|") and space.input_shape(arch) == (3, 48, 48)


def test_exported_script_rebuilds_with_timm_alone(tiny_space, tmp_path):
    import runpy

    import torch

    arch = tiny_space.spec({"d1": 2, "k1": 5, "e1": 6, "d2": 1, "k2": 3, "e2": 3, "d3": 1, "k3": 3, "e3": 6})
    path = tmp_path / "model.py"
    path.write_text(tiny_space.export_files(arch)["model.py"])
    rebuilt = runpy.run_path(str(path))["build"]()
    ours = tiny_space.build(arch)
    assert [tuple(p.shape) for p in rebuilt.parameters()] == [tuple(p.shape) for p in ours.parameters()]
    assert rebuilt(torch.zeros(1, 3, 32, 32)).shape == (1, 10)


def test_default_space_size():
    space = create_space("mbconv")
    size = 1
    for d in space.dimensions():
        size *= d.size
    assert size == 27 ** 5
