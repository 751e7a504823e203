"""Which activations stay on chip between consecutive layers (shared by the cost models)."""
from __future__ import annotations

import numpy as np

from codesign.workload import Workload


def activation_residency(workload: Workload, in_capacity: float, out_capacity: float,
                         word_bytes: float) -> tuple[np.ndarray, np.ndarray]:
    """(reads its input on chip, leaves its output on chip) per layer.

    A layer's input stays on chip when the previous layer produced exactly that tensor, it fits
    the buffer the previous layer wrote it to (``out_capacity``) and the buffer this layer reads
    it from (``in_capacity``). Only the immediately preceding layer counts: a residual branch is
    re-read from DRAM.
    """
    a = workload.arrays
    n = len(workload.layers)
    fits_out = a.output_elems * word_bytes <= out_capacity
    fits_in = a.input_elems * word_bytes <= in_capacity
    resident_in = np.zeros(n, dtype=bool)
    if n > 1:
        chained = a.output_elems[:-1] == a.input_elems[1:]
        resident_in[1:] = chained & fits_out[:-1] & fits_in[1:]
    resident_out = np.zeros(n, dtype=bool)
    resident_out[:-1] = resident_in[1:]
    return resident_in, resident_out
