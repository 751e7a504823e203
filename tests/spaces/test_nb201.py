"""NAS-Bench-201 space: the benchmark's index order, arch strings and network."""
import csv
import gzip
import json
import runpy

import pytest
import torch

from codesign.errors import ConfigError
from codesign.spaces import create_space
from tests.conftest import DATA

NB201 = DATA / "nb201"
KEY = "|skip_connect~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_1x1~0|nor_conv_1x1~1|none~2|"


@pytest.fixture(scope="module")
def space():
    return create_space("nb201")


def test_index_mapping_agrees_with_the_benchmark(space):
    with gzip.open(NB201 / "nb201_index_to_arch_str.json.gz", "rt") as handle:
        reference = json.load(handle)
    assert len(reference) == 15625
    ours = [arch.key for arch in space.enumerate()]
    assert ours == reference
    for index in (0, 1, 4811, 15624):
        assert space.index_of(reference[index]) == index
        assert space.arch_at(index).key == reference[index]


def test_key_round_trip_and_genotype(space):
    arch = space.parse(KEY)
    assert arch.genotype == {"edge_0_1": "skip_connect", "edge_0_2": "nor_conv_3x3", "edge_1_2": "nor_conv_3x3",
                             "edge_0_3": "nor_conv_1x1", "edge_1_3": "nor_conv_1x1", "edge_2_3": "none"}
    assert space.to_key(arch.genotype) == KEY
    assert space.describe(arch) == "#4811 s|c3 c3|c1 c1 n"
    assert space.nni_sample(arch)["cell/0_2"] == "conv_3x3"


@pytest.mark.parametrize("key,needle", [
    ("|skip_connect~0|+|nor_conv_3x3~0|nor_conv_3x3~1|", "has 2 nodes"),
    ("|skip_connect~0|+|nor_conv_3x3~0|+|nor_conv_1x1~0|nor_conv_1x1~1|none~2|", "node 2 of .* has 1 inputs, expected 2"),
    ("|skip_connect~0|+|nor_conv_3x3~1|nor_conv_3x3~0|+|nor_conv_1x1~0|nor_conv_1x1~1|none~2|", "should read <op>~0"),
    ("|sep_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_1x1~0|nor_conv_1x1~1|none~2|", "unknown operation"),
    ("skip_connect~0", "not a NAS-Bench-201 arch string"),
])
def test_bad_arch_strings_name_the_problem(space, key, needle):
    with pytest.raises(ConfigError, match=needle):
        space.parse(key)


def test_index_out_of_range(space):
    with pytest.raises(ConfigError, match="outside 0..15624"):
        space.arch_at(15625)


def test_network_is_the_benchmarks(space):
    """Parameter counts equal NAS-Bench-201's (as NASLib lists them) for CIFAR-10 and CIFAR-100,
    and the macro skeleton is 3 stages of 5 cells at 16/32/64 channels."""
    spaces = {"cifar10": space, "cifar100": create_space("nb201", {"num_classes": 100})}
    with open(NB201 / "naslib_params_sample.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 25
    for row in rows:
        sp = spaces[row["dataset"]]
        arch = sp.parse(row["arch_str"])
        assert sp.index_of(arch) == int(row["nb201_index"])
        params = sum(p.numel() for p in sp.build(arch).parameters())
        assert params == round(float(row["params_m"]) * 1e6), row["arch_str"]
    model = space.build(space.parse(KEY))
    cells = list(model.cells)
    assert len(cells) == 17 and type(cells[5]).__name__ == type(cells[11]).__name__ == "ResNetBasicblock"
    widths = [cells[i].out_features for i in (0, 6, 12)]
    assert widths == [16, 32, 64] and model.classifier.out_features == 10


def test_benchmark_flops_equal_naslibs(space):
    """Our workload's MACs plus NAS-Bench-201's counting conventions give NASLib's FLOPs."""
    spaces = {"cifar10": space, "cifar100": create_space("nb201", {"num_classes": 100})}
    with open(NB201 / "naslib_params_sample.csv") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        sp = spaces[row["dataset"]]
        flops = sp.benchmark_flops(sp.parse(row["arch_str"]))
        assert flops == pytest.approx(float(row["flops_m"]) * 1e6, abs=100), row["arch_str"]
    with pytest.raises(ConfigError, match="benchmark's network"):
        create_space("nb201", {"resolution": 64}).benchmark_flops(space.parse(KEY))


def test_benchmark_flops_refuse_a_merged_workload(space):
    """NAS-Bench-201 counts what PyTorch runs; the compiled workload merges a cell node's ReLUs."""
    arch = space.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|")
    merged = space.workload(arch)
    assert merged.meta["merged"] > 0
    with pytest.raises(ValueError, match="unfused workload"):
        space.benchmark_flops(arch, merged)


def test_workload_adds_cell_inputs_and_folds_none_edges(space):
    arch = space.parse(KEY)
    workload = space.workload(arch)
    sums = [layer for layer in workload.layers if layer.extra.get("kind") == "sum"]
    # nodes 2 and 3 of each of the 15 cells add 2 and 3 inputs; node 1 has one input
    assert sorted({layer.operands for layer in sums}) == [2, 3] and len(sums) == 30
    assert not [layer for layer in workload.layers if layer.extra.get("kind") == "mul"]
    all_none = space.parse("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|")
    conv_macs = sum(layer.macs for layer in space.workload(all_none).layers if layer.op == "conv")
    # stem (3->16 at 32x32) + two reduction blocks; the cells do no MACs
    stem = 16 * 3 * 9 * 32 * 32
    reductions = (32 * 16 * 9 * 16 * 16 + 32 * 32 * 9 * 16 * 16 + 32 * 16 * 16 * 16
                  + 64 * 32 * 9 * 8 * 8 + 64 * 64 * 9 * 8 * 8 + 64 * 32 * 8 * 8)
    assert conv_macs == stem + reductions


def test_exported_script_rebuilds_with_nni_alone(space, tmp_path):
    arch = space.parse(KEY)
    path = tmp_path / "model.py"
    path.write_text(space.export_files(arch)["model.py"])
    rebuilt = runpy.run_path(str(path))["build"]()
    ours = space.build(arch)
    assert [tuple(p.shape) for p in rebuilt.parameters()] == [tuple(p.shape) for p in ours.parameters()]
    assert rebuilt.eval()(torch.zeros(1, 3, 32, 32)).shape == (1, 10)


def test_options_are_checked():
    with pytest.raises(ConfigError, match="space.options.in_chans"):
        create_space("nb201", {"in_chans": 1})
