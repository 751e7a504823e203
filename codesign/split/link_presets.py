"""Named link presets (``codesign links``). Every number is a named constant with its source;
numbers that no cited source fixes are marked ASSUMPTION and listed in the preset's ``assumptions``.

Radio power models follow Huang et al. (MobiSys 2012): P = β + α_up·R_up while sending,
β + α_down·R_down while receiving, P_tail for T_tail after the last transfer.
"""
from __future__ import annotations

from codesign.errors import UnknownNameError
from codesign.split.link import MBPS, MS, Link
from codesign.split.radio import MW_PER_MBPS, RadioPower

HUANG = ("J. Huang, F. Qian, A. Gerber, Z. M. Mao, S. Sen, O. Spatscheck, A Close Examination of Performance "
         "and Power Characteristics of 4G LTE Networks, MobiSys 2012: Table 3 (power model α_u, α_d, β), "
         "Table 4 (promotion and tail), abstract (median LTE throughput 13 Mbit/s down, 6 Mbit/s up).")
NEUROSURGEON = ("Y. Kang et al., Neurosurgeon: Collaborative Intelligence Between the Cloud and Mobile Edge, "
                "ASPLOS 2017, Sec. 3 (measured average uplink: Wi-Fi 18.88, LTE 5.85, 3G 1.1 Mbit/s; radio power "
                "from Huang et al.).")
NARAYANAN = ("A. Narayanan et al., A Variegated Look at 5G in the Wild: Performance, Power, and QoE Implications, "
             "SIGCOMM 2021; A. Narayanan et al., A First Look at Commercial 5G Performance on Smartphones, "
             "WWW 2020 / IMC 2020 mmWave study: measured throughput, RTT and power regimes of low/mid-band and "
             "mmWave 5G on commercial phones.")
TS22261 = ("3GPP TS 22.261 (Service requirements for the 5G system), Sec. 7.10, Table 7.10.1-1, split AI/ML image "
           "recognition: payload 0.27 MByte, experienced uplink data rate 144 Mbit/s, max end-to-end latency "
           "15 ms (from the study 3GPP TR 22.874, Sec. 5.1).")
FIBER = ("Corning SMF-28 Ultra optical fiber datasheet: group index of refraction 1.4682 at 1550 nm "
         "(light travels at c/1.4682 in the fibre).")

# -- Huang et al. 2012, Table 3: power model of the radio (mW per Mbit/s, mW) ---------------------
HUANG_LTE_ALPHA_UP_MW_PER_MBPS = 438.39
HUANG_LTE_ALPHA_DOWN_MW_PER_MBPS = 51.97
HUANG_LTE_BETA_MW = 1288.04
HUANG_3G_ALPHA_UP_MW_PER_MBPS = 868.98
HUANG_3G_ALPHA_DOWN_MW_PER_MBPS = 122.12
HUANG_3G_BETA_MW = 817.88
HUANG_WIFI_ALPHA_UP_MW_PER_MBPS = 283.17
HUANG_WIFI_ALPHA_DOWN_MW_PER_MBPS = 137.01
HUANG_WIFI_BETA_MW = 132.86
# -- Huang et al. 2012, Table 4: tail state after the last transfer (mW, ms) ------------------------
HUANG_LTE_TAIL_MW = 1060.0
HUANG_LTE_TAIL_MS = 11576.0
HUANG_3G_TAIL_MW = 803.9
HUANG_3G_TAIL_MS = 8088.2
HUANG_WIFI_TAIL_MW = 119.3
HUANG_WIFI_TAIL_MS = 238.1
# -- Huang et al. 2012, abstract: median LTE throughput (Mbit/s) --------------------------------------
HUANG_LTE_DOWN_MBPS = 13.0
HUANG_LTE_UP_MBPS = 6.0
# -- Neurosurgeon (Kang et al. 2017): measured average uplink (Mbit/s) -------------------------------
NEUROSURGEON_WIFI_UP_MBPS = 18.88
NEUROSURGEON_LTE_UP_MBPS = 5.85
NEUROSURGEON_3G_UP_MBPS = 1.1
# -- ASSUMPTIONS for the 4G-era presets (no cited table fixes them) -----------------------------------
ASSUMED_WIFI_DOWN_MBPS = 18.88  # ASSUMPTION: symmetric Wi-Fi (only the small result travels down)
ASSUMED_3G_DOWN_MBPS = 2.0  # ASSUMPTION: HSPA-class downlink
ASSUMED_LTE_ONE_WAY_MS = 35.0  # ASSUMPTION: half of a ~70 ms LTE RTT to a server beyond the core
ASSUMED_3G_ONE_WAY_MS = 100.0  # ASSUMPTION: half of a ~200 ms 3G RTT
ASSUMED_WIFI_ONE_WAY_MS = 10.0  # ASSUMPTION: half of a ~20 ms RTT over a home/campus Wi-Fi
# -- ASSUMPTIONS for 5G NR, in the regimes Narayanan et al. measured (not values read from a table) ---
ASSUMED_5G_SUB6_UP_MBPS = 40.0
ASSUMED_5G_SUB6_DOWN_MBPS = 200.0
ASSUMED_5G_SUB6_ONE_WAY_MS = 10.0  # to an MEC server at the edge of the operator's network
ASSUMED_5G_SUB6_BETA_MW = 1500.0
ASSUMED_5G_SUB6_ALPHA_UP_MW_PER_MBPS = 40.0  # uplink at 40 Mbit/s adds ~1.6 W
ASSUMED_5G_SUB6_ALPHA_DOWN_MW_PER_MBPS = 5.0
ASSUMED_5G_SUB6_TAIL_MW = 1000.0
ASSUMED_5G_SUB6_TAIL_MS = 10000.0  # NSA 5G keeps the connected state ~10 s after the last packet
ASSUMED_5G_MMWAVE_UP_MBPS = 200.0
ASSUMED_5G_MMWAVE_DOWN_MBPS = 1500.0
ASSUMED_5G_MMWAVE_ONE_WAY_MS = 6.0
ASSUMED_5G_MMWAVE_BETA_MW = 2500.0
ASSUMED_5G_MMWAVE_ALPHA_UP_MW_PER_MBPS = 10.0  # uplink at 200 Mbit/s adds ~2 W
ASSUMED_5G_MMWAVE_ALPHA_DOWN_MW_PER_MBPS = 2.0
ASSUMED_5G_MMWAVE_TAIL_MW = 1500.0
ASSUMED_5G_MMWAVE_TAIL_MS = 10000.0
# -- 3GPP TS 22.261 Table 7.10.1-1: split AI/ML image recognition ---------------------------------
TS22261_SPLIT_IMAGE_PAYLOAD_BYTES = 0.27e6  # "0.27 MByte"
TS22261_SPLIT_IMAGE_UP_MBPS = 144.0
TS22261_SPLIT_IMAGE_LATENCY_MS = 15.0
# -- Fibre backhaul MEC → cloud ----------------------------------------------------------------
SPEED_OF_LIGHT_M_PER_S = 299_792_458.0
SMF28_GROUP_INDEX = 1.4682
ASSUMED_BACKHAUL_DISTANCE_KM = 1000.0  # ASSUMPTION: MEC site to a regional datacenter
ASSUMED_BACKHAUL_MBPS = 10_000.0  # ASSUMPTION: a 10 Gbit/s share of the backhaul
FIBER_ONE_WAY_MS = ASSUMED_BACKHAUL_DISTANCE_KM * 1e3 * SMF28_GROUP_INDEX / SPEED_OF_LIGHT_M_PER_S / MS


def _huang(alpha_up: float, alpha_down: float, beta: float, tail_mw: float, tail_ms: float) -> RadioPower:
    return RadioPower(base_w=beta * 1e-3, alpha_up_w_per_bps=alpha_up * MW_PER_MBPS,
                      alpha_down_w_per_bps=alpha_down * MW_PER_MBPS, tail_w=tail_mw * 1e-3, tail_s=tail_ms * MS)


_SUB6_POWER = _huang(ASSUMED_5G_SUB6_ALPHA_UP_MW_PER_MBPS, ASSUMED_5G_SUB6_ALPHA_DOWN_MW_PER_MBPS,
                     ASSUMED_5G_SUB6_BETA_MW, ASSUMED_5G_SUB6_TAIL_MW, ASSUMED_5G_SUB6_TAIL_MS)

LINK_PRESETS: dict[str, Link] = {link.name: link for link in (
    Link("lte", HUANG_LTE_UP_MBPS * MBPS, HUANG_LTE_DOWN_MBPS * MBPS, ASSUMED_LTE_ONE_WAY_MS * MS,
         _huang(HUANG_LTE_ALPHA_UP_MW_PER_MBPS, HUANG_LTE_ALPHA_DOWN_MW_PER_MBPS, HUANG_LTE_BETA_MW,
                HUANG_LTE_TAIL_MW, HUANG_LTE_TAIL_MS),
         "4G LTE: Huang et al.'s median throughput and measured power model", (HUANG,),
         ("one-way latency 35 ms",)),
    Link("3g", NEUROSURGEON_3G_UP_MBPS * MBPS, ASSUMED_3G_DOWN_MBPS * MBPS, ASSUMED_3G_ONE_WAY_MS * MS,
         _huang(HUANG_3G_ALPHA_UP_MW_PER_MBPS, HUANG_3G_ALPHA_DOWN_MW_PER_MBPS, HUANG_3G_BETA_MW,
                HUANG_3G_TAIL_MW, HUANG_3G_TAIL_MS),
         "3G: Neurosurgeon's measured uplink, Huang et al.'s 3G power model", (NEUROSURGEON, HUANG),
         ("downlink 2 Mbit/s", "one-way latency 100 ms")),
    Link("wifi", NEUROSURGEON_WIFI_UP_MBPS * MBPS, ASSUMED_WIFI_DOWN_MBPS * MBPS, ASSUMED_WIFI_ONE_WAY_MS * MS,
         _huang(HUANG_WIFI_ALPHA_UP_MW_PER_MBPS, HUANG_WIFI_ALPHA_DOWN_MW_PER_MBPS, HUANG_WIFI_BETA_MW,
                HUANG_WIFI_TAIL_MW, HUANG_WIFI_TAIL_MS),
         "Wi-Fi: Neurosurgeon's measured uplink, Huang et al.'s Wi-Fi power model", (NEUROSURGEON, HUANG),
         ("downlink equal to the uplink", "one-way latency 10 ms")),
    Link("5g_sub6", ASSUMED_5G_SUB6_UP_MBPS * MBPS, ASSUMED_5G_SUB6_DOWN_MBPS * MBPS,
         ASSUMED_5G_SUB6_ONE_WAY_MS * MS, _SUB6_POWER,
         "5G NR below 6 GHz to an MEC server", (NARAYANAN,),
         ("every number: rates, latency and power model are in the measured regime, not read from a table",)),
    Link("5g_mmwave", ASSUMED_5G_MMWAVE_UP_MBPS * MBPS, ASSUMED_5G_MMWAVE_DOWN_MBPS * MBPS,
         ASSUMED_5G_MMWAVE_ONE_WAY_MS * MS,
         _huang(ASSUMED_5G_MMWAVE_ALPHA_UP_MW_PER_MBPS, ASSUMED_5G_MMWAVE_ALPHA_DOWN_MW_PER_MBPS,
                ASSUMED_5G_MMWAVE_BETA_MW, ASSUMED_5G_MMWAVE_TAIL_MW, ASSUMED_5G_MMWAVE_TAIL_MS),
         "5G NR mmWave (line of sight) to an MEC server", (NARAYANAN,),
         ("every number: rates, latency and power model are in the measured regime, not read from a table",)),
    Link("3gpp_split_image", TS22261_SPLIT_IMAGE_UP_MBPS * MBPS, ASSUMED_5G_SUB6_DOWN_MBPS * MBPS, 0.0,
         _SUB6_POWER,
         "3GPP split image recognition KPI: 144 Mbit/s up; its 15 ms budget is the 0.27 MB payload's transfer",
         (TS22261, NARAYANAN),
         ("no propagation latency: the KPI's 15 ms is spent sending 0.27 MB at 144 Mbit/s",
          "downlink and power model from 5g_sub6")),
    Link("fiber_backhaul", ASSUMED_BACKHAUL_MBPS * MBPS, ASSUMED_BACKHAUL_MBPS * MBPS, FIBER_ONE_WAY_MS * MS,
         None, "fibre from the MEC site to a datacenter 1000 km away (propagation only)", (FIBER,),
         ("1000 km of fibre", "10 Gbit/s each way", "no switching or queueing delay")),
)}


def link_preset(name: str, field: str = "link") -> Link:
    """The preset ``name``; an unknown name is a one-line error naming ``field``."""
    try:
        return LINK_PRESETS[name]
    except KeyError:
        raise UnknownNameError("link preset", name, sorted(LINK_PRESETS), field) from None
