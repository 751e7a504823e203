"""Split inference, measured: Neurosurgeon's experiment (Kang et al., ASPLOS 2017) redone with
codesign's cost model, the data each cut sends, and what the split analysis costs a trial.

    python benchmarks/split.py [--device eyeriss] [--server tpu_v1] [--section all]

Sections:
- ``neurosurgeon``: AlexNet and VGG-16 (torchvision definitions, 224x224, batch 1, activations sent
  as 32-bit floats as Caffe did) on a mobile NPU, the rest on a server NPU reached over Neurosurgeon's
  measured 3G / LTE / Wi-Fi uplinks with Huang et al.'s radio power model; like Neurosurgeon's model, a
  transfer takes size / bandwidth (no propagation latency). Neurosurgeon's energy
  counts the radio while it sends and receives, so these runs leave out the tail (``tail_mw: 0``);
  one extra row per network shows LTE with the tail for an isolated inference. The last two columns
  are the figures Neurosurgeon's abstract reports against the cloud-only status quo (latency 3.1x
  better on average over its eight networks, up to 40.7x; mobile energy 59.5 % lower, up to 94.7 %).
- ``sweep``: the latency- and energy-optimal cut as the uplink rate goes from 0.25 to 200 Mbit/s.
- ``sizes``: bytes crossing each cut (workload graph, fp32 and int8), against the 3GPP split image
  KPI (0.27 MB in 15 ms at 144 Mbit/s).
- ``speed``: time of the split analysis (every cut pair + best) against the device cost model's
  time for the same network, on MBConv networks of the quickstart space.
"""
from __future__ import annotations

import argparse
import os
import time
from dataclasses import replace

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from codesign.costmodel.base import cost_model_for  # noqa: E402
from codesign.hardware.presets import load_accelerator  # noqa: E402
from codesign.split.analysis import analyse, remote_costs, side_of, transmitted_bytes  # noqa: E402
from codesign.split.best import best_index  # noqa: E402
from codesign.split.cuts import split_costs  # noqa: E402
from codesign.split.link import MBPS  # noqa: E402
from codesign.split.link_presets import (  # noqa: E402
    NEUROSURGEON_3G_UP_MBPS,
    NEUROSURGEON_LTE_UP_MBPS,
    NEUROSURGEON_WIFI_UP_MBPS,
    TS22261_SPLIT_IMAGE_LATENCY_MS,
    TS22261_SPLIT_IMAGE_PAYLOAD_BYTES,
    link_preset,
)
from codesign.split.profile import TierProfile  # noqa: E402
from codesign.split.tiers import SplitSetup  # noqa: E402
from codesign.workload.extract import extract_workload  # noqa: E402

NEUROSURGEON_LINKS = {"3g": NEUROSURGEON_3G_UP_MBPS, "lte": NEUROSURGEON_LTE_UP_MBPS,
                      "wifi": NEUROSURGEON_WIFI_UP_MBPS}
CAFFE_BITS = 32


def networks() -> dict[str, object]:
    import torchvision

    torch.manual_seed(0)
    return {"alexnet": extract_workload(torchvision.models.alexnet(weights=None), (3, 224, 224), name="alexnet"),
            "vgg16": extract_workload(torchvision.models.vgg16(weights=None), (3, 224, 224), name="vgg16")}


def neurosurgeon_link(name: str, up_mbps: float | None = None, tail: bool = False):
    """A Neurosurgeon setting: its measured uplink, Huang's power model, tail only if asked."""
    link = link_preset(name)
    power = link.power if tail else replace(link.power, tail_w=0.0)
    up = (up_mbps if up_mbps is not None else NEUROSURGEON_LINKS[name]) * MBPS
    return replace(link, uplink_bps=up, power=power, latency_s=0.0)


def _label(analysis, index) -> str:
    cut = int(analysis.costs.cut[index])
    n = len(analysis.workload.layers)
    return "input (cloud only)" if cut < 0 else "device only" if cut == n - 1 else analysis.workload.layers[cut].name


def section_neurosurgeon(workloads, device, server) -> None:
    print("== Neurosurgeon's setting: mobile NPU", device.summary(), "| server", server.summary())
    print(f"{'network':8} {'link':10} {'up Mbit/s':>9} {'best for latency':>22} {'ms':>8} {'mobile-only ms':>14} "
          f"{'cloud-only ms':>13} {'best for energy':>22} {'mJ':>9} {'mobile-only mJ':>14} {'cloud-only mJ':>13} "
          f"{'speed-up vs cloud-only':>22} {'energy saved vs cloud-only':>26}")
    for name, workload in workloads.items():
        dev = cost_model_for(device).evaluate(workload, device)
        remote = remote_costs(workload, SplitSetup(mec=server, radio=link_preset("lte")))
        settings = [(k, NEUROSURGEON_LINKS[k], False) for k in ("3g", "lte", "wifi")] + [("lte", None, True)]
        for link_name, up, tail in settings:
            setup = SplitSetup.checked(mec=server, radio=neurosurgeon_link(link_name, up, tail))
            analysis = analyse(workload, dev, setup, CAFFE_BITS, remote)
            c = analysis.costs
            bl, be = best_index(c, "latency"), best_index(c, "energy")
            only, cloud = len(c) - 1, 0
            label = link_name + ("+tail" if tail else "")
            print(f"{name:8} {label:10} {setup.radio.uplink_bps / MBPS:9.3g} {_label(analysis, bl):>22} "
                  f"{c.latency_s[bl] * 1e3:8.4g} {c.latency_s[only] * 1e3:14.4g} {c.latency_s[cloud] * 1e3:13.4g} "
                  f"{_label(analysis, be):>22} {c.device_energy_j[be] * 1e3:9.4g} "
                  f"{c.device_energy_j[only] * 1e3:14.4g} {c.device_energy_j[cloud] * 1e3:13.4g} "
                  f"{c.latency_s[cloud] / c.latency_s[bl]:21.3g}x "
                  f"{(1 - c.device_energy_j[be] / c.device_energy_j[cloud]) * 100:25.1f}%")


def section_sweep(workloads, device, server) -> None:
    print("\n== Optimal cut against uplink rate (LTE power model, no tail, fp32 activations)")
    rates = (0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 200)
    for name, workload in workloads.items():
        dev = cost_model_for(device).evaluate(workload, device)
        remote = remote_costs(workload, SplitSetup(mec=server, radio=link_preset("lte")))
        print(f"{name}:")
        for up in rates:
            setup = SplitSetup.checked(mec=server, radio=neurosurgeon_link("lte", up))
            analysis = analyse(workload, dev, setup, CAFFE_BITS, remote)
            bl, be = best_index(analysis.costs, "latency"), best_index(analysis.costs, "energy")
            print(f"    {up:7.3g} Mbit/s: latency -> {_label(analysis, bl):>20} ({analysis.costs.latency_s[bl] * 1e3:8.4g} ms)"
                  f"   energy -> {_label(analysis, be):>20} ({analysis.costs.device_energy_j[be] * 1e3:8.4g} mJ)")


def section_sizes(workloads) -> None:
    print("\n== Bytes crossing each cut (workload graph), and cuts that fit the 3GPP split image payload "
          f"({TS22261_SPLIT_IMAGE_PAYLOAD_BYTES / 1e6:g} MB in {TS22261_SPLIT_IMAGE_LATENCY_MS:g} ms)")
    for name, workload in workloads.items():
        fp32, int8 = transmitted_bytes(workload, 32), transmitted_bytes(workload, 8)
        print(f"{name}: cut, layer, fp32 kB, int8 kB")
        for cut in range(-1, len(workload.layers)):
            layer = "input" if cut < 0 else workload.layers[cut].name
            fits = " <= 0.27 MB at int8" if int8[cut + 1] <= TS22261_SPLIT_IMAGE_PAYLOAD_BYTES else ""
            print(f"    {cut:3d} {layer:14} {fp32[cut + 1] / 1e3:10.1f} {int8[cut + 1] / 1e3:10.1f}{fits}")


def _best_of(repeats: int, fn, *args):
    """Shortest of ``repeats`` timed calls (a shared machine only ever slows a call down)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn(*args)
        times.append(time.perf_counter() - start)
    return min(times), out


def _per_trial(dev, side):
    """What a trial adds with ``best`` split: the device's prefix sums, every cut pair, the best."""
    return best_index(split_costs(TierProfile.from_cost("device", dev), side), "latency")


def section_speed(device_name: str, server, samples: int, repeats: int) -> None:
    import optuna

    from codesign.spaces.base import create_space

    print(f"\n== Split analysis time against the device cost model ({samples} MBConv networks of the quickstart "
          f"space, best of {repeats}). Per trial: the device's prefix sums, every cut pair and the best one; "
          "the server tiers' costs and everything else device-independent are computed once per architecture")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = create_space("mbconv", {"resolution": 96, "num_classes": 10})
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    device = load_accelerator(device_name)
    model = cost_model_for(device)
    two = SplitSetup.checked(mec=server, radio=link_preset("5g_sub6"), period_s=1 / 30)
    three = SplitSetup.checked(mec=server, cloud=load_accelerator("tpu_v1"), radio=link_preset("5g_sub6"),
                               backhaul=link_preset("fiber_backhaul"), period_s=1 / 30)
    ratios: dict[str, list[float]] = {"device+MEC": [], "device+MEC+cloud": []}
    server_ratio = []
    for _ in range(samples):
        trial = study.ask()
        workload = space.workload(space.sample(trial))
        study.tell(trial, 0.0)

        t_cost, dev = _best_of(repeats, model.evaluate, workload, device)
        for label, setup in (("device+MEC", two), ("device+MEC+cloud", three)):
            remote = remote_costs(workload, setup)
            side, _ = side_of(workload, setup, 8, remote)
            t_split, _ = _best_of(repeats, _per_trial, dev, side)
            ratios[label].append(t_split / t_cost)
        t_remote, _ = _best_of(repeats, lambda w=workload: side_of(w, two, 8, remote_costs(w, two)))
        server_ratio.append(t_remote / t_cost)
        print(f"    {len(workload.layers):4d} layers: device cost model {t_cost * 1e3:7.3f} ms; per trial, "
              f"best split {ratios['device+MEC'][-1] * 100:5.1f} % (2 tiers) "
              f"{ratios['device+MEC+cloud'][-1] * 100:5.1f} % (3 tiers); per new architecture, MEC tier "
              f"cost model + remote side {server_ratio[-1] * 100:5.0f} %")
    for label, values in ratios.items():
        print(f"    split+best / device cost model, {label}: median {np.median(values) * 100:.1f} %, "
              f"max {np.max(values) * 100:.1f} %")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="eyeriss", help="mobile NPU preset")
    parser.add_argument("--server", default="tpu_v1", help="server NPU preset (Neurosurgeon's server)")
    parser.add_argument("--section", default="all", choices=("all", "neurosurgeon", "sweep", "sizes", "speed"))
    parser.add_argument("--samples", type=int, default=8, help="MBConv networks for the speed section")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    device, server = load_accelerator(args.device), load_accelerator(args.server)
    workloads = networks() if args.section in ("all", "neurosurgeon", "sweep", "sizes") else {}
    if args.section in ("all", "neurosurgeon"):
        section_neurosurgeon(workloads, device, server)
    if args.section in ("all", "sweep"):
        section_sweep(workloads, device, server)
    if args.section in ("all", "sizes"):
        section_sizes(workloads)
    if args.section in ("all", "speed"):
        section_speed(args.device, load_accelerator("nvdla_large"), args.samples, args.repeats)


if __name__ == "__main__":
    main()
