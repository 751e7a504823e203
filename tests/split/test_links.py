"""Link presets, inline links and tier/link validation: bad input names its field."""
from __future__ import annotations

import pytest

from codesign.errors import ConfigError
from codesign.hardware.config import TEMPLATES
from codesign.split import link_presets
from codesign.split.link import link_from_dict
from codesign.split.link_presets import LINK_PRESETS, link_preset
from codesign.split.tiers import SplitSetup, split_setup_from_dict

REQUIRED = ("lte", "5g_sub6", "5g_mmwave", "wifi", "fiber_backhaul", "3gpp_split_image")


def test_the_issue_presets_exist_with_sources() -> None:
    for name in REQUIRED:
        link = link_preset(name)
        assert link.sources, name
        assert link.uplink_bps > 0 and link.downlink_bps > 0 and link.latency_s >= 0
    for name, link in LINK_PRESETS.items():
        assert link.name == name and link.description


def test_every_radio_preset_has_a_power_model_and_the_backhaul_none() -> None:
    for name, link in LINK_PRESETS.items():
        assert (link.power is None) == (name == "fiber_backhaul"), name


def test_3gpp_payload_takes_the_kpi_latency_at_the_kpi_rate() -> None:
    link = link_preset("3gpp_split_image")
    seconds = link.latency_s + link.up_seconds(link_presets.TS22261_SPLIT_IMAGE_PAYLOAD_BYTES)
    assert seconds == pytest.approx(link_presets.TS22261_SPLIT_IMAGE_LATENCY_MS * 1e-3)


def test_huang_lte_power_at_the_median_uplink() -> None:
    # Huang et al. Table 3 model at their median LTE uplink (6 Mbit/s): 1288.04 + 438.39 * 6 mW
    assert link_preset("lte").power.send_power_w(6e6) == pytest.approx(3.91838, rel=1e-5)


def test_inline_link_and_overrides_in_published_units() -> None:
    link = link_from_dict({"uplink_mbps": 50, "downlink_mbps": 100, "latency_ms": 5,
                           "power": {"base_mw": 1000, "alpha_up_mw_per_mbps": 20, "alpha_down_mw_per_mbps": 2}},
                          "split.radio")
    assert (link.uplink_bps, link.downlink_bps, link.latency_s) == (50e6, 100e6, 0.005)
    assert link.power.send_power_w(50e6) == pytest.approx(2.0)
    over = link_from_dict({"preset": "lte", "uplink_mbps": 3}, "split.radio")
    assert over.uplink_bps == 3e6 and over.power == link_preset("lte").power
    assert link_from_dict(over.to_dict(), "x").uplink_bps == over.uplink_bps


@pytest.mark.parametrize(("data", "field"), [
    ("6g", "split.radio"),
    ({"preset": "6g"}, "split.radio.preset"),
    ({"preset": "lte", "uplink_mbps": 0}, "split.radio.uplink_mbps"),
    ({"preset": "lte", "downlink_mbps": -5}, "split.radio.downlink_mbps"),
    ({"preset": "lte", "latency_ms": -1}, "split.radio.latency_ms"),
    ({"preset": "lte", "speed": 1}, "split.radio.speed"),
    ({"uplink_mbps": 5, "downlink_mbps": 5}, "split.radio.latency_ms"),
    ({"preset": "lte", "power": {"base_mw": -1}}, "split.radio.power.base_mw"),
    ({"uplink_mbps": 5, "downlink_mbps": 5, "latency_ms": 1, "power": {"base_mw": 1}},
     "split.radio.power.alpha_up_mw_per_mbps"),
    ({"preset": "lte", "uplink_mbps": "fast"}, "split.radio.uplink_mbps"),
])
def test_bad_links_name_the_field(data: object, field: str) -> None:
    with pytest.raises(ConfigError) as info:
        link_from_dict(data, "split.radio")
    assert info.value.field == field


def test_a_backhaul_takes_no_power_model() -> None:
    with pytest.raises(ConfigError, match="split.backhaul.power"):
        link_from_dict({"preset": "fiber_backhaul", "power": {}}, "split.backhaul", wired=True)


@pytest.mark.parametrize(("data", "field"), [
    ({"radio": "lte"}, "split.radio"),  # a link without a tier
    ({"mec": "tpu_v1"}, "split.radio"),  # a tier without its link
    ({"mec": "tpu_v1", "radio": "lte", "backhaul": "fiber_backhaul"}, "split.backhaul"),
    ({"cloud": "tpu_v1", "radio": "lte"}, "split.backhaul"),
    ({"mec": "no_such_npu", "radio": "lte"}, "split.mec"),
    ({"mec": "tpu_v1", "radio": "lte", "period_ms": 0}, "split.period_ms"),
    ({"mec": "tpu_v1", "radio": "lte", "extra": 1}, "split.extra"),
])
def test_bad_setups_name_the_field(data: dict, field: str) -> None:
    with pytest.raises(ConfigError) as info:
        split_setup_from_dict(data)
    assert info.value.field == field


def test_a_full_setup_round_trips() -> None:
    setup = split_setup_from_dict({"mec": "tpu_v1", "cloud": {"preset": "tpu_v1", "params": {"rows": 128}},
                                   "radio": "5g_sub6", "backhaul": "fiber_backhaul", "period_ms": 33})
    assert setup.cloud.rows == 128 and setup.period_s == pytest.approx(0.033)
    again = split_setup_from_dict(setup.to_dict())
    assert again.radio.power == setup.radio.power and again.cloud == setup.cloud
    assert again.backhaul.latency_s == pytest.approx(setup.backhaul.latency_s)


def test_cli_names_replace_yaml_paths() -> None:
    with pytest.raises(ConfigError) as info:
        SplitSetup.checked(names={"radio": "--link", "mec": "--mec", "cloud": "--cloud"},
                           radio=link_preset("lte"))
    assert info.value.field == "--link" and "--mec" in info.value.message
    assert SplitSetup.checked(mec=TEMPLATES.get("systolic")(), radio=link_preset("lte")).remote
