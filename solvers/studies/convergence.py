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
"""
from __future__ import annotations

import time
from dataclasses import dataclass
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

ORDER_TOLERANCE = 0.2


@dataclass
class ConvergenceStudy:
    path: Path
    passed: bool


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


def level_overrides(base, levels: int, overrides: list[str], refine: str = "both") -> list[list[str]]:
    """``--set`` lists of every level. ``both``: grid x 2^l, dt by :func:`_level_dt`; ``space``: grid x 2^l at
    the finest level's step for all (the time error falls out); ``time``: the base grid, dt / 2^l."""
    points = base["case"]["grid"]["points"]
    out = []
    for level in range(levels):
        sets = list(overrides) + ["time.saves=2"]
        if refine in ("both", "space"):
            sets.append(f"grid.points={[int(n) * 2 ** level for n in points]}")
        if refine == "both":
            dt = _level_dt(base, level)
        elif refine == "space":
            finest = _level_dt(base, levels - 1)
            if finest is None and base["explicit"]:      # dt = "auto" of the finest grid, for every level
                finest = base["dt"] * 2.0 ** (-(levels - 1) * base.get("dt_scaling", 2.0))
            dt = finest
        else:
            dt = base["dt"] * 2.0 ** -level
        if dt is not None and np.isfinite(base["time_order"]):
            sets.append(f"time.dt={dt!r}")
        out.append(sets)
    return out


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
                    scheduler: str | None = None, refine: str = "both") -> ConvergenceStudy:
    from ..errors import InputError
    if levels < 2 or (refine == "time" and levels < 3):
        raise InputError("--levels", levels, "an integer >= 2 (>= 3 with --refine time)")
    if refine not in REFINE:
        raise InputError("--refine", refine, ", ".join(REFINE))
    start = time.perf_counter()
    base = level_errors(case_path, list(overrides) + ["time.saves=2"])
    if refine == "time" and not np.isfinite(base["time_order"]):
        raise InputError("--refine", refine, "space, both (the time scheme is exact)")
    tasks = [(case_path, sets) for sets in level_overrides(base, levels, overrides, refine)]
    results = map_tasks(level_errors, tasks, scheduler, progress=show_progress(), desc=f"convergence {base['name']}")
    expected = expected_order(base, refine)
    h = np.array([r["h"] for r in results])
    dts = np.array([r["dt"] for r in results])
    scale = dts if refine == "time" else h
    errors = _self_convergence(results) if refine == "time" else {
        name: np.array([r["errors"][name] for r in results]) for name in results[0]["errors"]}
    measures = {}
    for name, err in errors.items():
        valid = err[np.isfinite(err)]
        n = valid.size
        eoc = np.full(err.size, np.nan)
        eoc[1:n] = np.log(valid[:-1] / valid[1:]) / np.log(scale[:n][:-1] / scale[:n][1:])
        if np.isfinite(expected):
            observed = float(eoc[n - 1])
            passed = abs(observed - expected) <= ORDER_TOLERANCE
        else:   # spectral: exponential convergence down to round-off
            observed = float(np.nanmax(eoc))
            passed = bool(np.all((valid[1:] < 0.1 * valid[:-1]) | (valid[1:] < 1e-11)))
        measures[name] = dict(error=err, eoc=eoc, observed=observed, passed=passed)
    case = base["case"]
    path = Path(out_dir) / f"{case.name}_convergence.h5"
    primary_name = next(k for k in ("density_l2_error", "score_l2_error", "self_l2_difference") if k in measures)
    primary = measures[primary_name]
    comparison = Comparison("convergence_order", primary["observed"], expected if np.isfinite(expected) else None,
                            None, ORDER_TOLERANCE, f"EOC of the {primary_name} between the last two levels")
    comparisons = [comparison] if np.isfinite(expected) else []
    passed = all(m["passed"] for m in measures.values())
    with atomic_h5(path) as f:
        write_root_attrs(f, case, "passed" if passed else "failed", time.perf_counter() - start)
        f.attrs["kind"] = "convergence"
        g = f.create_group("convergence")
        g.attrs.update(expected_order=expected, refine=refine, tolerance=ORDER_TOLERANCE,
                       space=case["method"]["space"], time=case["method"]["time"],
                       dt_rule={"both": "explicit: auto (stability, dt ~ h^q); implicit: dt_0 * 2^(-l p_s/p_t)",
                                "space": "every level at the finest level's dt (time error negligible)",
                                "time": "base grid, dt_0 * 2^-l; errors are differences of successive levels"}[refine])
        g.create_dataset("levels", data=np.arange(levels))
        g.create_dataset("h", data=h)
        g.create_dataset("dt", data=np.array([r["dt"] for r in results]))
        g.create_dataset("wall_time_s", data=np.array([r["run_s"] for r in results]))
        g.create_dataset("steps", data=np.array([r["steps"] for r in results]))
        for name, m in measures.items():
            s = g.create_group(name)
            s.create_dataset("error", data=m["error"])
            s.create_dataset("eoc", data=m["eoc"])
            s.attrs.update(observed_order=m["observed"], expected_order=expected, passed=m["passed"])
        write_comparisons(f, comparisons)
    _write_csv(path.with_suffix(".csv"), h, dts, results, measures)
    return ConvergenceStudy(path, passed)


def _write_csv(path: Path, h, dts, results, measures) -> None:
    """The EOC table as CSV: level, h, dt, steps, run time, then error and EOC per measure."""
    names = list(measures)
    lines = [",".join(["level", "h", "dt", "steps", "run_s"] + [f"{n}{s}" for n in names for s in ("", "_eoc")])]
    for lvl, r in enumerate(results):
        row = [str(lvl), repr(float(h[lvl])), repr(float(dts[lvl])), str(r["steps"]), repr(float(r["run_s"]))]
        for n in names:
            row += [repr(float(measures[n]["error"][lvl])), repr(float(measures[n]["eoc"][lvl]))]
        lines.append(",".join(row))
    atomic_text(path, "\n".join(lines) + "\n")
