"""NAS-Bench-201 cell space (Dong & Yang, ICLR 2020), built through NNI's hub model space
``nni.nas.hub.pytorch.NasBench201``.

The searched cell is a DAG of 4 nodes; each of its 6 edges ``i → j`` (i < j) carries one of 5
operations, so the space holds 5**6 = 15,625 architectures. The network is the benchmark's: a
3x3 conv stem, three stages of 5 cells at 16/32/64 channels joined by residual reduction blocks,
global pooling and a linear classifier (10 classes by default, for CIFAR-10).

The key is the benchmark's standard arch string, node by node, each input as ``op~source``::

    |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|

``index_of`` / ``arch_at`` map keys to the benchmark's indices (0..15624), the order of its
result tables, from ``data/nb201_index.txt.gz`` (one line per index: the 6 operation numbers in
``OPS`` order along ``EDGES``); ``enumerate()`` walks the space in that order.
"""
from __future__ import annotations

import gzip
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import torch.nn as nn
from pydantic import Field, field_validator

from codesign.dimension import Dimension
from codesign.errors import ConfigError
from codesign.spaces.arch import ArchSpec
from codesign.spaces.base import SPACES, SearchSpace, SpaceOptions
from codesign.workload import Workload
from codesign.workload.extract import extract_workload
from search_spaces._nni import build_frozen, nni_nas

#: The benchmark's operations in its own order (NAS-Bench-201 paper, Sec. 2.1; NASLib's op indices).
OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
#: NNI's names for them (``nni.nas.hub.pytorch.nasbench201.PRIMITIVES``).
NNI_OPS = {"none": "none", "skip_connect": "skip_connect", "nor_conv_1x1": "conv_1x1",
           "nor_conv_3x3": "conv_3x3", "avg_pool_3x3": "avg_pool_3x3"}
#: Cell edges ``source_target`` in arch-string order (node 1's input, node 2's two, node 3's three).
EDGES = ("0_1", "0_2", "1_2", "0_3", "1_3", "2_3")
NODES = 4
NUM_ARCHS = len(OPS) ** len(EDGES)
_INDEX_FILE = Path(__file__).parent / "data" / "nb201_index.txt.gz"
#: NAS-Bench-201's FLOP count (as NASLib lists it) exceeds the workload's MACs by counting
#: conventions: pooling windows count their reads, each ReLU-conv-BN cell edge adds 3 operations per
#: output element over the 15 cells, and the stem, reductions and head add a fixed amount. Fitted on
#: the 725 architectures of NASLib's zero-cost data (benchmarks/nb201_flops.py), exact there.
BENCHMARK_OPS_PER_CONV_EDGE = 3 * 5 * (16 * 32 * 32 + 32 * 16 * 16 + 64 * 8 * 8)
BENCHMARK_FIXED_OPS = 132_160
_ABBREV = {"none": "n", "skip_connect": "s", "nor_conv_1x1": "c1", "nor_conv_3x3": "c3", "avg_pool_3x3": "p"}


def _edge_dim(edge: str) -> str:
    return f"edge_{edge}"


@cache
def _index_table() -> tuple[tuple[str, ...], dict[str, int]]:
    """(key of each benchmark index, index of each key)."""
    with gzip.open(_INDEX_FILE, "rt") as handle:
        codes = handle.read().split()
    if len(codes) != NUM_ARCHS:
        raise RuntimeError(f"{_INDEX_FILE} holds {len(codes)} architectures, expected {NUM_ARCHS}")
    keys = tuple(arch_string([OPS[int(c)] for c in code]) for code in codes)
    return keys, {key: i for i, key in enumerate(keys)}


def arch_string(ops: list[str] | tuple[str, ...]) -> str:
    """The standard arch string of the 6 edge operations in ``EDGES`` order."""
    nodes, pos = [], 0
    for target in range(1, NODES):
        nodes.append("|".join(f"{ops[pos + source]}~{source}" for source in range(target)))
        pos += target
    return "|" + "|+|".join(nodes) + "|"


def parse_arch_string(key: str) -> list[str]:
    """The 6 edge operations of a standard arch string (``ConfigError`` naming what is wrong)."""
    if not (key.startswith("|") and key.endswith("|")):
        raise ConfigError("arch", f"{key!r} is not a NAS-Bench-201 arch string "
                                  "(expected |op~0|+|op~0|op~1|+|op~0|op~1|op~2|)")
    nodes = key[1:-1].split("|+|")
    if len(nodes) != NODES - 1:
        raise ConfigError("arch", f"{key!r} has {len(nodes)} nodes, a NAS-Bench-201 cell has {NODES - 1}")
    ops: list[str] = []
    for target, node in enumerate(nodes, start=1):
        inputs = node.split("|")
        if len(inputs) != target:
            raise ConfigError("arch", f"node {target} of {key!r} has {len(inputs)} inputs, expected {target}")
        for source, token in enumerate(inputs):
            op, sep, src = token.partition("~")
            if not sep or src != str(source):
                raise ConfigError("arch", f"node {target} input {token!r} should read <op>~{source}")
            if op not in OPS:
                raise ConfigError("arch", f"unknown operation {op!r} (known: {', '.join(OPS)})")
            ops.append(op)
    return ops


class NB201Options(SpaceOptions):
    num_classes: int = Field(10, ge=1)
    resolution: int = Field(32, ge=8)
    in_chans: int = 3
    stem_channels: int = Field(16, ge=1, description="channels of the first stage (doubled per stage)")
    cells_per_stage: int = Field(5, ge=1)

    @field_validator("in_chans")
    @classmethod
    def _rgb(cls, value: int) -> int:
        if value != 3:
            raise ValueError("must be 3: NNI's NasBench201 stem takes RGB images")
        return value


@SPACES.register("nb201")
class NB201Space(SearchSpace):
    """NAS-Bench-201 cell through NNI's hub space: one of 5 operations on each of the 6 cell edges."""

    Options = NB201Options
    options: NB201Options

    def dimensions(self) -> list[Dimension]:
        return [Dimension(_edge_dim(edge), choices=OPS) for edge in EDGES]

    def to_key(self, genotype: dict[str, Any]) -> str:
        self.require(genotype)
        ops = [genotype[_edge_dim(e)] for e in EDGES]
        unknown = [op for op in ops if op not in OPS]
        if unknown:
            raise ConfigError("arch", f"unknown operation {unknown[0]!r} (known: {', '.join(OPS)})")
        return arch_string(ops)

    def from_key(self, key: str) -> dict[str, Any]:
        return {_edge_dim(e): op for e, op in zip(EDGES, parse_arch_string(key), strict=True)}

    # -- the benchmark's indices ---------------------------------------------------------------
    def index_of(self, arch: ArchSpec | str) -> int:
        """The benchmark index (0..15624) of an architecture or arch string."""
        key = arch.key if isinstance(arch, ArchSpec) else self.parse(arch).key
        return _index_table()[1][key]

    def arch_at(self, index: int) -> ArchSpec:
        """The architecture at a benchmark index."""
        if not 0 <= index < NUM_ARCHS:
            raise ConfigError("arch", f"NAS-Bench-201 index {index} is outside 0..{NUM_ARCHS - 1}")
        return self.parse(_index_table()[0][index])

    def enumerate(self) -> Iterator[ArchSpec]:
        """All 15,625 architectures in benchmark-index order."""
        return (self.parse(key) for key in _index_table()[0])

    # -- models --------------------------------------------------------------------------------
    def nni_sample(self, arch: ArchSpec) -> dict[str, str]:
        """The architecture as a sample of NNI's ``NasBench201`` (labels ``cell/<i>_<j>``)."""
        return {f"cell/{e}": NNI_OPS[arch.genotype[_edge_dim(e)]] for e in EDGES}

    def _nni_kwargs(self) -> dict[str, int]:
        return {"stem_out_channels": self.options.stem_channels,
                "num_modules_per_stack": self.options.cells_per_stage, "num_labels": self.options.num_classes}

    def _build(self, arch: ArchSpec) -> nn.Module:
        hub = nni_nas().hub.pytorch
        return build_frozen(lambda: hub.NasBench201(**self._nni_kwargs()), self.nni_sample(arch))

    def benchmark_flops(self, arch: ArchSpec, workload: Workload | None = None) -> int:
        """FLOPs of ``arch`` as NAS-Bench-201 / NASLib report them, for comparing with the benchmark's
        tables: their counting convention applied to every operation PyTorch runs, so ``workload``
        (extracted unless given) must be the unfused one (``extract_workload(..., fuse=False)``:
        the ReLUs and pools that the compiled workload computes once count as often as they run).
        Needs the benchmark's network."""
        o = self.options
        if (o.resolution, o.stem_channels, o.cells_per_stage) != (32, 16, 5):
            raise ConfigError("space.options", "benchmark FLOPs need the benchmark's network "
                              "(resolution 32, stem_channels 16, cells_per_stage 5)")
        if workload is None:
            workload = extract_workload(self.build(arch), self.input_shape(arch), name=arch.ref, fuse=False)
        elif workload.meta.get("merged"):
            raise ValueError("benchmark_flops counts what PyTorch runs: give the unfused workload (fuse=False)")
        layers = workload.layers
        macs = sum(layer.macs for layer in layers)
        window_reads = sum(layer.N * layer.K * layer.P * layer.Q * layer.R * layer.S for layer in layers
                           if layer.op == "pool" and layer.R * layer.S > 1)
        conv_edges = sum(op.startswith("nor_conv") for op in arch.genotype.values())
        return macs + window_reads + BENCHMARK_OPS_PER_CONV_EDGE * conv_edges + BENCHMARK_FIXED_OPS

    def describe(self, arch: ArchSpec) -> str:
        ops = [_ABBREV[arch.genotype[_edge_dim(e)]] for e in EDGES]
        return f"#{self.index_of(arch)} {ops[0]}|{' '.join(ops[1:3])}|{' '.join(ops[3:])}"

    def export_files(self, arch: ArchSpec) -> dict[str, str]:
        imports = ("from nni.nas.hub.pytorch import NasBench201\nfrom nni.nas.space import model_context\n\n"
                   f"# NAS-Bench-201 index {self.index_of(arch)}\nSAMPLE = {self.nni_sample(arch)!r}")
        body = f"    with model_context(SAMPLE):\n        return NasBench201(**{self._nni_kwargs()!r})"
        return {"model.py": self.model_script(arch, "NNI alone", imports, body)}
