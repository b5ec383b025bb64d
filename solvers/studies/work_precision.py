"""``gridshock study work-precision CASE --schemes a,b,c``: error against run time over grid refinements.

Every entry of ``--schemes`` is ``space+time``, or one name (a space scheme keeps the case's time scheme and
vice versa), resolved through the equation's registries. Each method runs the case at ``--levels`` grids
(``grid.points x 2^l``) with the step rule of ``gridshock convergence --refine both`` (explicit: ``dt = "auto"``
or scaled with ``h^q``; implicit: ``dt_0 2^(-l p_s / p_t)``), so both error and cost grow as a user refining
the case would see them. Run time is the time loop alone; compile time (first kernel call: numba compile or
cache load) is stored apart.

Peers (``--peers Radau,BDF,DOP853``, ``none`` to skip): ``scipy.integrate.solve_ivp`` on the same spatial
discretisation (:mod:`solvers.studies.method_of_lines`, the case's ``method.space`` or ``--peer-space``) at the
same grids, with ``rtol_l = rtol_0 2^(-l p_s)`` (``p_s`` the space order; a factor 100 per level for a
spectral space) so the time error follows the space error down, and ``atol = rtol max|y_0|``; the peer's
compile time is the first right-hand-side call, its run time the ``solve_ivp`` call. Errors are those of
``gridshock convergence`` (:func:`solvers.studies.convergence.final_errors`).

All (method, level) runs are Dask tasks (:mod:`solvers.studies.executor`); with two one-thread workers on two
cores the runs time concurrently, which the file records (``workers``).
"""
from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import GridshockError, InputError
from ..families import FAMILIES, family_of, load_case
from ..storage.atomic import atomic_h5, atomic_text
from ..storage.results import write_root_attrs
from .convergence import level_overrides, build, describe, final_errors
from .executor import map_tasks

PEERS = ("Radau", "BDF", "DOP853")
RTOL0 = 1e-4
RTOL_FLOOR = 1e-13
DATASETS = ("points", "h", "dt", "steps", "run_s", "compile_s", "rtol", "nfev")


@dataclass
class Method:
    label: str
    kind: str                  # "gridshock" or "solve_ivp"
    space: str
    time: str
    sets: list


@dataclass
class WorkPrecisionStudy:
    path: Path
    codes: list
    messages: list
    table: str = ""


def _registries(case):
    """The space and time registries of the case's family (an initial-value family: heat or Burgers)."""
    family = family_of(case)
    if not family.initial_value:
        allowed = ", ".join(f.name for f in FAMILIES if f.initial_value)
        raise InputError("equation", family.name, f"{allowed} (work-precision integrates an initial-value problem)")
    return family.space_schemes, family.time_schemes


def parse_schemes(text: str, case) -> list[Method]:
    """``a+b,c,...`` -> methods; every name is checked against the registries (exit 2 lists the allowed)."""
    space_reg, time_reg = _registries(case)
    m = case["method"]
    methods = []
    for entry in [e.strip() for e in str(text).split(",") if e.strip()]:
        if "+" in entry:
            space, tname = (p.strip() for p in entry.split("+", 1))
            space_reg.get(space, "--schemes (space)")
            time_reg.get(tname, "--schemes (time)")
        elif entry in space_reg and entry in time_reg:
            raise InputError("--schemes", entry, "space+time (the name is both a space and a time scheme)")
        elif entry in space_reg:
            space, tname = entry, m["time"]
        elif entry in time_reg:
            space, tname = m["space"], entry
        else:
            raise InputError("--schemes", entry, "space+time or one name of: "
                             + ", ".join(space_reg.names() + time_reg.names()))
        methods.append(Method(f"{space}+{tname}", "gridshock", space, tname,
                              [f'method.space="{space}"', f'method.time="{tname}"']))
    if not methods:
        raise InputError("--schemes", text, "a comma-separated list such as weno5+ssprk3,central2+rk4")
    return methods


def parse_peers(text: str | None, case, peer_space: str | None) -> list[Method]:
    if text is None or str(text).strip().lower() == "none":
        return []
    space = peer_space or case["method"]["space"]
    _registries(case)[0].get(space, "--peer-space")
    peers = []
    for name in [p.strip() for p in str(text).split(",") if p.strip()]:
        if name not in PEERS:
            raise InputError("--peers", name, ", ".join(PEERS) + " or none")
        peers.append(Method(f"scipy-{name}", "solve_ivp", space, name, [f'method.space="{space}"']))
    return peers


def gridshock_level(case_path: str, sets: list[str]) -> dict:
    """One level of one gridshock method (a Dask task): timings and final-time errors, or the failure."""
    from ..integrators.time_loop import integrate
    try:
        case, problem = build(case_path, sets)
        run = integrate(problem)
    except GridshockError as exc:
        return {"code": exc.exit_code, "message": str(exc)}
    info = describe(problem, case)
    return dict(code=0, points=int(problem.grid.points[0]), h=info["h"], dt=info["dt"], steps=run.steps,
                run_s=run.run_s, compile_s=run.compile_s, rtol=np.nan, nfev=np.nan,
                errors=final_errors(problem, case, run.fields[-1], run.times[-1]))


def solve_ivp_level(case_path: str, sets: list[str], method: str, rtol: float) -> dict:
    """One level of a ``solve_ivp`` peer on the same spatial discretisation (a Dask task)."""
    from scipy.integrate import solve_ivp

    from ..problems.semi_discrete import semi_discrete
    try:
        case, problem = build(case_path, sets)
    except GridshockError as exc:
        return {"code": exc.exit_code, "message": str(exc)}
    system = semi_discrete(problem)
    t0, t1 = float(problem.output_times[0]), float(problem.output_times[-1])
    start = time.perf_counter()
    system.rhs(t0, system.y0)                      # numba kernels: compile or cache load
    compile_s = time.perf_counter() - start
    options = {}
    if method in ("Radau", "BDF"):
        if system.jac is not None:
            options["jac"] = system.jac
        elif system.jac_sparsity is not None:
            options["jac_sparsity"] = system.jac_sparsity
    atol = rtol * max(float(np.abs(system.y0).max()), 1e-300)
    start = time.perf_counter()
    sol = solve_ivp(system.rhs, (t0, t1), system.y0, method=method, t_eval=[t1], rtol=rtol, atol=atol, **options)
    run_s = time.perf_counter() - start
    if not sol.success or not np.all(np.isfinite(sol.y)):
        return {"code": 3, "message": f"solve_ivp {method} at rtol {rtol:g}: {sol.message}"}
    final = sol.y[:, -1].reshape(system.shape)
    return dict(code=0, points=int(problem.grid.points[0]), h=float(max(problem.grid.spacing)), dt=np.nan,
                steps=int(sol.nfev), run_s=run_s,
                compile_s=compile_s, rtol=rtol, nfev=int(sol.nfev), njev=int(sol.njev),
                errors=final_errors(problem, case, final, t1))


def peer_rtol(level: int, space_order: float, rtol0: float = RTOL0) -> float:
    """``rtol_0 2^(-l p_s)`` (a factor 100 per level for a spectral space), floored at 1e-13."""
    factor = 2.0 ** -space_order if math.isfinite(space_order) else 1e-2
    return max(rtol0 * factor ** level, RTOL_FLOOR)


def run_work_precision(case_path: str, schemes: str, levels: int, overrides: list[str], out_dir: str,
                       peers: str | None = ",".join(PEERS), peer_space: str | None = None,
                       scheduler: str | None = None, progress: bool = False,
                       rtol0: float = RTOL0) -> WorkPrecisionStudy:
    if not isinstance(levels, int) or levels < 2:
        raise InputError("--levels", levels, "an integer >= 2")
    case = load_case(case_path, overrides)
    methods = parse_schemes(schemes, case) + parse_peers(peers, case, peer_space)
    start = time.perf_counter()
    tasks, owners = [], []
    for method in methods:
        case_m, problem = build(case_path, list(overrides) + method.sets)
        base = describe(problem, case_m)
        level_sets = level_overrides(base, levels, list(overrides) + method.sets, "both")
        for level, sets in enumerate(level_sets):
            if method.kind == "gridshock":
                tasks.append((gridshock_level, case_path, sets))
            else:
                tasks.append((solve_ivp_level, case_path, [s for s in sets if not s.startswith("time.dt=")],
                              method.time, peer_rtol(level, base["space_order"], rtol0)))
            owners.append(method.label)
    results = map_tasks(_call, tasks, scheduler, progress=progress, desc=f"work-precision {case.name}")
    workers = min(len(tasks), os.cpu_count() or 1) if scheduler is None else -1     # -1: an external cluster
    path = Path(out_dir) / f"{case.name}_work_precision.h5"
    measures = list(dict.fromkeys(k for r in results if r["code"] == 0 for k in r["errors"]))
    _write(path, case, methods, owners, results, measures, workers, time.perf_counter() - start)
    _write_csv(path.with_suffix(".csv"), methods, owners, results, measures)
    messages = [f"{owner} level {sum(1 for o in owners[:i] if o == owner)}: {r['message']}"
                for i, (owner, r) in enumerate(zip(owners, results)) if r["code"]]
    return WorkPrecisionStudy(path, [r["code"] for r in results], messages, _table(owners, results, measures))


def _table(owners, results, measures) -> str:
    """Plain-text table for the terminal: one row per (method, level)."""
    primary = next((m for m in ("density_l2_error", "score_l2_error") if m in measures), measures[0] if measures else "")
    head = ["method", "points", "dt/rtol", "steps", "run_s", "compile_s", primary]
    rows = []
    for owner, r in zip(owners, results):
        if r["code"]:
            rows.append([owner, "-", "-", "-", "-", "-", f"exit {r['code']}"])
            continue
        step = r["rtol"] if np.isfinite(r["rtol"]) else r["dt"]
        rows.append([owner, str(r["points"]), f"{step:.3g}", str(r["steps"]), f"{r['run_s']:.3g}",
                     f"{r['compile_s']:.3g}", f"{r['errors'].get(primary, np.nan):.3e}"])
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]
    line = lambda cells: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([line(head)] + [line(row) for row in rows])


def _call(fn, *args):
    return fn(*args)


def _column(rows, key, measures=None):
    if measures is not None:
        return np.array([r["errors"].get(key, np.nan) if r["code"] == 0 else np.nan for r in rows], dtype=float)
    return np.array([r.get(key, np.nan) if r["code"] == 0 else np.nan for r in rows], dtype=float)


def _write(path, case, methods, owners, results, measures, workers, wall) -> None:
    space_reg, time_reg = _registries(case)
    primary = next((m for m in ("density_l2_error", "score_l2_error") if m in measures), measures[0] if measures else "")
    failed = any(r["code"] for r in results)
    with atomic_h5(path) as f:
        write_root_attrs(f, case, "failed" if failed else "passed", wall)
        f.attrs["kind"] = "work_precision"
        g = f.create_group("work_precision")
        g.attrs.update(measures=",".join(measures), primary_measure=primary, workers=int(workers),
                       note="run_s: time loop (gridshock) or solve_ivp call (peers), compile apart; refinement as "
                            "`gridshock convergence --refine both`; peers: rtol_l = rtol_0 2^(-l p_s), atol = "
                            "rtol max|y0|; steps of a peer = right-hand-side evaluations")
        for method in methods:
            rows = [r for r, o in zip(results, owners) if o == method.label]
            s = g.create_group(method.label)
            order_space = _order(space_reg, method.space, "order")
            order_time = _order(time_reg, method.time, "order") if method.kind == "gridshock" else np.nan
            s.attrs.update(kind=method.kind, space=method.space, time=method.time,
                           order_space=order_space, order_time=order_time)
            for key in DATASETS:
                s.create_dataset(key, data=_column(rows, key))
            for m in measures:
                s.create_dataset(m, data=_column(rows, m, measures))
            s.create_dataset("exit_code", data=np.array([r["code"] for r in rows]))


def _order(registry, name, attr) -> float:
    try:
        return float(getattr(registry.get(name), attr))
    except Exception:                   # noqa: BLE001 - an order that is not a number is stored as NaN
        return float("nan")


def _write_csv(path: Path, methods, owners, results, measures) -> None:
    lines = [",".join(["method", "kind", "level"] + list(DATASETS) + measures + ["exit_code"])]
    for method in methods:
        rows = [r for r, o in zip(results, owners) if o == method.label]
        for level, r in enumerate(rows):
            cells = [method.label, method.kind, str(level)]
            cells += [repr(float(_column([r], k)[0])) for k in DATASETS]
            cells += [repr(float(_column([r], m, measures)[0])) for m in measures]
            lines.append(",".join(cells + [str(r["code"])]))
    atomic_text(path, "\n".join(lines) + "\n")
