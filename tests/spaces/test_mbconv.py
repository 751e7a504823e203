import pytest
import torch

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
    # per stage: 3 depths x 3 kernels x 4 expansions x 3 widths x SE on/off x 2 activations
    assert size == (3 * 3 * 4 * 3 * 2 * 2) ** 5
    assert [d.name for d in space.dimensions()][:6] == ["d1", "k1", "e1", "w1", "se1", "a1"]


#: A two-stage space that searches every per-stage dimension.
FULL = {
    "resolution": 32, "num_classes": 10, "stem_channels": 8, "first_block": "ds_r1_k3_s1_c8", "head_channels": 64,
    "stages": [
        {"channels": [12, 20], "stride": 2, "depths": [1, 2], "kernels": [3, 7], "expansions": [1, 6],
         "se": [False, True], "activations": ["relu", "hswish"]},
        {"channels": 24, "stride": 2, "depths": [1], "kernels": [5], "expansions": [4]},
    ],
}


@pytest.fixture
def full_space():
    return create_space("mbconv", FULL)


def test_canonical_block_strings(full_space):
    g = {"d1": 2, "k1": 7, "e1": 1, "w1": 20, "se1": True, "a1": "hswish", "d2": 1, "k2": 5, "e2": 4}
    arch = full_space.spec(g)
    # expansion 1 is a ds block; SE and a non-default activation are suffixes; stage 2 is fixed
    assert arch.key == "res32|ds_r1_k3_s1_c8|ds_r2_k7_s2_c20_se0.25_nhs|ir_r1_k5_s2_e4_c24"
    assert arch.genotype == g
    assert full_space.describe(arch) == "r32 d21 k75 e14 w20-24 se10 ahr"
    plain = full_space.spec({**g, "e1": 6, "se1": False, "a1": "relu"})
    assert plain.key == "res32|ds_r1_k3_s1_c8|ir_r2_k7_s2_e6_c20|ir_r1_k5_s2_e4_c24"


@pytest.mark.parametrize("block,needle", [
    ("ir_r2_k7_s2_e1_c20", "expansion 1 is written as a ds block"),
    ("ir_r2_k7_s2_e6_c16", "width 16 is not in the space"),
    ("ir_r2_k7_s2_e6_c20_nre", "activation code _nre is not one of _nr6, _nhs, _nsw"),
    ("ir_r2_k7_s2_e6_c20_nsw", "activation swish is not in the space"),
    ("ir_r2_k7_s2_e6_c20_se0.5", "squeeze-excite ratio must be 0.25"),
    ("ir_r2_k7_s2_c20", "is not an ir_r<d>"),
    ("ds_r2_k7_s2_e6_c20", "is not an ir_r<d>"),
])
def test_non_canonical_blocks_are_rejected(full_space, block, needle):
    with pytest.raises(ConfigError, match=needle):
        full_space.parse(f"res32|ds_r1_k3_s1_c8|{block}|ir_r1_k5_s2_e4_c24")


def test_unsearched_se_and_activation_reject_suffixes(tiny_space):
    with pytest.raises(ConfigError, match="squeeze-excite True is not in the space"):
        tiny_space.parse("res32|ds_r1_k3_s1_c8|ir_r2_k5_s2_e6_c16_se0.25|ir_r1_k3_s2_e3_c24|ir_r1_k3_s2_e6_c32")


def test_widths_are_exact_and_model_matches_the_key(full_space):
    arch = full_space.parse("res32|ds_r1_k3_s1_c8|ds_r2_k7_s2_c20_se0.25_nhs|ir_r1_k5_s2_e4_c24")
    model = full_space.build(arch)
    blocks = list(model.blocks)
    assert [type(b[0]).__name__ for b in blocks] == ["DepthwiseSeparableConv"] * 2 + ["InvertedResidual"]
    stage1 = blocks[1]
    assert len(stage1) == 2 and stage1[0].conv_pw.out_channels == 20  # not rounded to 24
    assert stage1[0].conv_dw.kernel_size == (7, 7) and stage1[0].conv_dw.stride == (2, 2)
    assert type(stage1[0].se).__name__ == "SqueezeExcite" and isinstance(stage1[0].bn1.act, torch.nn.Hardswish)
    assert isinstance(blocks[2][0].bn1.act, torch.nn.ReLU) and isinstance(blocks[2][0].se, torch.nn.Identity)


def test_full_space_export_rebuilds_with_timm_alone(full_space, tmp_path):
    import runpy

    arch = full_space.parse("res32|ds_r1_k3_s1_c8|ds_r2_k7_s2_c20_se0.25_nhs|ir_r1_k5_s2_e4_c24")
    path = tmp_path / "model.py"
    path.write_text(full_space.export_files(arch)["model.py"])
    rebuilt = runpy.run_path(str(path))["build"]()
    ours = full_space.build(arch, seed=3)
    assert str(rebuilt) == str(ours)
    assert rebuilt.eval()(torch.zeros(1, 3, 32, 32)).shape == (1, 10)


def test_enumerate_small_space(full_space):
    archs = list(full_space.enumerate())
    assert len(archs) == 2 * 2 * 2 * 2 * 2 * 2 and len({a.key for a in archs}) == len(archs)
    assert create_space("mbconv").enumerate() is None


@pytest.mark.parametrize("options,needle", [
    ({"stages": [{"channels": 16, "stride": 2, "kernels": [4]}]}, "kernels must be odd"),
    ({"stages": [{"channels": [], "stride": 2}]}, "channels must be a positive integer"),
    ({"stages": [{"channels": 16, "stride": 2, "activations": ["gelu"]}]}, "activation 'gelu' is not one of"),
    ({"stages": [{"channels": 16, "stride": 3}]}, "space.options.stages.0.stride"),
])
def test_bad_stage_options(options, needle):
    with pytest.raises(ConfigError, match=needle):
        create_space("mbconv", options)
