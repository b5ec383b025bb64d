"""``gridshock convergence CASE --levels N``: observed orders of convergence (EOC) under refinement.

Level ``l`` multiplies ``grid.points`` by ``2^l``. The time step follows the scheme so that the spatial
order is what is observed: explicit schemes keep ``dt = "auto"`` (the stability limit, ``dt ~ h^q`` with
``q = 2`` where the diffusive limit binds and ``q = 1`` where the advective CFL binds (Burgers), so the time
error is ``O(h^(q p_t))``); implicit schemes scale the level-0 step by ``2^(-l p_s / p_t)`` so the time error
falls at the space order (Burgers: by at least ``2^-l``, the advective CFL of the explicit advective part);
the exact integrating factor needs nothing. The expected order is then
``min(p_s, q p_t)`` for explicit and ``p_s`` otherwise; a spectral space scheme is expected to converge
exponentially (each level at least 10x more accurate until 1e-11). The errors at the final time are, for the
heat equation, the relative discrete L2 error of the density and the max score error where
``p > density_floor * max p``; for Burgers the relative L2 and max errors of the computed score there.
The levels are independent runs, mapped over Dask (:mod:`solvers.studies.executor`).

Every level also gets an error floor per measure (round-off and reference precision, :mod:`.floor`): levels
within 10x of it are marked "at floor" and left out of the order, which is the EOC of the two finest levels
above it; a measure without two such levels is "not assessable: at floor" (no verdict, not a failure).
``direction = "coarsen"`` runs levels ``-(N-1) .. 0`` instead (``grid.points / 2^k``, the step scaled by the
same rule with negative ``l``), so a case tuned for accuracy shows its asymptotic range; a coarse level the
case's own validation refuses (e.g. too few points per std) stops the study up front with that reason.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..analysis.comparison import Comparison
from ..errors import InputError
from ..families import FAMILIES, family_of, load_case
from ..integrators.time_loop import integrate
from ..progress import show_progress
from ..storage.atomic import atomic_h5, atomic_text
from ..storage.results import write_comparisons, write_root_attrs
from .executor import map_tasks
from .floor import FLOOR_FACTOR, assess, level_floors, self_difference_floors

ORDER_TOLERANCE = 0.2
DIRECTIONS = ("refine", "coarsen")


@dataclass
class ConvergenceStudy:
    """The study file and its verdict; ``not_assessable``: measures with fewer than two levels above the floor."""

    path: Path
    passed: bool
    not_assessable: list[str] = field(default_factory=list)


def describe(problem, case) -> dict:
    """Spacing, step and the scheme facts the refinement rules need (no integration)."""
    return dict(h=float(max(problem.grid.spacing)), dt=float(problem.dt),
                space_order=float(getattr(problem, "space_order", problem.space.order)),
                time_order=float(problem.scheme.order), explicit=problem.scheme.explicit,
                dt_auto=case["time"]["dt"] == "auto", name=case.name, case=case,
                dt_scaling=float(getattr(problem, "dt_scaling", 2.0)),
                # Burgers: every time scheme treats advection explicitly, so dt must fall at least like h
                advective_cfl=family_of(case).advection_explicit)


def build(case_path: str, overrides: list[str]):
    """The validated case and its problem (an initial-value family: heat or Burgers)."""
    case = load_case(case_path, overrides)
    family = family_of(case)
    if not family.initial_value:
        allowed = ", ".join(f.name for f in FAMILIES if f.initial_value)
        raise InputError("equation", family.name, f"{allowed} (the study integrates an initial-value problem)")
    return case, family.build(case)


def final_errors(problem, case, final: np.ndarray, t_end: float) -> dict:
    """Errors of the final field against the closed form, as the problem's family states them."""
    return family_of(case).final_errors(problem, final, t_end)


def level_errors(case_path: str, overrides: list[str]) -> dict:
    """One refinement level: run to the final time, return spacing, dt, timings and final-time errors."""
    start = time.perf_counter()
    case, problem = build(case_path, overrides)
    run = integrate(problem)
    info = describe(problem, case)
    info.update(steps=run.steps, run_s=run.run_s, compile_s=run.compile_s, points=int(problem.grid.points[0]))
    info["final"] = np.asarray(run.fields[-1])          # for self-convergence in time
    info["errors"] = final_errors(problem, case, run.fields[-1], run.times[-1])
    info["floor"] = level_floors(problem, run.fields[-1], run.times[-1], run.steps, info["errors"])
    info["wall_s"] = time.perf_counter() - start
    return info


def _level_dt(base, level: int) -> float | None:
    """The step of refinement level ``level`` under ``refine = both`` (None: keep ``dt = "auto"``)."""
    if not base["explicit"] and np.isfinite(base["time_order"]):
        if np.isfinite(base["space_order"]):
            ratio = base["space_order"] / base["time_order"]
            if base.get("advective_cfl", False):       # IMEX / CN-AB2 / ETDRK4: the advective CFL binds too
                ratio = max(ratio, 1.0)
            return base["dt"] * 2.0 ** (-level * ratio)
        return base["dt"] * 2.0 ** -level
    if base["explicit"] and not base["dt_auto"]:
        return base["dt"] * 2.0 ** (-level * base.get("dt_scaling", 2.0))
    return None


def level_numbers(levels: int, direction: str = "refine") -> list[int]:
    """Level ``l`` has ``grid.points x 2^l``: ``0 .. N-1`` refining, ``-(N-1) .. 0`` coarsening (coarse first)."""
    return list(range(levels)) if direction == "refine" else list(range(1 - levels, 1))


def level_overrides(base, levels: int, overrides: list[str], refine: str = "both",
                    direction: str = "refine") -> list[list[str]]:
    """``--set`` lists of every level (:func:`level_numbers`). ``both``: grid x 2^l, dt by :func:`_level_dt`;
    ``space``: grid x 2^l at the finest level's step for all (the time error falls out); ``time``: the base
    grid, dt / 2^l. Coarsening uses the same rules with ``l <= 0``."""
    points = base["case"]["grid"]["points"]
    numbers = level_numbers(levels, direction)
    out = []
    for level in numbers:
        sets = list(overrides) + ["time.saves=2"]
        if refine in ("both", "space"):
            sets.append(f"grid.points={[max(1, round(int(n) * 2.0 ** level)) for n in points]}")
        if refine == "both":
            dt = _level_dt(base, level)
        elif refine == "space":
            finest = _level_dt(base, numbers[-1])
            if finest is None and base["explicit"]:      # dt = "auto" of the finest grid, for every level
                finest = base["dt"] * 2.0 ** (-numbers[-1] * base.get("dt_scaling", 2.0))
            dt = finest
        else:
            dt = base["dt"] * 2.0 ** -level
        if dt is not None and np.isfinite(base["time_order"]):
            sets.append(f"time.dt={dt!r}")
        out.append(sets)
    return out


def check_coarse_levels(case_path: str, numbers: list[int], level_sets: list[list[str]], base) -> None:
    """Validate every coarsened level as the case itself would (no integration): the first one refused stops
    the study (exit 2) with the case's reason and the number of levels this case allows."""
    for k, (level, sets) in enumerate(sorted(zip(numbers, level_sets), reverse=True)):
        try:
            build(case_path, sets)
        except InputError as exc:
            points = [max(1, round(int(n) * 2.0 ** level)) for n in base["case"]["grid"]["points"]]
            allowed = (f"at most {k} with --coarsen from this case" if k >= 2 else
                       "none: the case's grid cannot be coarsened by 2 (refine instead, or --set a finer grid.points)")
            raise InputError("--levels", len(numbers), allowed,
                             reason=f"level {level} (grid.points = {points}) is refused by the case: {exc}") from None


def expected_order(base, refine: str = "both") -> float:
    if refine == "space":
        return base["space_order"]
    if refine == "time":
        return base["time_order"]
    if base["explicit"]:
        return min(base["space_order"], base.get("dt_scaling", 2.0) * base["time_order"])
    return base["space_order"]


REFINE = ("both", "space", "time")


def _self_convergence(results) -> dict:
    """``refine = time``: differences of successive levels' final fields (the common space error cancels),
    max and relative L2; entry ``l`` is ``|u_l - u_{l+1}|`` (the last level has none)."""
    finals = [np.asarray(r["final"], dtype=float) for r in results]
    linf = [float(np.nanmax(np.abs(a - b))) for a, b in zip(finals[:-1], finals[1:])]
    l2 = [float(np.linalg.norm(a - b) / np.linalg.norm(b)) for a, b in zip(finals[:-1], finals[1:])]
    return {"self_linf_difference": np.array(linf + [np.nan]), "self_l2_difference": np.array(l2 + [np.nan])}


def run_convergence(case_path: str, levels: int, overrides: list[str], out_dir: str,
                    scheduler: str | None = None, refine: str = "both",
                    direction: str = "refine") -> ConvergenceStudy:
    """Run the levels, assess every error measure above its floor (:mod:`.floor`), write the study file (HDF5 +
    CSV). ``direction = "coarsen"`` takes the levels down from the case's grid (levels ``-(N-1) .. 0``)."""
    if levels < 2 or (refine == "time" and levels < 3):
        raise InputError("--levels", levels, "an integer >= 2 (>= 3 with --refine time)")
    if refine not in REFINE:
        raise InputError("--refine", refine, ", ".join(REFINE))
    if direction not in DIRECTIONS:
        raise InputError("--direction", direction, ", ".join(DIRECTIONS))
    start = time.perf_counter()
    base = level_errors(case_path, list(overrides) + ["time.saves=2"])
    if refine == "time" and not np.isfinite(base["time_order"]):
        raise InputError("--refine", refine, "space, both (the time scheme is exact)")
    numbers = level_numbers(levels, direction)
    level_sets = level_overrides(base, levels, overrides, refine, direction)
    if direction == "coarsen":
        check_coarse_levels(case_path, numbers, level_sets, base)
    tasks = [(case_path, sets) for sets in level_sets]
    results = map_tasks(level_errors, tasks, scheduler, progress=show_progress(), desc=f"convergence {base['name']}")
    expected = expected_order(base, refine)
    h = np.array([r["h"] for r in results])
    dts = np.array([r["dt"] for r in results])
    scale = dts if refine == "time" else h
    if refine == "time":
        errors = _self_convergence(results)
        floors = self_difference_floors([r["final"] for r in results], [r["steps"] for r in results])
    else:
        errors = {name: np.array([r["errors"][name] for r in results]) for name in results[0]["errors"]}
        floors = {name: np.array([r["floor"][name] for r in results]) for name in errors}
    measures = {name: assess(err, floors[name], scale, numbers, expected, ORDER_TOLERANCE)
                for name, err in errors.items()}
    passed = all(m.passed is not False for m in measures.values())
    path = Path(out_dir) / f"{base['case'].name}_convergence.h5"
    _write_h5(path, base, refine, direction, expected, numbers, results, measures, passed, start)
    _write_csv(path.with_suffix(".csv"), numbers, h, dts, results, measures)
    return ConvergenceStudy(path, passed, [n for n, m in measures.items() if m.passed is None])


DT_RULES = {"both": "explicit: auto (stability, dt ~ h^q); implicit: dt_0 * 2^(-l p_s/p_t)",
            "space": "every level at the finest level's dt (time error negligible)",
            "time": "base grid, dt_0 * 2^-l; errors are differences of successive levels"}


def _write_h5(path, base, refine, direction, expected, numbers, results, measures, passed, start) -> None:
    """The study file: ``/convergence`` with the levels, and per measure its errors, EOCs, floors and verdict."""
    case = base["case"]
    primary_name = next((k for k in ("density_l2_error", "score_l2_error", "self_l2_difference")
                         if k in measures and measures[k].passed is not None), None)
    if primary_name is None:
        primary_name = next((k for k, m in measures.items() if m.passed is not None), None)
    comparisons = []
    if np.isfinite(expected) and primary_name is not None:
        primary = measures[primary_name]
        levels_text = " and ".join(str(lvl) for lvl in primary.fit_levels)
        comparisons.append(Comparison("convergence_order", primary.observed, expected, None, ORDER_TOLERANCE,
                                      f"EOC of the {primary_name} between levels {levels_text}, the two finest "
                                      "above the error floor"))
    with atomic_h5(path) as f:
        write_root_attrs(f, case, "passed" if passed else "failed", time.perf_counter() - start)
        f.attrs["kind"] = "convergence"
        g = f.create_group("convergence")
        g.attrs.update(expected_order=expected, refine=refine, direction=direction, tolerance=ORDER_TOLERANCE,
                       floor_factor=FLOOR_FACTOR, space=case["method"]["space"], time=case["method"]["time"],
                       dt_rule=DT_RULES[refine])
        g.create_dataset("levels", data=np.asarray(numbers, dtype=int))
        g.create_dataset("h", data=np.array([r["h"] for r in results]))
        g.create_dataset("dt", data=np.array([r["dt"] for r in results]))
        g.create_dataset("wall_time_s", data=np.array([r["run_s"] for r in results]))
        g.create_dataset("steps", data=np.array([r["steps"] for r in results]))
        for name, m in measures.items():
            s = g.create_group(name)
            s.create_dataset("error", data=m.error)
            s.create_dataset("eoc", data=m.eoc)
            s.create_dataset("floor", data=m.floor)
            s.create_dataset("at_floor", data=m.at_floor.astype(bool))
            s.attrs.update(observed_order=m.observed, expected_order=expected, assessment=m.assessment)
            if m.passed is not None:             # not assessable: no verdict at all (not a silent pass)
                s.attrs.update(passed=m.passed, fit_levels=np.asarray(m.fit_levels, dtype=int))
        write_comparisons(f, comparisons)


def _write_csv(path: Path, numbers, h, dts, results, measures) -> None:
    """The EOC table as CSV: level, h, dt, steps, run time, then error, EOC, floor and at-floor per measure."""
    names = list(measures)
    cols = ("", "_eoc", "_floor", "_at_floor")
    lines = [",".join(["level", "h", "dt", "steps", "run_s"] + [f"{n}{s}" for n in names for s in cols])]
    for i, r in enumerate(results):
        row = [str(numbers[i]), repr(float(h[i])), repr(float(dts[i])), str(r["steps"]), repr(float(r["run_s"]))]
        for n in names:
            m = measures[n]
            row += [repr(float(m.error[i])), repr(float(m.eoc[i])), repr(float(m.floor[i])), str(int(m.at_floor[i]))]
        lines.append(",".join(row))
    atomic_text(path, "\n".join(lines) + "\n")
