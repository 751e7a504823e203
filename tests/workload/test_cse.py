"""One layer per computation (``codesign.workload.cse``): a traced model that computes the same
thing twice (NAS-Bench-201's per-edge ReLUs, two pools of one tensor) gets it once, and its readers
read the one result; different functions, inputs or weights stay apart."""
from __future__ import annotations

import torch
import torch.nn as nn

from codesign.workload.extract import extract_workload


class Twice(nn.Module):
    """Node ``x`` read by two ReLU-conv edges and two average pools, plus a sigmoid and a ReLU of
    another tensor (not the same computations)."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.relu_a, self.relu_b, self.relu_c = nn.ReLU(), nn.ReLU(), nn.ReLU()
        self.conv_a = nn.Conv2d(8, 8, 3, padding=1)
        self.conv_b = nn.Conv2d(8, 8, 3, padding=1)
        self.pool_a, self.pool_b = nn.AvgPool2d(3, 1, 1), nn.AvgPool2d(3, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        a = self.conv_a(self.relu_a(x))
        b = self.conv_b(self.relu_b(x))
        y = a + b + self.pool_a(x) + self.pool_b(x)
        return self.relu_c(y) + torch.sigmoid(y)


def _ops(workload) -> list[str]:
    return [layer.op for layer in workload.layers]


def test_repeated_computations_are_one_layer_read_by_all():
    traced = extract_workload(Twice(), (3, 8, 8), fuse=False)
    merged = extract_workload(Twice(), (3, 8, 8))
    assert _ops(traced).count("act") == 4 and _ops(traced).count("pool") == 2
    # relu_b and pool_b repeat relu_a and pool_a; relu_c (of y, not x) and the sigmoid stay
    assert _ops(merged).count("act") == 3 and _ops(merged).count("pool") == 1
    relu, = (i for i, layer in enumerate(merged.layers) if layer.name == "relu_a")
    convs = [i for i, layer in enumerate(merged.layers) if layer.name in ("conv_a", "conv_b")]
    assert [merged.reads(i)[0] for i in convs] == [merged.writes(relu)[0]] * 2
    # the two convolutions have their own weights: the same shapes, not the same computation
    assert len(convs) == 2 and merged.macs == traced.macs
    pool, = (i for i, layer in enumerate(merged.layers) if layer.op == "pool")
    assert merged.graph.readers[merged.writes(pool)[0]], "the kept pool feeds the sum of both"


def test_merging_keeps_a_network_output_that_a_repeat_wrote():
    class TwoHeads(nn.Module):
        def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            return torch.relu(x), torch.relu(x)

    workload = extract_workload(TwoHeads(), (4, 2, 2))
    assert _ops(workload) == ["act"]
    assert [t.id for t in workload.tensors.values() if t.is_output] == [workload.writes(0)[0]]
    assert workload.cut_bytes(0, 8) == 16
