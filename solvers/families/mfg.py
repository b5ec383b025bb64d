"""The HJB-Fokker-Planck mean-field game (ANALYTIC §6): case rules, run size, assembly, outer solve and
analysis."""
from __future__ import annotations

from ..analysis.mfg import analyse_mfg
from ..config.case import RANGE, Case, representable
from ..config.consistency import CaseRules
from ..config.limits import RunSize
from ..errors import InputError
from ..hooks import RunHooks
from ..equations.mfg import MFG_SPACE_SCHEMES
from ..integrators.mfg_solvers import MFG_TIME_SCHEMES
from ..integrators.mfg_system import auto_step, whole_steps
from ..problems.mfg_checks import check_mfg_coupling, check_mfg_method
from ..integrators.record import Run
from ..problems.mfg_problem import build_mfg_problem, solve_mfg
from .base import EquationFamily


def check_method(case: Case, bcs) -> None:
    """Schemes and solver resolve and fit each other, the boundaries, the data and the costs."""
    method, mfg, data, dim = case["method"], case["mfg"], case["data"], case.dim
    _, _, solver = check_mfg_method(case.error, method, mfg, bcs, case["grid"]["boundary"])
    if data["kind"] != "gaussian_mixture":
        raise case.error("data.kind", data["kind"], "gaussian_mixture (equation = 'mfg': m_0 and G come from it)")
    if case["process"]["kind"] != "ve":
        raise case.error("process.kind", case["process"]["kind"], "ve (equation = 'mfg')")
    for bc in bcs:
        if bc.kind not in ("periodic", "zero_flux", "exact"):
            raise case.error("grid.boundary", case["grid"]["boundary"], "periodic, zero_flux, exact (equation = 'mfg')")
    if mfg["nu"] <= 0:
        raise case.error("mfg.nu", mfg["nu"], "a positive number")
    if mfg["terminal"] == "data_log_density":
        if mfg["nu"] != 0.5:
            raise case.error("mfg.nu", mfg["nu"], "0.5 (terminal = 'data_log_density': score-based generation, ANALYTIC 6a)")
        if mfg["coupling"] != "none":
            raise case.error("mfg.coupling", mfg["coupling"], "none (terminal = 'data_log_density', ANALYTIC 6a)")
    if mfg["coupling"] == "mean_quadratic" and mfg["kappa"] <= 0:
        raise case.error("mfg.kappa", mfg["kappa"], "a positive number (coupling = 'mean_quadratic')")
    check_mfg_coupling(case.error, solver, mfg["coupling"])
    if mfg["c"] < 0:
        raise case.error("mfg.c", mfg["c"], "a number >= 0")
    xt = mfg["x_T"]
    if not isinstance(xt, list) or len(xt) not in (1, dim) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and representable(v) for v in xt):
        raise case.error("mfg.x_T", xt, f"a list of {dim} numbers (or one number for every axis); {RANGE}")
    if not 0 < mfg["damping"] <= 1:
        raise case.error("mfg.damping", mfg["damping"], "a number in (0, 1]")
    if not 0 < mfg["tol"] < 1:
        raise case.error("mfg.tol", mfg["tol"], "a number in (0, 1)")
    if mfg["max_iterations"] < 1:
        raise case.error("mfg.max_iterations", mfg["max_iterations"], "an integer >= 1")
    if mfg["dt_per_h"] <= 0:
        raise case.error("mfg.dt_per_h", mfg["dt_per_h"], "a positive number")


def mixture_start_tau(case: Case, stds) -> float | None:
    """Score-based generation (``terminal = data_log_density``): ``m_0 = p_T`` must fit, and the terminal cost
    ``-log p_0`` has layers of the data std that the grid must resolve."""
    if case["mfg"]["terminal"] != "data_log_density":
        return None
    if max(case.spacing) > stds.min():
        raise case.error("grid.points", case["grid"]["points"],
                         f"grid spacing <= {stds.min():.6g} (the terminal cost -log p_0 has layers of the data std)")
    return case["time"]["stop"]


def time_levels(case: Case) -> float:
    """Time levels of an MFG run before the builder's extra restrictions (those only add steps)."""
    t = case["time"]
    T = float(t["stop"])
    if t["dt"] != "auto":
        return whole_steps(T, float(t["dt"]), given=True)
    return whole_steps(T, auto_step(min(case.spacing), case["mfg"]["dt_per_h"]))


def run_size(case: Case) -> RunSize:
    """Every time level of m, phi, the previous m, two residuals, the exact m and the gradients of phi."""
    stop = float(case["time"]["stop"])
    key = "time.dt" if case["time"]["dt"] != "auto" else "mfg.dt_per_h"
    value = case["time"]["dt"] if key == "time.dt" else case["mfg"]["dt_per_h"]
    return RunSize(
        arrays_per_level=8 + 2 * case.dim, stored_levels=time_levels(case) + 1, level_word="time levels",
        intervals=2, spread_nu=0.5,      # the data noised up to tau = T (data_log_density, nu = 1/2), else tau = 0
        spread_tau=stop if case["mfg"]["terminal"] == "data_log_density" else 0.0,
        levels_key=key, levels_value=value,
        levels_allowed=lambda fit: (f"a step giving at most {fit:.4g} time levels, i.e. dt >= "
                                    f"{stop / max(fit - 1, 1):.4g} (or fewer grid points)"))


def solve(problem, hooks: RunHooks) -> Run:
    run = solve_mfg(problem, hooks)
    return Run(run.times, run.steps, run.setup_s, run.compile_s, run.run_s, solution=run.solution)


def check_checkpointing(problem, every) -> None:
    """A solver that cannot restart exactly with these operators (Newton-Krylov, the matrix-free Newton of the
    spectral scheme, keeps its Krylov state inside scipy) refuses checkpoints."""
    if not problem.solver.restartable(problem.system.ops):
        raise InputError("--checkpoint-every", every, "solvers other than newton with the spectral MFG scheme "
                         "(scipy's newton_krylov keeps its Krylov state internally: not restartable exactly)")


FAMILY = EquationFamily(
    name="mfg",
    description="HJB-Fokker-Planck mean-field game (HJB backward, FP forward, coupled through F(x, m))",
    rules=CaseRules(check_method, "mfg", mixture_start_tau=mixture_start_tau,
                    # generative (6a): m(t) = p_{T-t}, the data (tau = 0) at t = T; LQ (6b): the data m_0 only
                    layer_span=lambda case: ((case["time"]["stop"] - case["time"]["start"], 0.0)
                                             if case["mfg"]["terminal"] == "data_log_density" else (0.0, 0.0))),
    run_size=run_size,
    build=build_mfg_problem,
    solve=solve,
    analyse=analyse_mfg,
    space_schemes=MFG_SPACE_SCHEMES,
    time_schemes=MFG_TIME_SCHEMES,
    solve_unit="MFG outer iteration",
    resume_at_saves=False,
    check_checkpointing=check_checkpointing,
)
