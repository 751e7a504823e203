"""Inter-layer residency follows the workload's edges, not equal tensor sizes."""
from __future__ import annotations

from codesign.costmodel.residency import activation_residency
from codesign.workload import Workload

BIG = 1e9  # buffers that hold anything: only the edges decide


def conv(name: str, inputs: list[str], **extra) -> dict:
    return {"name": name, "op": "conv", "K": 8, "C": 8, "P": 4, "Q": 4, "inputs": inputs, **extra}


def workload(*layers: dict) -> Workload:
    return Workload.from_dict({"tensors": {"x": [1, 8, 4, 4]}, "layers": list(layers)})


def test_a_residual_add_reads_its_skip_branch_from_dram():
    # Equal sizes everywhere: the old size guess called every input resident.
    w = workload(conv("a", ["x"]), conv("b", ["a"]),
                 {"name": "add", "op": "eltwise", "K": 8, "C": 8, "P": 4, "Q": 4, "operands": 2, "inputs": ["b", "x"]},
                 conv("c", ["add"]))
    resident_in, resident_out = activation_residency(w, BIG, BIG, 1)
    assert resident_in.tolist() == [False, True, False, True]
    # b's output goes to DRAM for the add, which reads both operands from there.
    assert resident_out.tolist() == [True, False, True, False]


def test_a_sibling_of_the_same_size_is_not_the_producer():
    w = workload(conv("a", ["x"]), conv("b", ["x"]),
                 {"name": "s", "op": "eltwise", "K": 8, "C": 8, "P": 4, "Q": 4, "operands": 2, "inputs": ["a", "b"]})
    resident_in, resident_out = activation_residency(w, BIG, BIG, 1)
    assert resident_in.tolist() == [False, False, False]
    assert resident_out.tolist() == [False, False, False]


def test_a_tensor_read_again_later_is_written_back():
    w = workload(conv("a", ["x"]), conv("b", ["a"]), conv("c", ["b"]),
                 {"name": "s", "op": "eltwise", "K": 8, "C": 8, "P": 4, "Q": 4, "operands": 2, "inputs": ["c", "a"]})
    resident_in, resident_out = activation_residency(w, BIG, BIG, 1)
    assert resident_in.tolist() == [False, True, True, False]
    # a feeds b on chip but s reads it much later: it is written to DRAM as well.
    assert resident_out.tolist() == [False, True, False, False]


def test_capacity_still_decides():
    w = workload(conv("a", ["x"]), conv("b", ["a"]))
    assert activation_residency(w, 128, 128, 1)[0].tolist() == [False, True]
    assert activation_residency(w, 127, 128, 1)[0].tolist() == [False, False]
    assert activation_residency(w, 128, 127, 1)[0].tolist() == [False, False]
