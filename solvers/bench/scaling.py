"""How the time per step grows with the grid: the fitted slope of ``log(time per step)`` against ``log N``.

Three 1D heat steps (``central2``, ``nu = 1/2``, periodic) over ``N = 1e3 .. 1e7``: forward Euler (one fused
stencil sweep), Crank-Nicolson with the cyclic Thomas factors reused (tridiagonal-implicit), and the Fourier
step (``rfft``, multiply by the scheme's amplification factor, ``irfft``: one call of ``advance`` per step). The
first two should scale like ``N`` (slope 1.0 +- 0.1); the spectral one like ``N log N``, whose own fitted slope
over the same sizes is reported as ``scaling_exponent_nlogn_reference`` (the target is within 0.15 of it). At
each size the three and a STREAM copy pass are timed round-robin: the memory hierarchy shows up as the cache
levels are left behind (1e3-3e4 doubles live in L1/L2, 1e6 in L3, 1e7 in DRAM), and the copy's own slope,
reported beside them, is what a purely memory-bound step cannot beat. The explicit and implicit steppers copy
the state in and out once per call, so each call makes at least ``MIN_STEPS`` steps (that copy then weighs
2 % at most); the spectral step is one whole call.

The fitted slopes are taken on one thread (numba's thread count set to 1 around each call): the cost growth of
the algorithm and the memory hierarchy, not the thread policy (whose switch from one to two threads at a grid
size would tilt the fit). The explicit step on the default threads is timed beside them and its slope reported
apart (``explicit_default_threads``). The explicit step is the stepper users get: temporally tiled from
:data:`~solvers.integrators.steppers.TILED_MIN_POINTS` (:mod:`solvers.kernels.temporal_tiling`), so it stays
in cache at every size and its slope is that of an in-cache sweep, not of the copy.
"""
from __future__ import annotations

import math

import numba

import numpy as np

from ..equations.heat import SpectralDiffusion
from ..grids import UniformGrid
from ..integrators import TIME_SCHEMES
from ..integrators.steppers import make_stepper
from .heat import NU, heat_stepper, initial
from .memory import CopyBench
from .timing import calls_for, first_call, fitted_slope, median, per_step, round_robin

KINDS = ("explicit", "implicit_tridiagonal", "spectral")
MIN_STEPS = {"explicit": 50, "implicit_tridiagonal": 10, "spectral": 1, "copy": 50, "explicit_default_threads": 50}


def _one_thread(fn):
    """``fn`` run with numba's thread count set to 1 (restored afterwards)."""
    def run(k):
        previous = numba.get_num_threads()
        numba.set_num_threads(1)
        try:
            return fn(k)
        finally:
            numba.set_num_threads(previous)
    return run


def _spectral_stepper(n: int):
    grid = UniformGrid((0.0,), (2 * np.pi,), (n,))
    return grid, make_stepper(SpectralDiffusion(grid, NU), TIME_SCHEMES.get("crank_nicolson"), 1e-3)


def _steppers(n: int):
    g1, explicit, _ = heat_stepper(1, n, "euler")
    _, implicit, _ = heat_stepper(1, n, "crank_nicolson")
    _, spectral = _spectral_stepper(n)
    u = {k: initial(g1) for k in KINDS + ("explicit_default_threads",)}
    copy = CopyBench(n)
    return {"explicit": _one_thread(lambda k: explicit.advance(u["explicit"], 0.0, k)),
            "implicit_tridiagonal": _one_thread(lambda k: implicit.advance(u["implicit_tridiagonal"], 0.0, k)),
            "spectral": _one_thread(lambda k: [spectral.advance(u["spectral"], 0.0, 1) for _ in range(k)]),
            "copy": copy.run,
            "explicit_default_threads": lambda k: explicit.advance(u["explicit_default_threads"], 0.0, k)}


def nlogn_slope(sizes: list[int]) -> float:
    return fitted_slope(sizes, [n * math.log(n) for n in sizes])


def scaling(sizes: list[int], repeats: int, min_call_s: float) -> dict:
    rows = []
    for n in sizes:
        steps_fn = _steppers(n)
        for fn in steps_fn.values():
            first_call(lambda: fn(1))
        steps = {k: calls_for(fn, min_call_s, min_steps=MIN_STEPS[k]) for k, fn in steps_fn.items()}
        t = round_robin({k: (lambda k=k: steps_fn[k](steps[k])) for k in steps_fn}, repeats)
        rows.append({"n": n, **{f"{k}_step_s": median(per_step(t[k], steps[k])) for k in steps_fn}})
    out = {"sizes": sizes, "repeats": repeats, "rows": rows,
           "nlogn_reference": nlogn_slope(sizes)}
    for k in KINDS + ("copy", "explicit_default_threads"):
        out[k] = fitted_slope(sizes, [r[f"{k}_step_s"] for r in rows])
    return out
