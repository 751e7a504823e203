"""Run-length compression of activations on the DRAM link (Eyeriss, Chen et al., JSSC 2017,
Sec. V-B): each 64-bit word carries three pairs of a 5-bit run of zeros and a 16-bit non-zero
value, plus one bit saying whether the word is the last; a map that would grow is sent raw."""
from __future__ import annotations

#: Bits of the zero-run field that precedes each non-zero value (JSSC 2017, Fig. 12).
RLC_RUN_BITS = 5
#: Bits of the link word, of which ``RLC_PAYLOAD_BITS`` carry (run, value) pairs.
RLC_WORD_BITS = 64
RLC_PAYLOAD_BITS = 63


def rlc_factor(zeros: float, bits: int = 16) -> float:
    """Compressed over raw size of a feature map of ``bits``-bit values with this fraction of
    zeros (at most 1: the chip can send a map raw). Runs longer than the run field allows are
    rare at the zero fractions of ReLU networks and are not counted."""
    per_nonzero = (bits + RLC_RUN_BITS) * RLC_WORD_BITS / RLC_PAYLOAD_BITS
    return min(1.0, (1.0 - zeros) * per_nonzero / bits)
