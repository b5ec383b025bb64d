"""MFG outer solvers: Newton on the space-time system against damped Picard, wall time to the same tolerance.

The case is ``cases/mfg_lq_coupled_1d.toml`` (linear-quadratic mean-field coupling, ANALYTIC §6b) on ``cells``
cells and ``steps`` time steps (``--set`` overrides of the shipped file), both solvers with the same ``mfg.tol``;
both stop on the relative change of ``m`` (Newton also on its HJB/FP residuals), and the final HJB and FP
max-norm residuals of each are reported so that "the same residual" can be checked. A warm-up solve of each
on a tiny grid loads every kernel first (compile time apart); then the two full solves alternate.
"""
from __future__ import annotations

from pathlib import Path

from ..problems.case import load_case
from ..problems.mfg_problem import build_mfg_problem
from .timing import first_call, median, median_ratio, round_robin

CASE = Path(__file__).resolve().parents[2] / "cases" / "mfg_lq_coupled_1d.toml"


def _problem(solver: str, cells: int, steps: int, tol: float):
    stop = load_case(CASE)["time"]["stop"]
    overrides = [f"grid.points=[{cells}]", f"time.dt={stop / steps!r}", f"mfg.solver='{solver}'", f"mfg.tol={tol!r}"]
    return build_mfg_problem(load_case(CASE, overrides))


def _solve(problem):
    return problem.solver.solve(problem.system, problem.settings)


def newton_vs_picard(cells: int, steps: int, repeats: int, tol: float = 1e-8) -> dict:
    compile_s = sum(first_call(lambda s=s: _solve(_problem(s, 40, 10, tol))) for s in ("newton", "picard"))
    problems = {name: _problem(name, cells, steps, tol) for name in ("newton", "picard")}
    solutions = {}

    def run(name):
        solutions[name] = _solve(problems[name])

    t = round_robin({name: (lambda name=name: run(name)) for name in problems}, repeats)
    out = {"cells": cells, "steps": problems["newton"].system.steps, "tol": tol, "repeats": repeats,
           "warmup_compile_s": compile_s}
    for name, sol in solutions.items():
        out[f"{name}_s"] = median(t[name])
        out[f"{name}_iterations"] = int(sol.iterations)
        out[f"{name}_hjb_residual"] = float(sol.history["hjb_residual"][-1])
        out[f"{name}_fp_residual"] = float(sol.history["fp_residual"][-1])
    out["speedup_vs_picard"] = median_ratio(t["picard"], t["newton"])
    return out
