"""What a real TPU does that a bare SCALE-Sim array does not, as per-layer terms the systolic
cost model adds (``codesign/costmodel/systolic.py``). Each is off (a no-op) at the template's
defaults, so a plain array keeps SCALE-Sim's cycles exactly.

- **Several arrays share a layer.** A TPU v4 chip has 2 TensorCores of 4 MXUs each (Jouppi et al.,
  ISCA 2023); XLA spreads a GEMM's weight folds over them. With ``arrays`` identical arrays, a
  layer's folds run in ``ceil(folds / arrays)`` rounds.
- **Fixed cost per operation.** Every operation the runtime dispatches pays a launch /
  synchronisation time that does not shrink with its size: a Cloud TPU kernel's prologue and
  epilogue, an Edge TPU op's instruction fetch and barrier. ``op_overhead_us`` per layer.
- **Parameter caching.** The Edge TPU keeps the parameters of the first layers in its on-chip
  memory across inferences (8 MB; Coral, "Edge TPU Compiler: parameter data caching"); the
  parameters that do not fit are streamed from host memory on every inference. Layers are
  cached whole, in execution order, until the cache is full.
- **Host link.** A USB / PCIe Edge TPU has no DRAM of its own: the network input arrives, the
  output leaves, and uncached parameters stream, over the host link on every inference
  (``host_gbps``), serially with the compute of the layer that needs them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from codesign.workload import Workload

if TYPE_CHECKING:
    from accelerators.systolic import SystolicArray


def fold_rounds(folds: np.ndarray, arrays: int) -> np.ndarray:
    """Sequential rounds when ``arrays`` identical arrays share ``folds`` independent folds."""
    return np.ceil(folds / float(arrays))


def added_cycles(workload: Workload, hw: SystolicArray, cached: np.ndarray, word_bytes: float) -> np.ndarray:
    """Cycles per layer on top of the array's: the fixed time of every operation (each layer is
    one dispatched operation) and its transfers over the host link."""
    out = np.full(len(workload.layers), hw.op_overhead_us * 1e-6 * hw.clock_hz)
    if hw.host_gbps > 0:
        out += host_link_bytes(workload, cached, word_bytes) / (hw.host_gbps * 1e9 / hw.clock_hz)
    return out


def weights_from_dram(cached: np.ndarray, host_gbps: float) -> np.ndarray:
    """Per layer, 1 where its weights come from DRAM: not cached, and no host link (which carries
    uncached weights instead, ``host_link_bytes``)."""
    return np.zeros(len(cached)) if host_gbps > 0 else (~cached).astype(float)


def cached_parameters(workload: Workload, cache_bytes: float, word_bytes: float) -> np.ndarray:
    """Per layer: whether its static weights stay on chip across inferences. Whole layers are
    cached in execution order until the first one that no longer fits (the Edge TPU compiler
    fills its parameter cache from the start of the model)."""
    a = workload.arrays
    if cache_bytes <= 0:
        return np.zeros(len(a.static_weights), dtype=bool)
    weights = np.where(a.static_weights, a.weight_elems * word_bytes, 0.0)
    return np.cumsum(weights) <= cache_bytes


def host_link_bytes(workload: Workload, cached: np.ndarray, word_bytes: float) -> np.ndarray:
    """Bytes per layer over the host link: the first layer's input, the last layer's output and
    every uncached layer's static weights."""
    a = workload.arrays
    out = np.where(a.static_weights & ~cached, a.weight_elems * word_bytes, 0.0)
    out[0] += a.input_elems[0] * a.operands[0] * word_bytes
    out[-1] += a.output_elems[-1] * word_bytes
    return out
