"""Resolution is input (CONTRACT.md): a grid that cannot resolve the narrowest interface layer a run will meet
is refused before the run (exit 2), unless the case opts out with ``[measure] allow_under_resolved = true``.

What is checked. Gaussian-mixture data with at least two components has the interface layer of the binary
split (ANALYTIC §3, §7: ``measure.components`` are the two measured components, every other component joins
the side of the nearer one), of closed-form width ``ell = 2/|grad r|`` at the interface point ``r = 0``
between the two sides. The width changes along the run (``S/a`` grows with the VE time ``tau`` for equal
stds, but unequal stds or weights can make it shrink first), so ``ell`` is minimised over the VE times the run
covers, sampled at :data:`SAMPLES` equal steps of the run's own time plus the endpoints:

* heat / Burgers, VE: ``tau = 2 nu t`` for ``t`` in ``[time.start, time.stop]``;
* VP: ``tau(t) = exp(B(t)) - 1`` from the schedule, and the VE width mapped to the run's coordinates by the
  scale ``e^{-B(t)/2}`` (ANALYTIC §4: ``x = e^{-B/2} y``);
* a family may state its own span of VE times (:attr:`~solvers.config.consistency.CaseRules.layer_span`,
  ``tau`` at ``time.start`` and at ``time.stop``, linear in between): the generative MFG
  (``terminal = "data_log_density"``, ``nu = 1/2``) meets the data itself (``tau = 0``) at the terminal time,
  ``tau = stop - t``; the linear-quadratic MFG's density is no heat flow of the data, and only the data
  ``m_0`` (``tau = 0``) is checked.

The rule: ``ell_min >= MIN_LAYER_CELLS * h`` with ``h`` the largest grid spacing. The width is the one of the
closed form without periodic images (on a periodic grid the images change it by far less than a cell).
Other data (one component, ``sine``, ``double_well``, ``travelling_shock``) keep the rules of
:mod:`solvers.config.consistency` (spacing at most the narrowest std, the well std, the shock width).

Why ``MIN_LAYER_CELLS = 2``: the shipped 1D cases run at ``ell(0)/h = 1, 1.5, 2, 3, 4`` (``gridshock run
--set grid.points=[...]``, everything else as shipped; errors are the largest over the measurement times,
``interface_width`` and ``speciation_time`` relative, ``layer_linf_error`` absolute at the first measurement
time; the project's default tolerances are 1e-3 relative for the width and the speciation time, 1e-2 for the
score errors):

==================================  =====  ===============  ===============  ================
case (scheme)                       ell/h  speciation_time  interface_width  layer_linf_error
==================================  =====  ===============  ===============  ================
burgers_symmetric_1d                  1.0           3.7e-3           9.6e-3            1.2e-2
(weno5 + ssprk3, ell(0) = 0.0625)     1.5           6.8e-4           1.8e-3            2.3e-3
                                      2.0           1.8e-4           4.7e-4            6.2e-4
                                      3.0           2.3e-5           6.4e-5            8.4e-5
                                      4.0           5.5e-6           1.5e-5            2.0e-5
heat_periodic_spectral_1d             1.0           2.1e-5           3.5e-4            1.3e-3
(spectral + integrating factor,       1.5           3.8e-6           1.5e-5            8.4e-5
ell(0) = 0.1125)                      2.0           1.2e-6           7.0e-7            5.2e-6
                                      3.0           2.3e-7           2.0e-9            2.2e-8
                                      4.0           6.8e-8           9.0e-11           9.6e-11
heat_weighted_1d                      1.0           6.6e-4           5.9e-2            1.4e-1
(central2 + Crank-Nicolson,           1.5           2.6e-4           2.7e-2            6.3e-2
ell(0) = 0.0625)                      2.0           1.4e-4           1.6e-2            3.6e-2
                                      3.0           6.0e-5           7.0e-3            1.6e-2
                                      4.0           3.4e-5           4.0e-3            9.0e-3
==================================  =====  ===============  ===============  ================

WENO5 is pre-asymptotic below two cells per width (observed order 4.2-4.7 from 1 to 2, 5.0 from 2 on) and
meets the default tolerances from ``ell/h = 2`` on, not at 1.5 (width 1.8e-3); at one cell per width even the
spectral run misses the default score tolerance (``score_linf_error`` 7.2e-2, 5.1e-3 at 1.5, 3.5e-4 at 2).
The second-order run converges at its order throughout and needs ``ell/h`` near 8 for its width: how much
finer than the floor a case must be is its tolerances' business, not this check's.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..closed_forms.binary import BinarySplit
from ..closed_forms.mixture import GaussianMixture
from .case import Case

MIN_LAYER_CELLS = 2.0      # grid cells per interface width ell = 2/|grad r| (evidence in the module docstring)
SAMPLES = 200              # equal steps of the run's time at which ell is evaluated (plus both endpoints)
MAX_POINTS = 2.0 ** 62     # beyond, a least grid.points is no TOML integer worth stating
_EXPANSIONS = 40           # bracket doublings of the interface search (as BinarySplit.interface_point)
OPT_OUT = "measure.allow_under_resolved"
FLAG = "under_resolved"


@dataclass(frozen=True)
class Layer:
    """The narrowest interface layer of a run: its width ``ell`` in the run's coordinates, the run time ``t``
    (and VE time ``tau``) where it occurs and the interface point there (run coordinates)."""

    width: float
    time: float
    tau: float
    point: tuple[float, ...]

    def where(self) -> str:
        point = ", ".join(f"{v:.4g}" for v in self.point)
        return f"ell = {self.width:.4g} at t = {self.time:.4g} (tau = {self.tau:.4g}), x = ({point})"


def mixture_of(case: Case) -> GaussianMixture | None:
    """The data mixture of a validated case (None for other data)."""
    data = case["data"]
    if data["kind"] != "gaussian_mixture":
        return None
    means = np.asarray(data["means"], dtype=float).reshape(len(data["weights"]), case.dim)
    return GaussianMixture(data["weights"], means, data["stds"])


def split_of(mixture: GaussianMixture, components) -> BinarySplit | None:
    """The binary split of the measured pair (ANALYTIC §7): components on either side of the bisector of the
    two measured means (ties join the second side, as the analysis does); None with fewer than two."""
    i, j = components
    if mixture.n_components < 2 or i == j:
        return None
    mu = mixture.means
    mid, axis = 0.5 * (mu[i] + mu[j]), mu[j] - mu[i]
    side = (mu - mid) @ axis
    group_a = [k for k in range(mixture.n_components) if side[k] < 0]
    group_b = [k for k in range(mixture.n_components) if side[k] >= 0]
    return BinarySplit(mixture, group_a, group_b)


def run_times(case: Case, rules) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(t, tau, scale)``: the run times sampled, their VE times and coordinate scales (``x = y / scale``)."""
    start, stop = float(case["time"]["start"]), float(case["time"]["stop"])
    t = np.unique(np.concatenate([np.linspace(start, stop, SAMPLES + 1), [start, stop]]))
    span = rules.layer_span(case) if getattr(rules, "layer_span", None) is not None else None
    if span is not None:                    # (tau at time.start, tau at time.stop), linear in between
        first, last = (float(v) for v in span)
        if first == last:
            t = t[:1]
        tau = first + (last - first) * (t - start) / (stop - start)
        return t, tau, np.ones_like(t)
    if case["process"]["kind"] == "vp":
        from ..closed_forms.vp import make_schedule
        p = case["process"]
        sched = (make_schedule("constant", beta=p["beta"]) if p["schedule"] == "constant"
                 else make_schedule("linear", beta_min=p["beta_min"], beta_max=p["beta_max"]))
        with np.errstate(over="ignore"):
            return t, np.asarray(sched.tau(t), dtype=float), np.exp(0.5 * np.asarray(sched.B(t), dtype=float))
    return t, 2.0 * float(case["method"]["nu"]) * t, np.ones_like(t)


def _bisect(f, lo: np.ndarray, hi: np.ndarray, iterations: int = 80) -> np.ndarray:
    """Vectorised bisection of ``f`` (one root per entry, ``f(lo)`` and ``f(hi)`` of opposite signs or zero)."""
    flo = f(lo)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        fm = f(mid)
        left = np.sign(fm) == np.sign(flo)
        lo, flo = np.where(left, mid, lo), np.where(left, fm, flo)
        hi = np.where(left, hi, mid)
    return 0.5 * (lo + hi)


def _roots_on_line(split: BinarySplit, tau: np.ndarray, a, b, expand: bool):
    """Per VE time, a root of ``r`` on the line ``a + s (b - a)`` (points ``(n, d)``, NaN where none): the
    segment ``s in [0, 1]`` first, widened like :meth:`BinarySplit.interface_point` when ``expand``."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    dim = split.mixture.dim

    def r(s):
        pts = a + s[:, None] * (b - a)
        return split.log_ratio(pts[:, 0] if dim == 1 else pts, tau)

    lo, hi = np.zeros_like(tau), np.ones_like(tau)
    flo, fhi = r(lo), r(hi)
    found = (np.sign(flo) != np.sign(fhi)) | (flo == 0) | (fhi == 0)
    width = hi - lo
    for _ in range(_EXPANSIONS if expand else 0):
        if found.all():
            break
        lo, hi = np.where(found, lo, lo - width), np.where(found, hi, hi + width)
        width = np.where(found, width, 2 * width)
        flo, fhi = r(lo), r(hi)
        found = (np.sign(flo) != np.sign(fhi)) | (flo == 0) | (fhi == 0)
    found &= np.isfinite(flo) & np.isfinite(fhi)
    s0 = _bisect(r, lo, hi)
    return np.where(found[:, None], a + s0[:, None] * (b - a), np.nan)


def interface_points(split: BinarySplit, tau: np.ndarray) -> list[np.ndarray]:
    """Points of the interface ``r = 0`` at each VE time of ``tau``, each an ``(n, d)`` array (NaN rows: no
    such point at that time): the one on the line between the two sides' means (the analysis' interface,
    which may leave the segment, ANALYTIC §3b) and, in 2D, the pass between every pair of components on
    opposite sides whose segment ``r`` crosses (a contour carries one pass per pair it separates, ANALYTIC
    §7). No density floor: the solver meets the layer wherever it is (the generative MFG's terminal cost has
    it where ``p_0`` is 1e-4 of its peak)."""
    mix = split.mixture
    out = [_roots_on_line(split, tau, split.part_a.mean(), split.part_b.mean(), expand=True)]
    if mix.dim == 2:
        out += [_roots_on_line(split, tau, mix.means[k], mix.means[j], expand=False)
                for k in split.group_a for j in split.group_b]
    return out


def narrowest_layer(case: Case, rules) -> Layer | None:
    """The narrowest interface layer the run meets, at an interface point inside the grid's box (None: no mixture
    interface there to resolve)."""
    mixture = mixture_of(case)
    if mixture is None:
        return None
    split = split_of(mixture, case["measure"]["components"])
    if split is None:
        return None
    t, tau, scale = run_times(case, rules)
    lower, upper = np.asarray(case["grid"]["lower"], dtype=float), np.asarray(case["grid"]["upper"], dtype=float)
    best = None
    with np.errstate(all="ignore"):
        try:
            lines = interface_points(split, tau)
        except (ValueError, ArithmeticError):     # closed forms out of double range: no layer to state
            return None
        for points in lines:
            pts = np.nan_to_num(points)
            x = pts[:, 0] if mixture.dim == 1 else pts
            grad_r = split.part_a.score(x, tau) - split.part_b.score(x, tau)      # ANALYTIC §3: u_A - u_B
            width = 2.0 / np.linalg.norm(np.reshape(grad_r, (tau.size, -1)), axis=1) / scale
            run_points = points / scale[:, None]
            inside = np.all((run_points >= lower) & (run_points <= upper), axis=1)   # the grid meets it
            width[~inside | ~np.isfinite(width) | (width <= 0)] = np.inf
            i = int(np.argmin(width))
            if np.isfinite(width[i]) and (best is None or width[i] < best.width):
                best = Layer(float(width[i]), float(t[i]), float(tau[i]), tuple(float(v) for v in run_points[i]))
    return best


def resolves(case: Case, points, width: float) -> bool:
    """Whether ``points`` per axis give a spacing of at most ``width / MIN_LAYER_CELLS`` on every axis."""
    g = case["grid"]
    return all(MIN_LAYER_CELLS * ((float(hi) - float(lo)) / float(n)) <= width
               for lo, hi, n in zip(g["lower"], g["upper"], points))


def least_points(case: Case, width: float) -> list[int]:
    """The least ``grid.points`` (per axis, never below the case's own) that resolve a layer of ``width``."""
    g, out = case["grid"], []
    for lo, hi, n in zip(g["lower"], g["upper"], g["points"]):
        length = float(hi) - float(lo)
        ratio = MIN_LAYER_CELLS * length / width
        if not ratio < MAX_POINTS:
            raise OverflowError(f"more than {MAX_POINTS:.3g} points per axis")
        need = max(int(n), math.ceil(ratio))
        for _ in range(4):                  # the rounding of the division, either way
            if MIN_LAYER_CELLS * (length / need) > width:
                need += 1
            elif need - 1 >= int(n) and MIN_LAYER_CELLS * (length / (need - 1)) <= width:
                need -= 1
            else:
                break
        out.append(need)
    return out


def check_resolution(case: Case, rules) -> None:
    """Refuse (InputError on ``grid.points``, naming the least value) a grid too coarse for the narrowest layer;
    with ``measure.allow_under_resolved = true`` record the finding on ``case.under_resolved`` instead."""
    case.under_resolved = None
    layer = narrowest_layer(case, rules)
    if layer is None or resolves(case, case["grid"]["points"], layer.width):
        return
    h = max(case.spacing)
    finding = (f"the narrowest interface layer, {layer.where()}, spans {layer.width / h:.3g} cells of "
               f"h = {h:.4g}; resolving it needs {MIN_LAYER_CELLS:g}")
    if case["measure"]["allow_under_resolved"]:
        case.under_resolved = finding
        return
    try:
        least = f"at least {least_points(case, layer.width)}"
    except OverflowError as exc:
        least = f"a finer grid ({exc})"
    raise case.error("grid.points", case["grid"]["points"],
                     f"{least} (spacing <= ell / {MIN_LAYER_CELLS:g} = {layer.width / MIN_LAYER_CELLS:.4g}), "
                     f"or {OPT_OUT} = true to run with every measurement flagged {FLAG}", reason=finding)
