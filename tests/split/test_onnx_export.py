"""Per-tier ONNX files: run in sequence in onnxruntime they reproduce the full model, and the bytes
each tier receives (measured on the arrays onnxruntime is fed) equal the workload graph's bytes at
the cut, at every transmitted bit width."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from codesign.errors import ConfigError
from codesign.split.onnx_export import export_tiers, run_tiers
from codesign.split.partition import split_graph
from codesign.workload.extract import extract_workload

FLOAT_BITS = 32  # onnxruntime carries the activations as float32


def _resnet() -> torch.nn.Module:
    import timm

    torch.manual_seed(0)
    return timm.create_model("resnet18", num_classes=10).eval()


def _mbconv() -> tuple[torch.nn.Module, tuple[int, ...]]:
    from codesign.spaces.base import create_space

    space = create_space("mbconv", {"resolution": 32, "num_classes": 10})
    arch = space.parse(space.to_key({d.name: d.choices[len(d.choices) // 2] for d in space.dimensions()}))
    return space.build(arch, seed=0).eval(), space.input_shape(arch)


def _nb201() -> tuple[torch.nn.Module, tuple[int, ...]]:
    """Cells whose node 0 feeds three ReLU-conv edges: the workload computes its ReLU once
    (codesign.workload.cse_fx), and the tiers must cut the same merged graph."""
    from codesign.spaces.base import create_space

    space = create_space("nb201", {"cells_per_stage": 1})
    arch = space.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|skip_connect~1|avg_pool_3x3~2|")
    return space.build(arch, seed=0).eval(), space.input_shape(arch)


@pytest.mark.parametrize("net", ["resnet18", "mbconv", "nb201"])
def test_tiers_reproduce_the_model_and_send_the_cost_models_bytes(net: str, tmp_path: Path) -> None:
    model, chw = {"resnet18": lambda: (_resnet(), (3, 32, 32)), "mbconv": _mbconv, "nb201": _nb201}[net]()
    workload = extract_workload(model, chw)
    n = len(workload.layers)
    x = torch.randn(1, *chw, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        reference = model(x).numpy()
    # device | MEC inside a residual block (a skip branch crosses it), MEC | cloud mid-network;
    # then full offload to the MEC
    # nb201 (0, 1): the MEC tier runs one layer and passes node 0 on unchanged to the cloud (an input
    # that is also an output, which torch.onnx renames: codesign.split.onnx_export.INPUTS_KEY)
    pairs = {"resnet18": ((3, n // 2), (-1, n - 1)), "mbconv": ((n // 3, n - 2),), "nb201": ((0, 1), (2, n // 2), (n // 3, n - 2))}[net]
    if net == "nb201":
        assert extract_workload(model, chw).meta["merged"] > 0
    if net == "resnet18":
        assert len(workload.cut_tensors(3)) == 2  # the block's input waits for its add
    for c1, c2 in pairs:
        cuts = {"device": c1, "mec": c2, "cloud": n - 1}
        parts = split_graph(model, (1, *chw), workload, cuts)
        folder = tmp_path / f"{net}_{c1}_{c2}"
        files = export_tiers(parts, x, folder)
        expected = [t for t, (lo, hi) in {"device": (-1, c1), "mec": (c1, c2), "cloud": (c2, n - 1)}.items() if hi > lo]
        assert sorted(p.name for p in folder.iterdir()) == sorted(f"{t}.onnx" for t in expected)
        outputs, received = run_tiers(list(files.values()), x.numpy())
        np.testing.assert_allclose(outputs[0], reference, atol=1e-5, rtol=1e-5)
        cut_of = {"mec": c1, "cloud": c2}
        for tier, nbytes in received.items():
            if tier == expected[0]:
                continue  # the first tier reads the network input, which is not sent
            for bits in (32, 16, 8):
                assert nbytes // (FLOAT_BITS // 8) * bits // 8 == workload.cut_bytes(cut_of[tier], bits), (tier, bits)


def test_a_cut_outside_the_network_names_the_tier() -> None:
    model = _resnet()
    workload = extract_workload(model, (3, 32, 32))
    n = len(workload.layers)
    with pytest.raises(ConfigError, match="split.device"):
        split_graph(model, (1, 3, 32, 32), workload, {"device": n, "mec": n - 1})
    with pytest.raises(ConfigError, match="split.mec"):
        split_graph(model, (1, 3, 32, 32), workload, {"device": 5, "mec": 2, "cloud": n - 1})
    with pytest.raises(ConfigError, match="end"):
        split_graph(model, (1, 3, 32, 32), workload, {"device": 5, "mec": 7})


@pytest.mark.parametrize("fuse", [True, False], ids=["merged", "unmerged"])
def test_every_cut_of_an_nb201_graph_sends_the_workloads_bytes(fuse: bool) -> None:
    """The tiers cut the graph the workload was read from, repeated ReLUs merged or, for a workload
    extracted unmerged, not: at every cut the values the second tier receives are the workload's
    cut tensors (device | cloud, 8 bits)."""
    model, chw = _nb201()
    workload = extract_workload(model, chw, fuse=fuse)
    n = len(workload.layers)
    for cut in range(n - 1):
        parts = split_graph(model, (1, *chw), workload, {"device": cut, "cloud": n - 1})
        assert parts[1].input_bytes(8) == workload.cut_bytes(cut, 8), cut
