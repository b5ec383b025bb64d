"""Error floors of a convergence study, and the order assessment that leaves the levels at the floor out.

Why: refining a case that is already accurate only adds round-off. ``heat_symmetric_1d`` (central4 + rk4 at
``dt = "auto"``, 1536 points) has a density error of 6e-11; refined, it grows to 2.8e-11 and 1.1e-10 (observed
"orders" -1.8 and -2.0). Those levels measure the arithmetic, not the scheme, so they are marked **at floor**,
left out of the order, and a measure with fewer than two levels above its floor is **not assessable** (no
verdict, exit 0) instead of failing or passing.

The floor of a measure at one level is the sum of two bounds (``N`` time steps, ``h`` the smallest spacing,
``eps`` machine epsilon, ``U`` the largest ``|u|`` where the measure looks, ``L`` the largest ``|log p|`` there):

1. **Round-off of the computed state: ``eps * N``, relative.** Every step rounds the state with relative error
   of order ``eps`` (an explicit step within its stability limit, or a contractive implicit one, does not amplify
   it), and these errors add up *linearly*, not as a random walk: in ``heat_symmetric_1d`` the refined levels'
   density errors are 0.33, 0.30 and 0.30 of ``eps N`` after ``N`` = 1.0e5, 4.2e5 and 1.7e6 steps, where
   ``eps sqrt(N)`` would be 1e-13 (rounding in the stencil sums is biased, not random). Per measure:

   * a relative norm of the state (heat ``density_l2_error``, Burgers ``score_l2_error``): ``eps N``;
   * the max error of the state itself (Burgers ``score_linf_error``; the state is the score): ``eps N U``;
   * heat ``score_linf_error``, where ``u = d/dx log p`` is differenced from the computed density: the
     accumulated part of ``dp/p`` varies on the solution's own scale, so its derivative is about ``eps N U``;
     the rounding of ``log p`` itself (absolute ``eps L``) differs from point to point, and a first-derivative
     stencil amplifies such noise by at most ``pi / h`` (the largest Fourier symbol, that of the spectral
     derivative; central2 and central4 have 1 and 1.37): ``eps (N U + pi L / h)``;
   * self-convergence differences (``--refine time``): both levels round, ``eps (N_l + N_l+1)`` (times
     ``max |u|`` for the max norm).

2. **Reference precision, relative to the same scale.** The closed forms (Gaussian mixtures, sines, the
   travelling shock) are evaluated in double precision with a few dozen roundings through ``exp``/``log``/
   ``logaddexp``: ``1e-14``. Quadrature references (the double well, ``cheap = False``) are accurate to the
   quadrature's relative ``1e-12``. An exact object may state its own ``reference_rtol``. Event references are
   root finders (mode-merge fold to ``1e-12``, speciation ``brentq`` to ``1e-14``) and the mode-merge bisection
   of runs (``MERGE_TOLERANCE``, ``1e-9`` of the run length, ``solvers/analysis/common.py``); a measure of that
   name gets that relative floor (:data:`EVENT_RTOL`), although the study's measures are final-state errors.

A level is at the floor when its error is within :data:`FLOOR_FACTOR` (10) of that sum: the estimates are
order-of-magnitude bounds, and an error only 10x above the floor already carries up to 10% of round-off, i.e.
an EOC off by ``log2(1.1)`` ~ 0.14 at most. The order is the EOC of the two finest levels above the floor (the
asymptotic end of the range); it fails only when it misses the scheme's order by more than the tolerance.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

EPS = float(np.finfo(float).eps)
FLOOR_FACTOR = 10.0
CLOSED_FORM_RTOL = 1e-14
QUADRATURE_RTOL = 1e-12
STENCIL_AMPLIFICATION = math.pi          # max |symbol| * h of a first-derivative operator (spectral: pi)
EVENT_RTOL = {"mode_merge_time": 1e-9, "speciation_time": 1e-12}   # bisection / root finders (see above)

SPECTRAL_PLATEAU = 1e-11     # spectral levels below this count as converged (FFT round-off is not in rule 1)
NOT_ASSESSABLE = "not assessable: at floor"


def reference_rtol(exact) -> float:
    """Relative precision of the closed-form (or quadrature) reference ``exact``."""
    stated = getattr(exact, "reference_rtol", None)
    if stated is not None:
        return float(stated)
    return CLOSED_FORM_RTOL if getattr(exact, "cheap", True) else QUADRATURE_RTOL


def _max_abs(u: np.ndarray, region: np.ndarray, dim: int) -> float:
    mag = np.abs(u) if dim == 1 else np.linalg.norm(u, axis=-1)
    values = mag[region & np.isfinite(mag)]
    return float(values.max()) if values.size else 0.0


def level_floors(problem, final: np.ndarray, t_end: float, steps: int, names) -> dict[str, float]:
    """The floor of each error measure in ``names`` for one level (rule 1 + rule 2 of the module docstring).

    The scales ``U`` and ``L`` are taken from the computed final state (it agrees with the reference to the
    error, which is what matters only where the error is near the floor), over the region the measure uses.
    """
    from ..measurements.derivatives import score_from_density

    grid, exact, case = problem.grid, problem.exact, problem.case
    n_steps = max(int(steps), 1)
    ref = reference_rtol(exact)
    cut = case["measure"]["density_floor"]
    h = float(min(grid.spacing))
    final = np.asarray(final, dtype=float)
    out = {}
    if not hasattr(problem, "score_of"):      # the state is a density (heat), else a score (Burgers)
        region = final > cut * np.nanmax(final)
        with np.errstate(divide="ignore", invalid="ignore"):
            logp = np.abs(np.log(np.where(region, final, 1.0)))
        scale_l = float(np.nanmax(logp)) if region.any() else 0.0
        scale_u = 0.0
        if getattr(exact, "has_score", False):
            u = score_from_density(final, grid.spacing, problem.space.name, problem.periodic)
            scale_u = _max_abs(u, region, grid.dim)
        noise = STENCIL_AMPLIFICATION * scale_l / h          # rounding of log p, through the derivative
        rules = {"density_l2_error": EPS * n_steps + ref,
                 "score_linf_error": EPS * (n_steps * scale_u + noise) + ref * scale_u}
    else:
        u = problem.score_of(final)
        region = np.ones(u.shape[:grid.dim], dtype=bool)
        if getattr(exact, "has_density", True) and getattr(exact, "cheap", True) and not hasattr(exact, "interface"):
            p = exact.density(grid.coordinates(), t_end)
            region = p > cut * p.max()
        scale_u = _max_abs(u, region, grid.dim)
        rules = {"score_l2_error": EPS * n_steps + ref, "score_linf_error": (EPS * n_steps + ref) * scale_u}
    for name in names:
        out[name] = rules.get(name, EPS * n_steps + EVENT_RTOL.get(name, ref))
    return out


def self_difference_floors(finals, steps) -> dict[str, np.ndarray]:
    """Floors of ``|u_l - u_l+1|`` (``--refine time``): both levels' round-off, ``eps (N_l + N_l+1)``, relative
    for the L2 difference and times ``max |u|`` for the max difference; the last entry is NaN (no difference)."""
    n = np.maximum(np.asarray(steps, dtype=float), 1.0)
    rel = EPS * (n[:-1] + n[1:])
    scale = np.array([float(np.nanmax(np.abs(f))) for f in finals[1:]])
    return {"self_l2_difference": np.append(rel, np.nan), "self_linf_difference": np.append(rel * scale, np.nan)}


@dataclass
class Assessment:
    """The verdict on one error measure: EOC per level, the floor marks, the order and how it was obtained."""

    error: np.ndarray
    floor: np.ndarray
    at_floor: np.ndarray
    eoc: np.ndarray
    observed: float = math.nan
    passed: bool | None = None           # None: not assessable (no verdict)
    assessment: str = NOT_ASSESSABLE
    fit_levels: list[int] = field(default_factory=list)


def successive_eoc(error: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """``eoc[l] = log(e_l-1 / e_l) / log(s_l-1 / s_l)`` over the finite errors in order (``eoc[0] = NaN``)."""
    eoc = np.full(error.size, np.nan)
    idx = np.flatnonzero(np.isfinite(error) & (error > 0))
    for a, b in zip(idx[:-1], idx[1:]):
        eoc[b] = np.log(error[a] / error[b]) / np.log(scale[a] / scale[b])
    return eoc


def assess(error, floor, scale, levels, expected: float, tolerance: float) -> Assessment:
    """The order of one measure over its levels above the floor.

    ``error``, ``floor``, ``scale`` (h, or dt for ``--refine time``) and ``levels`` (level numbers) are per
    level. Finite ``expected``: the EOC of the two finest levels above the floor, passed when within
    ``tolerance`` of ``expected`` (two-sided). NaN ``expected`` (spectral): every step between successive levels
    above the floor gains at least 10x or ends below :data:`SPECTRAL_PLATEAU`. Fewer than two levels above the floor: not assessable, ``passed = None``.
    """
    error, floor = np.asarray(error, dtype=float), np.asarray(floor, dtype=float)
    scale = np.asarray(scale, dtype=float)
    finite = np.isfinite(error)
    at_floor = finite & (error <= FLOOR_FACTOR * np.where(np.isfinite(floor), floor, 0.0))
    eoc = successive_eoc(error, scale)
    out = Assessment(error=error, floor=floor, at_floor=at_floor, eoc=eoc)
    above = np.flatnonzero(finite & ~at_floor & (error > 0))
    above = above[np.argsort(-scale[above], kind="stable")]          # coarse to fine
    if above.size < 2:
        return out
    if np.isfinite(expected):
        i, j = above[-2], above[-1]
        out.observed = float(np.log(error[i] / error[j]) / np.log(scale[i] / scale[j]))
        out.passed = bool(abs(out.observed - expected) <= tolerance)
        out.assessment = "order met" if out.passed else "order missed"
        out.fit_levels = [int(levels[i]), int(levels[j])]
    else:
        ratios = error[above[1:]] / error[above[:-1]]
        out.observed = float(np.max(np.log(1.0 / ratios) / np.log(scale[above[:-1]] / scale[above[1:]])))
        out.passed = bool(np.all((ratios < 0.1) | (error[above[1:]] < SPECTRAL_PLATEAU)))
        out.assessment = "exponential" if out.passed else "not exponential"
        out.fit_levels = [int(levels[k]) for k in above]
    return out
