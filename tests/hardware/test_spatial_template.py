import re
from pathlib import Path

import pytest

from accelerators.spatial import SpatialArray
from codesign.costmodel.dataflows import rf_partition
from codesign.errors import ConfigError
from codesign.hardware.presets import load_accelerator, parse_overrides

DATA = Path(__file__).resolve().parents[1] / "data"


def test_eyeriss_preset_holds_the_chips_inventory():
    """The preset's PEs and its SRAM (global buffer plus each PE's filter scratchpad, the one SRAM
    per PE) add up to Table IV of the JSSC paper (tests/data/eyeriss, the fodlam transcription)."""
    text = (DATA / "eyeriss" / "fodlam_eyeriss-tableIV.txt").read_text()
    pes = int(re.search(r"Number of PEs\s+(\d+)", text).group(1))
    sram_kib = float(re.search(r"On-Chip SRAM\s+([\d.]+)K bytes", text).group(1))
    hw = load_accelerator("eyeriss")
    filter_spad = rf_partition(hw.dataflow, hw.rf_bytes, hw.bits / 8, hw.psum_bits / 8)["W"]
    assert hw.num_pes == pes
    assert hw.glb_kib + hw.num_pes * filter_spad / 1024 == pytest.approx(sram_kib)


def test_register_file_split_per_dataflow():
    assert rf_partition("rs", 520, 2, 2) == {"W": 448, "I": 24, "O": 48}      # Eyeriss, JSSC Table IV
    assert rf_partition("rs", 256, 1, 4) == {"W": 256 - 12 - 96, "I": 12, "O": 96}   # 8-bit data, 32-bit psums
    tiny = rf_partition("rs", 52, 2, 2)                                         # proportions of Eyeriss's
    assert tiny["W"] / tiny["I"] == pytest.approx(448 / 24) and sum(tiny.values()) == pytest.approx(52)
    assert rf_partition("ws", 64) == {"W": 64, "I": 0, "O": 0}
    assert rf_partition("os", 64) == {"W": 0, "I": 0, "O": 64}


def test_overrides_and_checks():
    hw = load_accelerator("eyeriss", parse_overrides(["dataflow=ws", "glb_kib=256", "rows=16"]))
    assert (hw.dataflow, hw.glb_kib, hw.rows) == ("ws", 256.0, 16)
    assert "psum_bits must be <= 64" in SpatialArray(psum_bits=128).problems()[0]
    assert any("noc_gbps must be > 0" in p for p in SpatialArray(noc_gbps=0).problems())
    with pytest.raises(ConfigError, match="rf_bytes: must be a number"):
        SpatialArray.from_params({"rf_bytes": "big"})
    with pytest.raises(ConfigError, match="unknown parameter of template 'spatial'"):
        SpatialArray.from_params({"ifmap_sram_kib": 4})
    assert SpatialArray().summary() == "spatial 12x14 rs rf=520B glb=108KiB 16b"
    assert SpatialArray(noc_gbps=3.2, clock_mhz=200).noc_bytes_per_cycle == pytest.approx(16.0)
