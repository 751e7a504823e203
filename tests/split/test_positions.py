"""Searched cut positions: fractions of the candidate cuts, stable across depths."""
from __future__ import annotations

import pytest
import torch

from codesign.errors import ConfigError
from codesign.split.positions import candidate_cuts, cut_at, fraction_of
from codesign.workload.extract import extract_workload


@pytest.fixture(scope="module")
def resnet():
    import timm

    return extract_workload(timm.create_model("resnet18", num_classes=10), (3, 32, 32))


def test_ends_are_full_offload_and_device_only(resnet) -> None:
    n = len(resnet.layers)
    for mode in ("all", "single"):
        cuts = candidate_cuts(resnet, mode)
        assert cut_at(0.0, cuts) == -1 and cut_at(1.0, cuts) == n - 1


def test_single_tensor_candidates_exclude_cuts_with_a_skip_branch_in_flight(resnet) -> None:
    single = candidate_cuts(resnet, "single")
    everything = candidate_cuts(resnet, "all")
    assert 2 < len(single) < len(everything)
    assert all(len(resnet.cut_tensors(int(c))) == 1 for c in single[1:-1])
    assert any(len(resnet.cut_tensors(int(c))) > 1 for c in everything[1:-1])


def test_a_position_keeps_its_relative_place_in_a_deeper_network() -> None:
    shallow = extract_workload(torch.nn.Sequential(*[torch.nn.Conv2d(4, 4, 3, padding=1) for _ in range(4)]), (4, 8, 8))
    deep = extract_workload(torch.nn.Sequential(*[torch.nn.Conv2d(4, 4, 3, padding=1) for _ in range(12)]), (4, 8, 8))
    for frac in (0.25, 0.5, 0.75):
        for w in (shallow, deep):
            cuts = candidate_cuts(w)
            cut = cut_at(frac, cuts)
            assert abs((cut + 1) / len(w.layers) - frac) <= 0.5 / len(w.layers) + 1e-9
            assert fraction_of(cut, cuts) == pytest.approx(frac, abs=0.5 / len(w.layers))


def test_bad_positions_name_the_field(resnet) -> None:
    with pytest.raises(ConfigError, match="split.cut"):
        cut_at(1.5, candidate_cuts(resnet))
    with pytest.raises(ConfigError, match="split.candidates"):
        candidate_cuts(resnet, "odd")
