"""The machine's physical limit for a memory-bound step: a numba STREAM copy at the size of the benchmarked field.

A fused explicit step reads the field once and writes it once per step, 16 bytes per point: exactly the traffic of
a copy. The copy is timed the way the steppers run, ``passes`` copies inside one compiled call, ping-ponging
between two arrays (the double buffering of the explicit steppers), so a ratio of the two is a fraction of the
copy bandwidth measured in the same run, on the same array size (cache level).
"""
from __future__ import annotations

import numpy as np
from numba import njit

BYTES_PER_POINT_COPY = 16          # read 8 + write 8


@njit(cache=True)
def stream_copy(a, b, passes):
    """``passes`` STREAM copies, alternating ``a -> b`` and ``b -> a``."""
    for _ in range(passes):
        for i in range(a.shape[0]):
            b[i] = a[i]
        a, b = b, a


class CopyBench:
    """A copy of ``n`` doubles: ``run(k)`` performs ``k`` passes; ``gbps(seconds_per_pass)`` converts."""

    def __init__(self, n: int):
        self.n = n
        self.a = np.random.default_rng(0).random(n)
        self.b = np.empty(n)

    def run(self, passes: int) -> None:
        stream_copy(self.a, self.b, passes)

    def gbps(self, seconds_per_pass: float) -> float:
        return BYTES_PER_POINT_COPY * self.n / seconds_per_pass / 1e9
