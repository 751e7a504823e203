"""ViT space: heads divide the embedding dimension, keys, and timm's own ViTs."""
import runpy

import optuna
import pytest
import timm
import torch

from codesign.errors import ConfigError
from codesign.spaces import create_space

SMALL = {"resolution": 32, "num_classes": 10, "patch_sizes": [8, 16], "embed_dims": [24, 40], "depths": [1, 2],
         "heads": [2, 3, 4], "mlp_ratios": [1.0, 2.0]}


@pytest.fixture(scope="module")
def space():
    return create_space("vit", SMALL)


def test_deit_tiny_is_in_the_default_space():
    space = create_space("vit")
    arch = space.parse("res224|p16_e192_d12_h3_m4")
    ours = [(n, tuple(p.shape)) for n, p in space.build(arch).named_parameters()]
    deit = [(n, tuple(p.shape)) for n, p in timm.create_model("deit_tiny_patch16_224", pretrained=False).named_parameters()]
    assert ours == deit
    assert space.build(arch).blocks[0].attn.num_heads == 3


def test_sampled_heads_always_divide_the_embed_dim(space):
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0, n_startup_trials=5))
    pairs = set()
    for _ in range(40):
        trial = study.ask()
        arch = space.sample(trial)
        g = arch.genotype
        assert g["embed_dim"] % g["num_heads"] == 0
        assert space.from_params(trial.params) == arch
        pairs.add((g["embed_dim"], g["num_heads"]))
        study.tell(trial, float(g["depth"]))
    # 24 takes 2, 3 or 4 heads under one parameter; 40 only 2 or 4, under its own
    assert pairs == {(24, 2), (24, 3), (24, 4), (40, 2), (40, 4)}
    assert {"arch.num_heads", "arch.num_heads_e40"} <= {k for t in study.trials for k in t.params}
    assert space.size() == 2 * 5 * 2 * 2


def test_key_round_trip(space):
    arch = space.parse("res32|p8_e40_d2_h4_m2")
    assert arch.genotype == {"patch_size": 8, "embed_dim": 40, "depth": 2, "num_heads": 4, "mlp_ratio": 2.0}
    assert space.to_key(arch.genotype) == arch.key
    workload = space.workload(arch)
    # 16 patches + class token, 4 heads: the attention matmuls carry the token count
    assert any(layer.op == "matmul" and layer.P == 17 for layer in workload.layers)


@pytest.mark.parametrize("key,needle", [
    ("res32|p8_e40_d2_h3_m2", "3 heads do not divide embed dim 40"),
    ("res32|p4_e40_d2_h4_m2", "patch size 4 is not in the space"),
    ("res32|p8_e40_d2_h4_m3", "MLP ratio 3 is not in the space"),
    ("res64|p8_e40_d2_h4_m2", "resolution 64 differs"),
    ("res32|p8_e40_d2", "is not a vit key"),
])
def test_bad_keys(space, key, needle):
    with pytest.raises(ConfigError, match=needle):
        space.parse(key)


def test_export_rebuilds_with_timm_alone(space, tmp_path):
    arch = space.parse("res32|p8_e24_d1_h3_m2")
    path = tmp_path / "model.py"
    path.write_text(space.export_files(arch)["model.py"])
    rebuilt = runpy.run_path(str(path))["build"]()
    assert str(rebuilt) == str(space.build(arch))
    assert rebuilt.eval()(torch.zeros(1, 3, 32, 32)).shape == (1, 10)


@pytest.mark.parametrize("options,needle", [
    ({"patch_sizes": [16, 24]}, "patch size 24 does not divide the resolution 224"),
    ({"embed_dims": [192, 191]}, "no head count in .* divides embed dim 191"),
    ({"heads": [3, 4, 7]}, "head count 7 divides none of the embed dims"),
])
def test_bad_options(options, needle):
    with pytest.raises(ConfigError, match=needle):
        create_space("vit", options)
