"""The bad-input items of issue 13 that are about what is accepted, not only what is refused:
each is the behaviour a user expected and did not get."""
from __future__ import annotations

import json
import warnings

import pytest
import torch
import torch.nn as nn

from codesign.costmodel.fixed_mapping import FixedMapping
from codesign.errors import ConfigError
from codesign.workload.extract import MAX_REASON_CHARS, extract_workload
from tests.cli.test_cli import ARCH, SPACE_ARGS

LAYERS = "name: net\nlayers:\n  - {name: fc, op: linear, K: 8, C: 16}\n"


def test_a_template_name_is_an_accelerator_with_the_template_defaults(cli, tmp_path):
    (tmp_path / "net.yaml").write_text(LAYERS)
    code, out, err = cli("evaluate", "--workload", str(tmp_path / "net.yaml"), "--accelerator", "systolic",
                         "--set", "rows=8", "--json", "--no-layers")
    assert code == 0, err
    result = json.loads(out)
    from codesign.hardware.config import TEMPLATES

    defaults = TEMPLATES.get("systolic")().to_params()
    assert result["accelerator"]["template"] == "systolic" and result["feasible"]
    assert result["accelerator"]["params"] == {**defaults, "rows": 8}


def test_proxy_needs_no_proxy_option(cli, tmp_path):
    """Without --proxy the experiment default is used: the command gets as far as the key."""
    code, _, err = cli("proxy", "--space", "mbconv", "--arch", "not-a-key")
    assert code == 2 and "--proxy" not in err and "not an mbconv key" in err


def test_arch_file_errors_name_the_line_an_editor_shows(cli, tmp_path):
    keys = tmp_path / "keys.txt"
    keys.write_text(f"# two good keys, a blank line, then a bad one\n{ARCH}\n\n  # indented comment\n{ARCH}\nbad\n")
    for command in (["proxy", *SPACE_ARGS, "--proxy", "params"], ["evaluate", *SPACE_ARGS, "--accelerator", "eyeriss"]):
        code, _, err = cli(*command, "--arch-file", str(keys))
        assert code == 2 and f"{keys}:6:" in err, err


class _Untraceable(nn.Module):
    """Python control flow on a tensor value: torch.fx cannot trace it (a screen-long message)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.sum() > 0:
            return self.conv(x)
        return self.conv(-x)


def test_a_trace_failure_is_a_one_line_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        workload = extract_workload(_Untraceable(), (3, 8, 8))
    messages = [str(w.message) for w in caught if "could not trace" in str(w.message)]
    assert len(messages) == 1 and "\n" not in messages[0]
    assert len(workload.meta["trace_error"]) <= MAX_REASON_CHARS + 40
    assert workload.meta["extraction"] == "hooks" and len(workload.layers) == 1


KEEP = {"W": (True, True), "I": (False, True), "O": (False, True)}


@pytest.mark.parametrize("keep,partition,field", [
    ({"W": (True, True)}, {}, "mapping.keep"),
    ({**KEEP, "W": (1, 0)}, {}, "mapping.keep.W"),
    ({**KEEP, "I": True}, {}, "mapping.keep.I"),
    (KEEP, [16], "mapping.partition"),
    (KEEP, {"X": 16}, "mapping.partition.X"),
    (KEEP, {"W": -1}, "mapping.partition.W"),
    (KEEP, {"W": float("nan")}, "mapping.partition.W"),
    (KEEP, {"W": "16"}, "mapping.partition.W"),
])
def test_fixed_mapping_keep_and_partition_are_checked(keep, partition, field):
    with pytest.raises(ConfigError) as err:
        FixedMapping(loops=[("rf", "K", 2)], keep=keep, partition=partition)
    assert err.value.field == field


def test_a_range_fault_in_set_is_an_infeasible_design_with_its_reason(cli, tmp_path):
    """``--set`` scores the design it is given: one that cannot run is infeasible, not an error."""
    (tmp_path / "net.yaml").write_text(LAYERS)
    code, out, _ = cli("evaluate", "--workload", str(tmp_path / "net.yaml"), "--accelerator", "eyeriss",
                       "--set", "clock_mhz=-5", "--json", "--no-layers")
    result = json.loads(out)
    assert code == 0 and not result["feasible"]
    assert any(r.startswith("clock_mhz must be > 0") for r in result["infeasible_reasons"])
