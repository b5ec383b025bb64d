"""Observed orders of the VP path (``[process] kind = "vp"``, ANALYTIC.md §4) against the mapped VE closed form.

In VP time the score ``s(t, x) = e^{B/2} u_VE(tau(t), e^{B/2} x)``, ``tau = e^B - 1``, solves
``s_t = (beta/2)(s_xx + 2 s s_x + x s_x + s)``: Burgers with time-dependent coefficients ``nu = beta/2``,
``c2 = c1 = -beta/2`` (the flux ``c2 s^2 + c1 x s``), integrated on ``exact`` walls (the closed form in the ghost
cells). Both schedules: linear (0.1 .. 20, the shipped case's) and constant (beta = 2, the OU process).

* Space: every 1D flux with central2 diffusion, RK4 at 45% of both limits (time error O(h^8)): order
  ``min(flux, 2)``; and the advective term alone (the ``c1 x s`` part included) at every flux's registry order.
* Time, against the closed form, for the schemes whose time error can dominate the spatial one (WENO5 with
  central4 diffusion: below 1e-8 on 1024 cells): forward Euler (its step ~ h^2, error ~ h^2) and the implicit-diffusion
  schemes of order 2 (step ~ h by the advective limit, error ~ h^2). For the others (SSP-RK3 and RK4: step
  ~ h^2, error ~ h^6, h^8; ETDRK4: ~ h^4) the time error stays below the spatial error at any step they can take,
  so they are measured, like every scheme, against an independent DOP853 solution of the same semi-discrete
  system.
* ETDRK4 is refused for the linear schedule (its linear part is time dependent): asserted through the case rules.
"""
from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from solvers.closed_forms.mixture import GaussianMixture
from solvers.closed_forms.vp import make_schedule
from solvers.equations.advection import BURGERS_SPACE_SCHEMES
from solvers.equations.burgers import Coefficients, FluxBurgers1D
from solvers.equations.space import SPACE_SCHEMES
from solvers.errors import InputError
from solvers.families import load_case
from solvers.grids import BoundaryCondition, UniformGrid
from solvers.integrators.split_schemes import BURGERS_TIME_SCHEMES
from solvers.integrators.split_steppers import make_split_stepper
from solvers.problems.burgers_exact import VPMixtureScore
from solvers.problems.burgers_problem import build_burgers_problem

WEIGHTS, MEANS, STDS = [0.4, 0.6], [-1.0, 1.2], [0.5, 0.6]
MIXTURE = GaussianMixture(WEIGHTS, [[m] for m in MEANS], STDS)
PROCESSES = {
    "linear": ({"schedule": "linear", "beta_min": 0.1, "beta_max": 20.0}, 0.15),   # beta 0.1 .. 3.1 over the run
    "constant": ({"schedule": "constant", "beta": 2.0}, 0.5),
}
HALF_WIDTH = 4.0
FLUX_1D = [n for n in BURGERS_SPACE_SCHEMES.names()
           if BURGERS_SPACE_SCHEMES.get(n).kind == "flux" and 1 in BURGERS_SPACE_SCHEMES.get(n).dims]
TIME_NAMES = BURGERS_TIME_SCHEMES.names()
RK4 = BURGERS_TIME_SCHEMES.get("rk4")


def observed_order(x, err):
    return float(np.polyfit(np.log(x), np.log(err), 1)[0])


def schedule(kind: str):
    params = dict(PROCESSES[kind][0])
    return make_schedule(params.pop("schedule"), **params)


def case_dict(kind: str, n: int, space: str = "weno5", diffusion: str = "central4", time: str = "imex_ars222"):
    return {"name": f"vp_{kind}", "equation": "burgers", "dimension": 1,
            "data": {"weights": WEIGHTS, "means": MEANS, "stds": STDS},
            "process": {"kind": "vp", **PROCESSES[kind][0]},
            "grid": {"lower": [-HALF_WIDTH], "upper": [HALF_WIDTH], "points": [n], "boundary": "exact"},
            "time": {"stop": PROCESSES[kind][1], "saves": 2},
            "method": {"space": space, "time": time, "diffusion": diffusion}}


def vp_operator(kind: str, adv: str, diff: str, n: int):
    """What :func:`build_burgers_problem` assembles for the VP case (checked by the first test), on any grid."""
    exact = VPMixtureScore(MIXTURE, schedule(kind), 1.0)
    grid = UniformGrid((-HALF_WIDTH,), (HALF_WIDTH,), (n,))
    op = FluxBurgers1D(grid, [BoundaryCondition("exact")], BURGERS_SPACE_SCHEMES.get(adv), SPACE_SCHEMES.get(diff),
                       Coefficients(1.0, 0.5, schedule(kind)), boundary_values=exact.state)
    return grid, op, exact


def run(op, name: str, u0: np.ndarray, T: float, steps: int) -> np.ndarray:
    u = np.array(u0, dtype=float)
    make_split_stepper(op, BURGERS_TIME_SCHEMES.get(name), T / steps).advance(u, 0.0, steps)
    return u


def limits(op, exact, grid, T: float) -> tuple[float, float]:
    """``(rho, a)``: the largest diffusive radius and ``sum max|f'| / h`` over the run (VP speeds grow with beta)."""
    x, h = grid.axes[0], grid.spacing[0]
    times = np.linspace(0.0, T, 17)
    rho = max(op.diffusive_radius(t) for t in times)
    a = max(np.abs(2 * op.coefs.at(t)[1] * exact.state(x, t) + op.coefs.at(t)[2] * x).max() for t in times) / h
    return rho, a


def stable_steps(name: str, adv: str, op, exact, grid, T: float, fraction: float = 0.9) -> int:
    """Steps at ``fraction`` of the ``dt = "auto"`` limit of the case's rule (advective for every scheme,
    diffusive too for the explicit ones)."""
    scheme = BURGERS_TIME_SCHEMES.get(name)
    rho, a = limits(op, exact, grid, T)
    courant = BURGERS_SPACE_SCHEMES.get(adv).cfl * scheme.cfl
    rate = a / courant + (rho / scheme.stability_interval if scheme.explicit else 0.0)
    return int(np.ceil(T * rate / fraction))


@pytest.mark.parametrize("kind", list(PROCESSES))
def test_the_vp_case_builds_the_operator_under_test(kind):
    """The case path (``[process] kind = "vp"``) assembles the VP operator used below: the same right-hand side
    at several times (wall data included) and the mapped closed form as its exact solution."""
    problem = build_burgers_problem(load_case(case_dict(kind, 256)))
    grid, op, exact = vp_operator(kind, "weno5", "central4", 256)
    assert problem.coefficients.schedule.kind == kind
    x = grid.axes[0]
    np.testing.assert_array_equal(problem.grid.axes[0], x)
    for t in (0.0, 0.4 * PROCESSES[kind][1], PROCESSES[kind][1]):
        w = exact.state(x, t)
        np.testing.assert_array_equal(problem.exact.state(x, t), w)
        a, b = np.empty_like(w), np.empty_like(w)
        problem.operator.full_rhs(w, t, problem.operator.boundary_table(np.array(t)), a)
        op.full_rhs(w, t, op.boundary_table(np.array(t)), b)
        np.testing.assert_array_equal(a, b)
        assert problem.coefficients.at(t) == op.coefs.at(t)
        assert op.coefs.at(t)[2] != 0.0                       # the c1 x s term is there


def test_etdrk4_is_refused_for_the_linear_schedule():
    """The one registered time scheme left out of the linear-schedule time tests, and why."""
    with pytest.raises(InputError, match="time-independent linear part"):
        load_case(case_dict("linear", 256, time="etdrk4"))
    assert build_burgers_problem(load_case(case_dict("constant", 256, time="etdrk4"))).scheme.family == "etd"


def schemes_for(kind: str) -> list[str]:
    return [n for n in TIME_NAMES if not (kind == "linear" and BURGERS_TIME_SCHEMES.get(n).family == "etd")]


# ---------------------------------------------------------------------------------------------------------------
# space
# ---------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("adv", FLUX_1D)
@pytest.mark.parametrize("kind", list(PROCESSES))
def test_vp_space_order_of_runs(kind, adv):
    """Runs from the closed form at t = 0 to T, every flux with central2 diffusion, RK4 at 45% of both limits
    (time error O(h^8)), 256 .. 1024 cells: order min(flux, 2) against the mapped closed form (measured
    0.998 .. 1.000 for the first-order fluxes, 1.99 .. 2.00 for central2 and WENO5, 1.91 .. 1.98 for MUSCL)."""
    T = PROCESSES[kind][1]
    hs, errs = [], []
    for n in (256, 512, 1024):
        grid, op, exact = vp_operator(kind, adv, "central2", n)
        x = grid.axes[0]
        rho, a = limits(op, exact, grid, T)
        steps = int(np.ceil(T * (rho / (0.45 * RK4.stability_interval) + a / 0.45)))
        hs.append(grid.spacing[0])
        errs.append(np.abs(run(op, "rk4", exact.state(x, 0.0), T, steps) - exact.state(x, T)).max())
    expected = min(BURGERS_SPACE_SCHEMES.get(adv).order, SPACE_SCHEMES.get("central2").order)
    p = observed_order(hs, errs)
    assert abs(p - expected) <= 0.2, (kind, adv, errs, p)


def vp_advective_term(exact, x, t) -> np.ndarray:
    """``-(c2 s^2 + c1 x s)_x = -(2 c2 s s_x + c1 (s + x s_x))`` of the closed form, with
    ``s_x = e^B u_VE'(tau, e^{B/2} x)``."""
    sched = exact.schedule
    beta, scale = float(sched.beta_at(t)), float(np.exp(0.5 * sched.B(t)))
    c2 = c1 = -0.5 * beta
    s = exact.state(x, t)
    s_x = scale ** 2 * MIXTURE.score_jacobian(scale * x, float(sched.tau(t)))
    return -(2 * c2 * s * s_x + c1 * (s + x * s_x))


@pytest.mark.parametrize("adv", FLUX_1D)
@pytest.mark.parametrize("kind", list(PROCESSES))
def test_vp_advective_term_order(kind, adv):
    """The advective term alone on the sampled closed form, exact ghosts, at the time where ``B(t) = 1`` (both
    schedules then map to the same VE state ``tau = e - 1``; beta = 6.3 for the linear schedule, 2 for the
    constant one): every flux at its registry order, WENO5's 5 included, with the VP drift ``c1 x s`` in the
    flux (measured: 1.00, 2.00, WENO5 4.97 .. 5.01). (Earlier, while the two species are still sharp, the MUSCL
    limiters clip at the extrema and the term does not converge in the max norm, a property of TVD limiters.)"""
    order = BURGERS_SPACE_SCHEMES.get(adv).order
    t = float(schedule(kind).t_of_B(1.0))
    hs, errs = [], []
    for n in ((128, 256, 512, 1024) if order <= 2 else (128, 256, 512)):
        grid, op, exact = vp_operator(kind, adv, "central4", n)
        x = grid.axes[0]
        out = np.empty(n)
        op.nonlinear(exact.state(x, t), t, op.boundary_table(np.array(t)), out)
        hs.append(grid.spacing[0])
        errs.append(np.abs(out - vp_advective_term(exact, x, t)).max())
    p = observed_order(hs, errs)
    assert abs(p - order) <= 0.2, (kind, adv, errs, p)


# ---------------------------------------------------------------------------------------------------------------
# time
# ---------------------------------------------------------------------------------------------------------------

def time_error_can_dominate(name: str) -> bool:
    """``order * q < 4`` with ``dt ~ h^q`` at the scheme's limit (q = 2 explicit, 1 otherwise) and spatial
    order 4 (WENO5 with central4 diffusion): the time error then outgrows the spatial error under refinement."""
    scheme = BURGERS_TIME_SCHEMES.get(name)
    return scheme.order * (2 if scheme.explicit else 1) < 4


# WENO5 with central4 diffusion on 1024 cells: the spatial error at the end time is 8.5e-9 (linear) and 6.6e-10
# (constant), measured below; the smallest time errors of the closed-form test are 7.4e-8 and 1.4e-8.
FINE_N = 1024
SPATIAL_BOUND = {"linear": 1e-8, "constant": 1e-9}


@pytest.mark.parametrize("kind", list(PROCESSES))
def test_vp_spatial_error_of_the_fine_grid(kind):
    """RK4 at 30% of both limits (time error O(h^8)) on the grid of the next test: its spatial error."""
    T = PROCESSES[kind][1]
    grid, op, exact = vp_operator(kind, "weno5", "central4", FINE_N)
    x = grid.axes[0]
    rho, a = limits(op, exact, grid, T)
    steps = int(np.ceil(T * (rho / (0.3 * RK4.stability_interval) + a / 0.3)))
    err = np.abs(run(op, "rk4", exact.state(x, 0.0), T, steps) - exact.state(x, T)).max()
    assert err < SPATIAL_BOUND[kind], err


@pytest.mark.parametrize("name", [n for n in TIME_NAMES if time_error_can_dominate(n)])
@pytest.mark.parametrize("kind", list(PROCESSES))
def test_vp_time_order_against_the_closed_form(kind, name):
    """WENO5 with central4 diffusion on 1024 cells (spatial error below SPATIAL_BOUND), steps from 90% of the
    case's stable step, halved twice, against the mapped closed form: the registry order (measured 1.00 for
    euler, 2.00 for ARS(2,2,2) and CNAB2, both schedules). The linear schedule re-factors ``I - s L(t)`` at
    every stage."""
    T = PROCESSES[kind][1]
    grid, op, exact = vp_operator(kind, "weno5", "central4", FINE_N)
    x = grid.axes[0]
    u0, uT = exact.state(x, 0.0), exact.state(x, T)
    base = stable_steps(name, "weno5", op, exact, grid, T)
    levels = [base, 2 * base, 4 * base]
    errs = [np.abs(run(op, name, u0, T, s) - uT).max() for s in levels]
    assert min(errs) > 5 * SPATIAL_BOUND[kind], errs
    p = observed_order([T / s for s in levels], errs)
    assert abs(p - BURGERS_TIME_SCHEMES.get(name).order) <= 0.2, (kind, name, errs, p)


def semi_discrete_reference(op, u0: np.ndarray, T: float) -> np.ndarray:
    """``w' = full_rhs(w, t)`` (coefficients and wall data at the exact ``t``) by DOP853 at rtol 1e-13."""
    n = u0.size

    def rhs(t, w):
        out = np.empty(n)
        op.full_rhs(np.ascontiguousarray(w), t, op.boundary_table(np.array(t)), out)
        return out

    sol = solve_ivp(rhs, (0.0, T), u0, method="DOP853", rtol=1e-13, atol=1e-14)
    assert sol.success, sol.message
    return sol.y[:, -1]


@pytest.mark.parametrize("adv", ["central2", "weno5"])
@pytest.mark.parametrize("kind", list(PROCESSES))
def test_vp_time_order_every_scheme(kind, adv):
    """Every registered time scheme the schedule admits, 48 cells, central2 diffusion, against DOP853 on the
    same semi-discrete system (time-dependent coefficients and wall data at the exact time; DOP853 at rtol
    1e-13 and 2.3e-14 agree to 2e-14). Explicit schemes from a third of 90% of their stable step (nearer the
    limit RK4's slopes are pre-asymptotic: 4.32, 4.15 from 45%), the others from 90%; three levels. The
    reference is the VP solution: within its O(h^2) spatial error (2e-3 .. 1.7e-2) of the closed form."""
    T = PROCESSES[kind][1]
    grid, op, exact = vp_operator(kind, adv, "central2", 48)
    x = grid.axes[0]
    u0 = exact.state(x, 0.0)
    ref = semi_discrete_reference(op, u0, T)
    assert np.abs(ref - exact.state(x, T)).max() < 3e-2
    failures = []
    for name in schemes_for(kind):
        scheme = BURGERS_TIME_SCHEMES.get(name)
        base = stable_steps(name, adv, op, exact, grid, T) * (3 if scheme.explicit else 1)
        levels = [base, 2 * base, 4 * base]
        errs = [np.abs(run(op, name, u0, T, s) - ref).max() for s in levels]
        p = observed_order([T / s for s in levels], errs)
        if not (abs(p - scheme.order) <= 0.2 and min(errs) > 1e-12):
            failures.append((name, errs, p))
    assert not failures, (kind, adv, failures)
