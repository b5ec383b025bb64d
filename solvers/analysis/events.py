"""Sign changes of a series sampled at the saves, and the rule that picks the reported event (ANALYTIC.md §7).

Every sign change of ``D(t)`` between two consecutive saves where both values are finite is a crossing, located
by a cubic interpolant through the contiguous finite stretch that holds it (linear where the stretch has fewer
than four saves) and refined by ``scipy.optimize.brentq`` when a function of ``t`` is given (the closed form).
No crossing is interpolated across a gap (a NaN save). The reported speciation is the **last** loss of the
valley between the measured pair: noising, ``D`` from + to -; generative direction (time reversed), from - to +.
What a careful reader must know is returned as flags: ``gaps`` (saves inside the run without a measured value),
``several_crossings`` (more than one sign change), ``left_pair`` (saves where the interface was not found
between the measured components).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.interpolate import CubicSpline
from scipy.optimize import brentq


@dataclass(frozen=True)
class Crossing:
    """A sign change of the series: time, place (the interface point there), ``direction`` +1 (- to +) or
    -1 (+ to -)."""

    t: float
    place: object
    direction: int


def _segments(finite: np.ndarray) -> list[tuple[int, int]]:
    """Maximal runs ``[a, b)`` of consecutive True."""
    out, start = [], None
    for j, ok in enumerate(finite):
        if ok and start is None:
            start = j
        if not ok and start is not None:
            out.append((start, j))
            start = None
    if start is not None:
        out.append((start, finite.size))
    return out


def crossings(t: np.ndarray, D: np.ndarray, places=None, exact: Callable[[float], float] | None = None
              ) -> list[Crossing]:
    """Every sign change of ``D`` between consecutive finite saves (see the module docstring). ``places``: the
    interface point per save (interpolated linearly to the crossing); ``exact``: ``D(t)`` to refine with."""
    t, D = np.asarray(t, dtype=float), np.asarray(D, dtype=float)
    out = []
    for a, b in _segments(np.isfinite(D)):
        seg_t, seg_d = t[a:b], D[a:b]
        spline = CubicSpline(seg_t, seg_d) if b - a >= 4 else None
        for k in range(b - a - 1):
            d0, d1 = seg_d[k], seg_d[k + 1]
            if d0 == 0.0 or np.sign(d0) == np.sign(d1):
                continue
            lo, hi = seg_t[k], seg_t[k + 1]
            root = None
            if exact is not None:
                try:
                    root = brentq(exact, lo, hi, xtol=1e-14 * max(1.0, abs(hi)), rtol=1e-14, maxiter=200)
                except ValueError:      # the function has no value somewhere in the bracket: interpolate
                    root = None
            if root is not None:
                pass
            elif spline is not None:
                roots = [s for s in spline.roots(extrapolate=False) if lo <= s <= hi]
                root = roots[0] if roots else lo - d0 * (hi - lo) / (d1 - d0)
            else:
                root = lo - d0 * (hi - lo) / (d1 - d0)
            place = None
            if places is not None:
                w = (root - lo) / (hi - lo)
                place = (1 - w) * np.asarray(places[a + k], dtype=float) + w * np.asarray(places[a + k + 1], dtype=float)
            out.append(Crossing(float(root), place, 1 if d1 > d0 else -1))
    return out


def last_loss_of_valley(found: list[Crossing], time_reversed: bool) -> Crossing | None:
    """The reported speciation: the last crossing from + to - (noising) or - to + (generative)."""
    wanted = 1 if time_reversed else -1
    picked = [c for c in found if c.direction == wanted]
    return picked[-1] if picked else None


def event_flags(D: np.ndarray, found: list[Crossing], located: np.ndarray) -> tuple[list[str], str]:
    """Flags and their sentence for a measured series: ``located`` per save, whether the interface was found
    on the measured pair."""
    flags, words = [], []
    missing = ~np.asarray(located, dtype=bool)
    if missing.any():
        flags.append("left_pair")
        words.append(f"interface not found between the measured components at {int(missing.sum())} of "
                      f"{missing.size} saves")
    gaps = np.asarray(located, dtype=bool) & ~np.isfinite(D)
    if gaps.any():
        flags.append("gaps")
        words.append(f"{int(gaps.sum())} saves without a measured value")
    if len(found) > 1:
        flags.append("several_crossings")
        words.append(f"{len(found)} sign changes at t = " + ", ".join(f"{c.t:.6g}" for c in found))
    return flags, "; ".join(words)
