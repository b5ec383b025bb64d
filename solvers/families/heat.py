"""The heat equation ``p_t = nu Lap p`` (VE noising of the data density; ANALYTIC §2): its case rules, run
size, assembly, time loop and analysis."""
from __future__ import annotations

from ..analysis.final_errors import heat_final_errors
from ..analysis.heat import analyse_heat
from ..config.case import Case
from ..config.consistency import CaseRules
from ..config.limits import RunSize
from ..equations.space import SPACE_SCHEMES
from ..hooks import RunHooks
from ..integrators import TIME_SCHEMES
from ..integrators.time_loop import integrate
from ..problems.heat_problem import build_heat_problem
from .base import EquationFamily
from .sizes import snapshot_size


def check_method(case: Case, bcs) -> None:
    """Space and time schemes resolve, fit the boundaries and each other; VE only."""
    method, grid = case["method"], case["grid"]
    space = SPACE_SCHEMES.get(method["space"], "method.space")
    scheme = TIME_SCHEMES.get(method["time"], "method.time")
    if case["process"]["kind"] != "ve":
        raise case.error("process.kind", case["process"]["kind"], "ve (equation = 'heat'; VP runs the burgers score)")
    if space.kind == "spectral" and not all(bc.periodic for bc in bcs):
        raise case.error("method.space", "spectral", "central2, central4 (spectral needs grid.boundary = \"periodic\")",
                         reason=f"grid.boundary is {grid['boundary']!r}")
    if scheme.kind == "exact" and space.kind != "spectral":
        allowed = ", ".join(n for n in TIME_SCHEMES.names() if TIME_SCHEMES.get(n).kind != "exact")
        raise case.error("method.time", method["time"], f"{allowed} (with method.space = {space.name!r})",
                         reason="the integrating factor needs the spectral space scheme")


def run_size(case: Case) -> RunSize:
    """Density, exact density, score, exact score, errors and temporaries per saved snapshot."""
    return snapshot_size(case, 6 + 2 * case.dim)


def solve(problem, hooks: RunHooks):
    return integrate(problem, hooks)


FAMILY = EquationFamily(
    name="heat",
    description="heat equation p_t = nu Lap p (VE noising of the data density)",
    rules=CaseRules(check_method, "heat", data_kinds=("gaussian_mixture", "sine")),
    run_size=run_size,
    build=build_heat_problem,
    solve=solve,
    analyse=analyse_heat,
    space_schemes=SPACE_SCHEMES,
    time_schemes=TIME_SCHEMES,
    final_errors=heat_final_errors,
)
