"""Split inference: part of a network on the device NPU, the rest on a mobile-edge (MEC) server
and/or the cloud, over a radio link and a backhaul.

- ``radio``: the device radio's power model (Huang et al., MobiSys 2012).
- ``link`` / ``link_presets``: a link's rates, latency and radio power; named presets with sources.
- ``tiers``: the device, MEC and cloud tiers and the links between them (``SplitSetup``).
- ``profile``: per-layer latency/energy of one tier as prefix sums.
- ``cuts``: every (device|MEC, MEC|cloud) cut pair of a network at once, as numpy arrays.
- ``best``: the exact best cut pair for a goal, from those arrays (no extra cost-model calls).
- ``table``: one row per cut (the ``codesign split`` table).
- ``partition`` / ``onnx_export``: the torch model cut at a workload cut, one ONNX file per tier.
"""
