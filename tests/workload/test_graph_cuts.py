"""Cut bytes of extracted workloads equal the live activations measured by running the model.

Independent measurement (``live_activations.py``): storages alive in an fx ``Interpreter`` run.
Imposed mapping between the two: the cut after workload layer ``c`` is the execution point right
after the fx node whose value layer ``c`` writes (the node its output tensor id names: for a fused
conv → bn → act, the activation's node); the cut before the first layer is the point after the
inputs. Bytes at 8 and 4 bits (4 checks per-tensor rounding on odd sizes too).
"""
from __future__ import annotations

import math
import random

import pytest
import timm
import torch
import torch.nn as nn

from codesign.workload.extract import extract_workload
from tests.workload.live_activations import LiveActivations

#: (timm model, creation kwargs, input shape): small inputs where the model allows, for speed.
TIMM_CASES = [
    ("resnet18", {}, (3, 64, 64)),
    ("mobilenetv2_100", {}, (3, 64, 64)),
    ("efficientnet_b0", {}, (3, 64, 64)),
    ("vit_tiny_patch16_224", {"img_size": 32}, (3, 32, 32)),
]


def _randomise(model: nn.Module) -> nn.Module:
    """Non-degenerate weights: timm zero-initialises the last BatchNorm of residual branches, which
    makes the branch a constant at initialisation (the measurement would rightly drop it)."""
    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for param in model.parameters():
            fan_in = math.prod(param.shape[1:]) if param.dim() > 1 else 1
            scale = fan_in ** -0.5 if param.dim() > 1 else 0.1
            param.copy_(torch.randn(param.shape, generator=gen) * scale + (1.0 if param.dim() == 1 else 0.0))
    return model


def assert_cuts_match(model: nn.Module, shape: tuple[int, ...], name: str, fuse: bool = True) -> None:
    model = _randomise(model)
    workload = extract_workload(model, shape, name=name, fuse=fuse)
    assert workload.meta["extraction"] == "fx"
    measured = LiveActivations(model, shape)
    for bits in (8, 4):
        got = workload.cut_bytes_all(bits)
        want = [measured.live_bytes_before_compute(bits)]
        want += [measured.live_bytes_after_node(workload.writes(c)[0], bits) for c in range(len(workload))]
        bad = [(c - 1, workload.layers[c - 1].name if c else "(inputs)", int(got[c]), w)
               for c, w in enumerate(want) if got[c] != w]
        assert not bad, f"{name} at {bits} bits: (cut, after layer, workload, measured): {bad[:5]}"


def _unfused_attention(model: nn.Module) -> nn.Module:
    """Explicit q @ k^T, softmax, @ v: the measurement sees each step as its own node (fused
    scaled_dot_product_attention is one node, its inner cuts invisible to it)."""
    for module in model.modules():
        if hasattr(module, "fused_attn"):
            module.fused_attn = False
    return model


@pytest.mark.parametrize("name,kwargs,shape", TIMM_CASES, ids=[c[0] for c in TIMM_CASES])
def test_timm_cut_bytes_equal_measured_live_activations(name, kwargs, shape):
    model = _unfused_attention(timm.create_model(name, pretrained=False, **kwargs))
    assert_cuts_match(model, shape, name)


def _constant_node(ops: list[str]) -> bool:
    """Whether some cell node receives only ``none`` edges or edges from such nodes: it is a constant
    the workload still computes (its layers count in NAS-Bench-201's FLOPs), so its tensors are real
    in the workload but carry nothing in the measurement."""
    from search_spaces.nb201 import EDGES

    constant = {0: False}
    for target in (1, 2, 3):
        incoming = [(int(e[0]), op) for e, op in zip(EDGES, ops, strict=True) if int(e[2]) == target]
        constant[target] = all(op == "none" or constant[src] for src, op in incoming)
    return any(constant.values())


def _nb201_cells() -> list[str]:
    from search_spaces.nb201 import OPS, arch_string

    cells = [arch_string(["nor_conv_3x3"] * 6), arch_string(["skip_connect", "none", "avg_pool_3x3",
                                                              "nor_conv_1x1", "none", "nor_conv_3x3"])]
    rng = random.Random(0)
    while len(cells) < 5:
        ops = [rng.choice(OPS) for _ in range(6)]
        if not _constant_node(ops):
            cells.append(arch_string(ops))
    return cells


@pytest.mark.parametrize("key", _nb201_cells())
def test_nb201_cut_bytes_equal_measured_live_activations(key):
    from codesign.spaces import create_space

    space = create_space("nb201", {"cells_per_stage": 1})
    arch = space.parse(key)
    # Unfused: the measurement runs PyTorch's graph, where each edge's ReLU writes its own tensor
    # (the workload computes a node's ReLU once: tests/workload/test_cse.py).
    assert_cuts_match(space.build(arch), space.input_shape(arch), key, fuse=False)
