"""Limits of a run, checked before anything is allocated: memory, time steps, and horizons that double
precision cannot follow. Each refusal is an InputError (exit 2) naming the key, its value and what is allowed.

* :func:`check_memory` (from :func:`~solvers.config.case.load_case`, after the key checks): a lower-bound
  estimate of the bytes the run holds at once, ``grid points x 8 bytes x (stored levels x arrays per level +
  work arrays)`` (heat / burgers: the saved snapshots, ``time.saves + 1`` plus the measurement times, of the
  solution and of the fields the analysis derives from it; mfg: every time level of ``m``, ``phi`` and the outer
  solver's arrays), compared with the memory this machine has available (``MemAvailable`` of ``/proc/meminfo``,
  else the physical memory). A run that cannot fit is refused as invalid input (exit 2) naming
  ``grid.points`` (one level alone does not fit) or ``time.saves`` / ``time.dt`` (the levels do not).
* :func:`check_steps` (from the problem builders, once ``dt`` is known): at most :data:`MAX_STEPS` time steps;
  a larger count (a tiny ``time.dt``, a huge ``time.stop``, or ``dt = "auto"`` driven to nothing by a huge
  ``method.nu`` on a fine grid) would run for days or overflow the step counters.
* :func:`check_vp_horizon` (from ``load_case``, before the data / grid checks): a VP run's integrated schedule
  ``B(time.stop)`` at most :data:`VP_MAX_B`.
* :func:`check_time_resolution` (from ``load_case``): save intervals of at least :data:`MIN_INTERVAL` (relative).
* :func:`check_periodic_spread` (from ``load_case``): on a fully periodic grid a mixture component may be at
  most :data:`MAX_PERIODS` periods wide up to ``time.stop``; wider, the periodic density is uniform to
  round-off and its image sum has no bounded number of terms.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Callable

from .case import Case

MAX_STEPS = 10**9               # time steps of one run
MAX_PERIODS = 2.0               # widest std of a periodic mixture, in periods
VP_MAX_B = 100.0                # largest integrated VP schedule B(time.stop)
MIN_INTERVAL = 1e-10            # shortest save interval, relative to max(1, |time.stop|)
BYTES = 8                       # float64
WORK_ARRAYS = 64                # grid-sized arrays of one step and of the measurements, besides the stored levels
_GIB = 2.0 ** 30


def available_memory() -> float:
    """Bytes this process can still allocate without swapping (MemAvailable), else the physical memory."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024.0
    except (OSError, ValueError, IndexError):
        pass
    try:
        return float(os.sysconf("SC_PHYS_PAGES")) * float(os.sysconf("SC_PAGE_SIZE"))
    except (OSError, ValueError, AttributeError):
        return math.inf


def grid_points(case: Case) -> float:
    """Number of grid points (a float: validated point counts may still be far beyond any machine)."""
    return math.prod(float(n) for n in case["grid"]["points"])


@dataclass(frozen=True)
class RunSize:
    """What a run of an equation family holds and steps through, for the up-front limits (the family states it:
    :meth:`solvers.families.EquationFamily.run_size`).

    ``arrays_per_level``: grid-sized float64 arrays held per stored level (the fields and what the analysis
    derives from them); ``stored_levels``: levels held at once; ``level_word``: what a level is (in messages);
    ``intervals``: the parts the horizon is cut into at least (save intervals; MFG: two time levels);
    ``spread_nu`` / ``spread_tau``: the diffusivity and the largest VE time the data is noised to (periodic
    spread); ``levels_key`` / ``levels_value`` / ``levels_allowed``: the key to name when the levels do not fit
    (``levels_allowed(fit)`` says what is allowed, ``fit`` the number of levels that fit)."""

    arrays_per_level: int
    stored_levels: float
    level_word: str
    intervals: int
    spread_nu: float
    spread_tau: float
    levels_key: str
    levels_value: object
    levels_allowed: Callable[[float], str]


def estimate_memory(case: Case, size: RunSize) -> tuple[float, float, str]:
    """(bytes of the run, bytes of a run with a single stored level, how it was counted): grid points x 8 bytes
    x (stored levels x arrays per level + :data:`WORK_ARRAYS`). A lower bound: measured heat runs of 1e6
    points peak at about 9 arrays per save plus 90 work arrays (sparse factorisations, measurement scratch)."""
    points, levels, arrays = grid_points(case), size.stored_levels, size.arrays_per_level
    per_array = points * BYTES
    return (per_array * (levels * arrays + WORK_ARRAYS), per_array * (arrays + WORK_ARRAYS),
            f"{points:.4g} grid points x {BYTES} bytes x ({levels:.4g} {size.level_word} x {arrays} arrays + "
            f"{WORK_ARRAYS} work arrays)")


def check_memory(case: Case, size: RunSize, available: float | None = None) -> None:
    """Refuse (InputError, exit 2) a run whose fields alone exceed the available memory."""
    available = available_memory() if available is None else available
    total, one, how = estimate_memory(case, size)
    if total <= available:
        return
    levels, arrays, per_point = size.stored_levels, size.arrays_per_level, float(BYTES)
    need = (f"the run needs at least {total / _GIB:.4g} GiB ({how}); this machine has {available / _GIB:.4g} GiB "
            "available")
    if one > available or levels <= 3:
        most = available / (per_point * (levels * arrays + WORK_ARRAYS))
        raise case.error("grid.points", case["grid"]["points"],
                         f"at most {most:.4g} grid points in all (with {levels:.4g} stored levels)", reason=need)
    fit = (available / (grid_points(case) * per_point) - WORK_ARRAYS) / arrays     # stored levels that fit
    raise case.error(size.levels_key, size.levels_value, size.levels_allowed(fit), reason=need)


def check_vp_horizon(case: Case) -> None:
    """VP runs: ``B(time.stop) = int_0^stop beta`` at most :data:`VP_MAX_B` (``tau = e^B - 1`` overflows past
    ``B = 709``; at ``B = 100`` the data is forgotten to ``e^-100``). Runs before the data / grid checks,
    which evaluate the schedule at ``time.start``; invalid schedule parameters are left to them."""
    p, stop = case["process"], float(case["time"]["stop"])
    if p["kind"] != "vp":
        return
    if p["schedule"] == "constant":
        if not p["beta"] > 0:
            return
        B, stop_max = p["beta"] * stop, VP_MAX_B / p["beta"]
    else:
        bmin, db = p["beta_min"], p["beta_max"] - p["beta_min"]
        if not (bmin >= 0 and db > 0):
            return
        B = stop * (bmin + 0.5 * db * stop)
        stop_max = 2.0 * VP_MAX_B / (bmin + math.sqrt(bmin * bmin + 2.0 * db * VP_MAX_B))
    if not B <= VP_MAX_B:
        raise case.error("time.stop", case["time"]["stop"], f"time.stop <= {stop_max:.6g} (B(stop) = int_0^stop beta "
                         f"<= {VP_MAX_B:g} with this process schedule)",
                         reason=f"B(time.stop) = {B:.4g}: the VP process has forgotten the data long before, and "
                                "tau = e^B - 1 overflows past B = 709")


def check_limits(case: Case, size: RunSize) -> None:
    """The up-front checks of a validated case (called by :func:`~solvers.families.load_case`)."""
    check_time_resolution(case, size)
    check_periodic_spread(case, size)
    check_memory(case, size)


def check_time_resolution(case: Case, size: RunSize) -> None:
    """A save interval (MFG: half the horizon) of at least :data:`MIN_INTERVAL` x max(1, |time.stop|): shorter,
    the output times and steps are not distinct in double precision (a subnormal ``time.stop`` gives dt = 0)."""
    t = case["time"]
    start, stop = float(t["start"]), float(t["stop"])
    parts = size.intervals
    floor = MIN_INTERVAL * max(1.0, abs(stop))
    if (stop - start) / parts < floor:
        if parts > 2 and (stop - start) / 2 >= floor:       # the span is fine: too many saves
            raise case.error("time.saves", t["saves"], f"time.saves <= {int((stop - start) / floor)} (save intervals "
                             f"of at least {MIN_INTERVAL:g} x max(1, |time.stop|): shorter are not resolved in "
                             "double precision)")
        raise case.error("time.stop", t["stop"], f"time.stop >= time.start + {parts} x {floor:.3g} "
                         f"({'two time levels' if parts == 2 else 'time.saves intervals'} of at least "
                         f"{MIN_INTERVAL:g} x max(1, |time.stop|): shorter times are not resolved in double precision)")


def check_periodic_spread(case: Case, size: RunSize) -> None:
    """On a fully periodic grid the mixture is summed over its periodic images (ANALYTIC §2); a component
    wider than :data:`MAX_PERIODS` periods is uniform to round-off there and needs an unbounded image sum."""
    data, grid = case["data"], case["grid"]
    if data["kind"] != "gaussian_mixture" or not _fully_periodic(case):
        return
    period = min(hi - lo for lo, hi in zip(grid["lower"], grid["upper"]))
    s_max = max(float(v) for v in data["stds"])
    widest = MAX_PERIODS * period
    if s_max > widest:
        raise case.error("data.stds", data["stds"], f"stds <= {widest:.6g} ({MAX_PERIODS:g} periods of the periodic "
                                                    "grid; a wider component is uniform to round-off)")
    nu, tau_max = size.spread_nu, size.spread_tau
    if math.hypot(s_max, math.sqrt(tau_max)) > widest:
        stop_max = (widest ** 2 - s_max ** 2) / (2.0 * nu)
        raise case.error("time.stop", case["time"]["stop"], f"time.stop <= {stop_max:.6g} (with method.nu = {nu:g})",
                         reason=f"on the periodic grid the widest component's std at time.stop, "
                                f"sqrt(s^2 + 2 nu stop) = {math.hypot(s_max, math.sqrt(tau_max)):.6g}, exceeds "
                                f"{MAX_PERIODS:g} periods ({widest:.6g}): the density is uniform to round-off there")


def _fully_periodic(case: Case) -> bool:
    spec = case["grid"]["boundary"]
    names = [spec] * case.dim if isinstance(spec, str) else list(spec)
    return all(n == "periodic" for n in names)


def check_steps(case: Case, dt: float, rule: str) -> None:
    """Refuse (InputError, exit 2) a step that gives more than :data:`MAX_STEPS` steps over the run."""
    t, dt = case["time"], float(dt)
    span = float(t["stop"]) - float(t["start"])
    steps = span / dt if dt > 0 else math.inf           # Python floats: inf, not an overflow warning
    if math.isfinite(steps) and steps <= MAX_STEPS:
        return
    reason = f"dt = {dt:.6g} ({rule}) gives {steps:.4g} steps over [{t['start']}, {t['stop']}]"
    if t["dt"] != "auto":
        raise case.error("time.dt", t["dt"], f"a step giving at most {MAX_STEPS:.0e} steps, i.e. "
                                             f"dt >= {span / MAX_STEPS:.6g}", reason=reason)
    raise case.error("time.dt", "auto", f"settings whose automatic step gives at most {MAX_STEPS:.0e} steps "
                                        "(a shorter time.stop, a coarser grid.points, a smaller method.nu or an "
                                        "implicit method.time)", reason=reason)
