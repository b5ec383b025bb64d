"""Counting the modes of a 1D density from its score (ANALYTIC.md §3b, §7).

The modes of ``p`` are the zeros of ``u = (log p)'`` where ``u`` decreases. Counting sign changes of sampled
``u`` misses a pair of zeros closer than one grid cell, which happens just before a fold (mode merging).
Here ``u`` is split into monotone pieces at its discrete extrema; each interior extremum is refined by a
parabola through its three samples, and the zeros are counted as sign changes of the sequence
``u(first), extrema..., u(last)``: a pair of zeros is seen as long as the extremum between them has crossed
zero, to the accuracy of the parabola (O(h^3)).
"""
from __future__ import annotations

import numpy as np

from .derivatives import score_from_density


def count_zeros(u: np.ndarray) -> int:
    """Number of sign changes of a sampled 1D function, resolving close pairs through its extrema."""
    u = np.asarray(u, dtype=float)
    u = u[np.isfinite(u)]
    if u.size < 3:
        return 0
    du = np.diff(u)
    turning = np.nonzero(du[:-1] * du[1:] < 0)[0] + 1
    values = [u[0]]
    for i in turning:
        a, b, c = u[i - 1], u[i], u[i + 1]
        curvature = a - 2 * b + c
        values.append(b - (c - a) ** 2 / (8 * curvature) if curvature != 0 else b)
    values.append(u[-1])
    signs = np.sign(values)
    signs = signs[signs != 0]
    return int(np.count_nonzero(signs[1:] != signs[:-1]))


def count_modes(u: np.ndarray) -> int:
    """Number of local maxima of ``p`` (decreasing zeros of the score): ``(zeros + 1) / 2`` when ``u``
    runs from positive to negative across the domain."""
    return (count_zeros(u) + 1) // 2


def modes_of_density(p: np.ndarray, h: float, scheme: str, floor: float) -> int:
    """Modes of a sampled 1D density: its score ``(log p)'`` by ``scheme`` (non-periodic), counted where
    ``p > floor * max p`` (the score of round-off tails is noise)."""
    u = score_from_density(p, (h,), scheme, [False])
    return count_modes(u[p > floor * p.max()])
