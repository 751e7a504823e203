import pytest

from accelerators.systolic import SystolicArray
from codesign.errors import ConfigError
from codesign.hardware.config import TEMPLATES
from codesign.hardware.presets import (
    accelerator_from_dict,
    load_accelerator,
    parse_overrides,
    presets,
)


def test_from_params_type_checks_and_defaults():
    hw = SystolicArray.from_params({"rows": 16, "clock_mhz": 800, "dataflow": "os"})
    assert (hw.rows, hw.cols, hw.clock_mhz, hw.dataflow) == (16, 32, 800.0, "os")
    assert hw.num_pes == 16 * 32 and hw.peak_macs_per_s == 16 * 32 * 800e6


@pytest.mark.parametrize("params,message", [
    ({"rowz": 4}, "accel.rowz: unknown parameter of template 'systolic'"),
    ({"rows": "many"}, "accel.rows: must be an integer, got 'many'"),
    ({"rows": 2.5}, "accel.rows: must be an integer, got 2.5"),
    ({"rows": True}, "accel.rows: must be an integer"),
    ({"dram_gbps": "fast"}, "accel.dram_gbps: must be a number"),
    ({"dataflow": 3}, "accel.dataflow: must be a string"),
])
def test_structural_errors_name_the_field(params, message):
    with pytest.raises(ConfigError) as info:
        SystolicArray.from_params(params, where="accel")
    assert str(info.value).startswith(message)


def test_round_trip_through_dict():
    hw = SystolicArray(rows=8, cols=4, dataflow="is", ifmap_sram_kib=12.0)
    assert accelerator_from_dict(hw.to_dict(), where="x") == hw


def test_parameters_describe_every_field():
    names = [p.name for p in SystolicArray.parameters()]
    assert {"rows", "cols", "dataflow", "ifmap_sram_kib", "filter_sram_kib", "ofmap_sram_kib", "dram_gbps",
            "clock_mhz", "bits", "tech_nm"} <= set(names)
    dataflow = next(p for p in SystolicArray.parameters() if p.name == "dataflow")
    assert dataflow.choices == ("ws", "os", "is")


@pytest.mark.parametrize("name", sorted(presets()))
def test_every_preset_loads_and_cites_sources(name):
    preset = presets()[name]
    hw = preset.config()
    assert hw.problems() == []
    assert preset.sources and all(len(s) > 20 for s in preset.sources)
    assert TEMPLATES.get(preset.template) is type(hw)


def test_overrides_and_yaml_files(tmp_path):
    hw = load_accelerator("tpu_v1", parse_overrides(["rows=128", "dataflow=os"]))
    assert (hw.rows, hw.dataflow) == (128, "os")
    path = tmp_path / "acc.yaml"
    path.write_text("template: systolic\nparams: {rows: 4, cols: 4}\n")
    assert load_accelerator(str(path)).num_pes == 16
    path.write_text("preset: edge_tpu\nparams: {bits: 16}\n")
    assert load_accelerator(str(path)).bits == 16
    with pytest.raises(ConfigError, match="neither a preset"):
        load_accelerator("no_such_thing")
    with pytest.raises(ConfigError, match="expected param=value"):
        parse_overrides(["rows"])
    with pytest.raises(ConfigError, match="unknown parameter"):
        load_accelerator("tpu_v1", {"colour": "red"})
