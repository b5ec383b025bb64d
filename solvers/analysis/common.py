"""What every family's analysis shares (ANALYTIC.md §3, §7): the analysis record, the comparison policy, the
measurement times, the binary split of a mixture, the layer error, the masked max-norm error and the bisection
of a mode-merge bracket. The interface itself is measured in :mod:`solvers.analysis.speciation` (the binary
split's ``r = 0`` on the computed fields) and, as the local-theorem check, in :mod:`solvers.analysis.tanh_fit`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..closed_forms.binary import BinarySplit, mode_merge
from ..config.schema import COMPARISON_DEFAULTS
from ..integrators.time_loop import advance
from .comparison import Comparison

MERGE_TOLERANCE = 1e-9      # bisection of the mode-merge time by re-integration, relative to the run length


@dataclass
class Analysis:
    fields: dict[str, np.ndarray] = field(default_factory=dict)
    series: dict[str, np.ndarray] = field(default_factory=dict)
    reference_series: dict[str, np.ndarray] = field(default_factory=dict)
    comparisons: list[Comparison] = field(default_factory=list)
    measure_s: float = 0.0
    sides_s: float = 0.0        # integrating the two sides of the binary split (a solve, not a measurement)
    groups: dict[str, dict] = field(default_factory=dict)    # extra result groups: name -> {dataset: array}
    attrs: dict[str, dict] = field(default_factory=dict)     # their attributes


def measurement_times(problem) -> np.ndarray:
    times = problem.case["measure"]["times"]
    t = problem.case["time"]
    if times is None:
        times = np.linspace(t["start"], t["stop"], 6)[1:]
    return np.asarray(sorted(times), dtype=float)


def save_indices(problem, times) -> np.ndarray:
    """Save indices of the measurement times (each save once, in time order)."""
    return np.unique([int(np.argmin(np.abs(problem.output_times - s))) for s in times])


def begin(problem, times: np.ndarray) -> tuple[Analysis, "Comparer", np.ndarray, np.ndarray]:
    """The start of every family's analysis: an empty record (its clock started), the comparer of the case's
    tolerances, and the save indices / times of the measurement times."""
    out = Analysis(measure_s=time.perf_counter())
    idx = save_indices(problem, measurement_times(problem))
    return out, Comparer(problem.case), idx, np.asarray(times)[idx]


def finish(out: Analysis, comparer: "Comparer") -> Analysis:
    """The comparisons collected, and the measuring time (``measure_s``) since :func:`begin`."""
    out.comparisons = comparer.items
    out.measure_s = time.perf_counter() - out.measure_s - out.sides_s
    return out


class Comparer:
    """Collects comparisons, applying the case's [compare.*] tolerances over the defaults."""

    def __init__(self, case):
        self.case, self.items = case, []

    def add(self, quantity, measured, reference, method, at=None, note="", closed_form=None, flags=()):
        cfg = self.case.compare.get(quantity, {})
        if not cfg.get("enabled", True):
            return
        rtol, atol = COMPARISON_DEFAULTS[quantity]
        if "rtol" in cfg or "atol" in cfg:
            rtol, atol = cfg.get("rtol"), cfg.get("atol")
        self.items.append(Comparison(quantity, measured, reference, rtol, atol, method, at, note, closed_form,
                                     flags=tuple(flags)))


def binary_split(problem) -> BinarySplit:
    """Components on either side of the bisector of the two chosen components' means."""
    mix = problem.exact.mixture
    i, j = problem.case["measure"]["components"]
    mid, axis = 0.5 * (mix.means[i] + mix.means[j]), mix.means[j] - mix.means[i]
    side = (mix.means - mid) @ axis
    group_a = [k for k in range(mix.n_components) if side[k] < 0]
    group_b = [k for k in range(mix.n_components) if side[k] >= 0]
    return BinarySplit(mix, group_a, group_b)


def layer_error(problem, out, split, idx):
    grid, exact = problem.grid, problem.exact
    X = grid.coordinates()
    err = np.abs(out.fields["score"] - out.fields["score_exact"])
    if grid.dim == 2:
        err = np.linalg.norm(out.fields["score"] - out.fields["score_exact"], axis=-1)
    P_exact = out.fields["density_exact"]
    floor = problem.case["measure"]["density_floor"]
    values = []
    for j in idx:
        t = out.fields["t"][j]
        tau, scale = float(exact.tau(t)), exact.scale(t)
        try:
            ve_point = split.interface_point(tau)
        except ValueError:
            return None
        point, ell = ve_point / scale, split.width(tau, ve_point) / scale
        if grid.dim == 1:
            dist = np.abs(X - point)
        else:
            dist = np.abs((X - point) @ split.normal(tau, ve_point))
        sel = (dist < 3 * ell) & (P_exact[j] > floor * P_exact[j].max())
        values.append(np.max(err[j][sel]) if sel.any() else np.nan)     # NaN in the layer fails
    return np.array(values)


def pointwise_error(U: np.ndarray, U_exact: np.ndarray, dim: int) -> np.ndarray:
    """``|U - U_exact|`` per point (2D vector fields: the Euclidean norm over the trailing axis)."""
    return np.abs(U - U_exact) if dim == 1 else np.linalg.norm(U - U_exact, axis=-1)


def masked_linf(err: np.ndarray, region: np.ndarray | None, idx, nan: str = "fail") -> np.ndarray:
    """``max |err|`` at the saves ``idx``, over ``region`` (a mask per save; None: everywhere). ``nan = "fail"``
    (np.max) lets a NaN where the region is resolved fail the comparison; ``"skip"`` (np.nanmax) ignores NaNs."""
    reduce = np.max if nan == "fail" else np.nanmax
    if region is None:
        return np.array([reduce(err[j]) for j in idx])
    return np.array([reduce(np.where(region[j], err[j], 0.0)) for j in idx])


def resolved(P_exact: np.ndarray, floor: float) -> np.ndarray:
    """Per save, where the density exceeds ``floor`` times its maximum at that save."""
    n_t = P_exact.shape[0]
    return P_exact > floor * P_exact.reshape(n_t, -1).max(axis=1).reshape((n_t,) + (1,) * (P_exact.ndim - 1))


def first_merge(counts: np.ndarray) -> int | None:
    """The index ``j`` of the first save pair with ``counts[j] > 1`` and ``counts[j + 1] == 1``, or None."""
    merged = np.nonzero((counts[1:] == 1) & (counts[:-1] > 1))[0]
    return int(merged[0]) if merged.size else None


def bisect_merge(lo: float, hi: float, several_modes: Callable[[float], bool],
                 wide: Callable[[float, float], bool]) -> tuple[float, float]:
    """Bisection of a mode-merge bracket: ``several_modes(mid)`` keeps the lower end, else the upper, while
    ``wide(lo, hi)``. The bracket's parameter is the caller's (time, or the fraction of a save interval)."""
    while wide(lo, hi):
        mid = 0.5 * (lo + hi)
        if several_modes(mid):
            lo = mid
        else:
            hi = mid
    return lo, hi


def mode_merge_reintegrated(problem, integration, out, comparer) -> None:
    """``mode_merge_time`` of a time loop (1D): the first save with one mode (``problem.count_modes``), bisected
    by re-integrating from the last multimodal state to :data:`MERGE_TOLERANCE` of the run length; reference:
    the fold ``u = u_x = 0`` of the closed-form mixture."""
    t_all, P = integration.times, integration.fields
    counts = np.array([problem.count_modes(p, t) for p, t in zip(P, t_all)])
    out.series["modes"] = counts.astype(float)
    ref = mode_merge(problem.exact.mixture, float(problem.exact.tau(t_all[-1])) * 1.5 + 1.0)
    t_merge = None if ref is None else float(problem.exact.t_of_tau(ref[1]))
    t_ref = t_merge if t_merge is not None and t_all[0] < t_merge <= t_all[-1] else None
    j = first_merge(counts)
    t_meas = None
    if j is not None:
        last = {"t": t_all[j], "u": P[j].copy()}        # the latest state known to have several modes

        def several_modes(mid):
            u_mid = last["u"].copy()
            advance(problem, u_mid, last["t"], mid)
            if problem.count_modes(u_mid, mid) > 1:
                last.update(t=mid, u=u_mid)
                return True
            return False

        span = t_all[-1] - t_all[0]
        lo, hi = bisect_merge(t_all[j], t_all[j + 1], several_modes, lambda lo, hi: hi - lo > MERGE_TOLERANCE * span)
        t_meas = 0.5 * (lo + hi)
    note = "" if t_ref is not None else ("unimodal from the start" if ref is None else
                                         f"mode merging at t = {t_merge:.6g}, outside the run")
    comparer.add("mode_merge_time", t_meas, t_ref,
                 "first save with one mode, bisected by re-integration from the previous save; modes from "
                 "sign changes of the computed score (extrema refined by parabolas)", note=note)
