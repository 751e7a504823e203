import pytest

from codesign.costmodel import technology as tech


def test_reference_node_is_unity():
    assert tech.energy_scale(45) == pytest.approx(1.0)
    assert tech.area_scale(45) == pytest.approx(1.0)


def test_scaling_is_monotone_in_the_node():
    nodes = [130, 90, 65, 45, 32, 28, 22, 16, 14, 10, 7]
    energies = [tech.energy_scale(n) for n in nodes]
    areas = [tech.area_scale(n) for n in nodes]
    assert energies == sorted(energies, reverse=True)
    assert areas == sorted(areas, reverse=True)
    assert tech.area_scale(65) == pytest.approx(1.5)  # Stillmaker & Baas, Table 4


def test_out_of_table_node_raises():
    with pytest.raises(ValueError, match="outside the scaling table"):
        tech.energy_scale(5)


def test_horowitz_anchor_points():
    assert tech.mac_energy_pj(8) == pytest.approx(0.2 + 0.1)          # 8b mult + 32b accumulate
    assert tech.mac_energy_pj(32) == pytest.approx(3.1 + 0.1)
    assert tech.sram_energy_pj_per_byte(8 * 1024) == pytest.approx(10 / 8)
    assert tech.sram_energy_pj_per_byte(32 * 1024) == pytest.approx(20 / 8)
    assert tech.sram_energy_pj_per_byte(1024 * 1024) == pytest.approx(100 / 8, rel=0.15)


def test_wider_words_cost_more():
    assert tech.mac_energy_pj(16) > tech.mac_energy_pj(8) > tech.mac_energy_pj(4)
    assert tech.mac_area_um2(16) > tech.mac_area_um2(8)
