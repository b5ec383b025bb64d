"""Stage-consistent ``exact`` wall data for explicit Runge-Kutta (Burgers, like the heat steppers).

Stage ``i`` must see ``g(t_n) + dt sum_j a_ij g'(t_n + c_j dt)``; the closed form at the stage times is
inconsistent with RK4's stage order. On a mixture whose wall data change quickly the consistent data make the
RK4 time error ~75x smaller (max difference to a dt = 5e-5 run: 3.8e-9 against 2.9e-7 at dt = 1.6e-3), order 4.

Also ``extrapolate`` walls: their order and their effect on the accuracy against the exact mixture score.
"""
from __future__ import annotations

import numpy as np
import pytest

from solvers.closed_forms.mixture import GaussianMixture
from solvers.equations.advection import BURGERS_SPACE_SCHEMES
from solvers.equations.burgers import Coefficients, FluxBurgers1D
from solvers.equations.space import SPACE_SCHEMES
from solvers.families import load_case
from solvers.grids import BoundaryCondition, UniformGrid
from solvers.integrators.split_schemes import BURGERS_TIME_SCHEMES
from solvers.integrators.split_steppers import make_split_stepper
from solvers.integrators.time_loop import integrate
from solvers.problems.burgers_exact import MixtureScore
from solvers.problems.burgers_problem import build_burgers_problem
from solvers.problems.exact import MixtureSolution

CASE = """
name = "walls"
equation = "burgers"
dimension = 1
[data]
weights = [0.5, 0.5]
means = [-0.5, 0.5]
stds = [0.3, 0.3]
[grid]
lower = [-1.7]
upper = [1.7]
points = [68]
boundary = "exact"
[time]
stop = 0.3
saves = 2
[method]
space = "central2"
time = "rk4"
diffusion = "central2"
"""


def _final(path, dt, consistent):
    problem = build_burgers_problem(load_case(path, [f"time.dt={dt!r}"]))
    problem.operator.has_rates = consistent
    return integrate(problem).fields[-1]


def test_consistent_wall_data_is_fourth_order_and_more_accurate(tmp_path):
    path = tmp_path / "walls.toml"
    path.write_text(CASE)
    dts = [1.6e-3, 8e-4, 4e-4]
    errors = {}
    for consistent in (True, False):
        ref = _final(path, 5e-5, consistent)
        errors[consistent] = np.array([np.abs(_final(path, dt, consistent) - ref).max() for dt in dts])
    order = float(np.polyfit(np.log(dts), np.log(errors[True]), 1)[0])
    assert abs(order - 4.0) <= 0.2, (errors, order)              # least-squares slope (local 4.22, 4.08)
    assert errors[True][0] < 0.1 * errors[False][0], errors


# ---------------------------------------------------------------------------------------------------------------
# ``extrapolate`` walls (ghost_j = (j+2) u_0 - (j+1) u_1): exact for a field that is linear at the wall, as the
# score of a Gaussian mixture is far from its components (u ~ (mu_k - x)/S). The closure is then consistent, and
# the interior accuracy must be the scheme's own: the runs below compare it with the exact score.
# ---------------------------------------------------------------------------------------------------------------


# weighted two-component mixture (equal stds: past the layer the score is linear up to exp(-2 a |x| / S))
WALL_MIXTURE = GaussianMixture([0.4, 0.6], [[-1.0], [1.0]], [0.5, 0.5])
WALL_T = 0.3
FLUX_1D = [n for n in BURGERS_SPACE_SCHEMES.names()
           if BURGERS_SPACE_SCHEMES.get(n).kind == "flux" and 1 in BURGERS_SPACE_SCHEMES.get(n).dims]
DIFFUSION = [n for n in SPACE_SCHEMES.names() if SPACE_SCHEMES.get(n).kind == "stencil"]


def _mixture_score() -> MixtureScore:
    return MixtureScore(MixtureSolution(WALL_MIXTURE, 0.5), 1.0)


def wall_curvature(half_width: float) -> float:
    """``max |u_xx|`` at the walls ``x = +-half_width`` over the run, ``u_xx = 2 (u_tau - u u_x)`` (VE, nu = 1/2)."""
    x = np.array([-half_width, half_width])
    worst = 0.0
    for tau in np.linspace(0.0, WALL_T, 13):
        u = WALL_MIXTURE.score(x, tau)
        u_xx = 2.0 * (WALL_MIXTURE.score_time_derivative(x, tau) - u * WALL_MIXTURE.score_jacobian(x, tau))
        worst = max(worst, float(np.abs(u_xx).max()))
    return worst


def wall_run(adv: str, diff: str, n: int, bc: str, half_width: float = 7.0):
    """RK4 from the exact score to ``WALL_T`` on ``[-half_width, half_width]`` at 45% of both the diffusive and the
    advective limit (the score is large at the walls). Returns ``(h, final state, exact final state)``."""
    exact = _mixture_score()
    grid = UniformGrid((-half_width,), (half_width,), (n,))
    op = FluxBurgers1D(grid, [BoundaryCondition(bc)], BURGERS_SPACE_SCHEMES.get(adv), SPACE_SCHEMES.get(diff),
                       Coefficients(1.0, 0.5), boundary_values=exact.state if bc == "exact" else None)
    x, h = grid.axes[0], grid.spacing[0]
    rk4 = BURGERS_TIME_SCHEMES.get("rk4")
    speed = max(np.abs(exact.state(x, t)).max() for t in (0.0, WALL_T))
    steps = int(np.ceil(WALL_T * (op.diffusive_radius(0.0) / (0.45 * rk4.stability_interval) + speed / (0.45 * h))))
    u = exact.state(x, 0.0)
    make_split_stepper(op, rk4, WALL_T / steps).advance(u, 0.0, steps)
    return h, u, exact.state(x, WALL_T)


def test_the_mixture_score_is_linear_at_the_walls():
    """The premise of the extrapolate tests: on [-7, 7] the score's curvature at the walls stays below 1e-9
    during the run (the closure's consistency error is below every discretisation error measured), while on
    [-1.5, 1.5] (the control below) it is O(1)."""
    assert wall_curvature(7.0) < 1e-9
    assert wall_curvature(1.5) > 0.1


# levels per flux with central2 diffusion: the MUSCL limiters clip at the score's two extrema (the data has two
# species) and WENO5's nonlinear weights are pre-asymptotic on coarse grids: measured local slopes 1.85 .. 1.99
# from 256 to 2048 cells; the others are at their order from 64 cells.
def _extrapolate_levels(adv: str) -> tuple[int, ...]:
    scheme = BURGERS_SPACE_SCHEMES.get(adv)
    if scheme.order <= 1 or adv == "central2":
        return (64, 128, 256, 512)
    return (512, 1024, 2048)


@pytest.mark.parametrize("adv", FLUX_1D)
def test_extrapolate_walls_order_against_the_exact_score(adv):
    """Every 1D flux with central2 diffusion and ``extrapolate`` walls against the exact mixture score at
    T = 0.3: order min(flux, 2) (measured 1.00, 2.00, MUSCL minmod 1.94, MUSCL MC 1.98, WENO5 1.99)."""
    expected = min(BURGERS_SPACE_SCHEMES.get(adv).order, SPACE_SCHEMES.get("central2").order)
    hs, errs = [], []
    for n in _extrapolate_levels(adv):
        h, u, exact = wall_run(adv, "central2", n, "extrapolate")
        hs.append(h)
        errs.append(np.abs(u - exact).max())
    p = float(np.polyfit(np.log(hs), np.log(errs), 1)[0])
    assert abs(p - expected) <= 0.2, (adv, errs, p)


@pytest.mark.parametrize("diff", DIFFUSION)
@pytest.mark.parametrize("adv", FLUX_1D)
def test_extrapolate_walls_cost_no_accuracy(adv, diff):
    """The closure's effect on the accuracy: the max error against the exact score with ``extrapolate`` walls
    equals that with ``exact`` walls (the closed form in the ghost cells) to 1e-3 relative (measured: 5 digits),
    on two grids, for every flux and diffusion stencil (1 to 3 ghost layers, so every layer of the rule is read).
    The two solutions do differ in the boundary cells (first-order fluxes: by O(h) there), but not where the
    error is largest. A closure that were wrong for linear data (zero-gradient ghosts, say) would put an O(1)
    error in the boundary cells."""
    for n in (128, 256):
        _, u_ext, exact = wall_run(adv, diff, n, "extrapolate")
        _, u_wall, _ = wall_run(adv, diff, n, "exact")
        e_ext, e_wall = np.abs(u_ext - exact).max(), np.abs(u_wall - exact).max()
        assert abs(e_ext / e_wall - 1.0) < 1e-3, (adv, diff, n, e_ext, e_wall)


def test_extrapolate_walls_control_where_the_score_is_curved():
    """Control (the tests above can fail): on [-1.5, 1.5] the walls cut through the components (|u_xx| = O(1)
    there). The extrapolated ghosts then impose u_xx = 0 at the boundary cells, and the error stalls at the
    closure's O(1) consistency error (measured 1.5e-2 -> 1.3e-2 from 64 to 512 cells) while the same run with
    exact walls converges at order 2."""
    levels = (64, 128, 256, 512)
    ext, wall, hs = [], [], []
    for n in levels:
        h, u, exact = wall_run("central2", "central2", n, "extrapolate", half_width=1.5)
        ext.append(np.abs(u - exact).max())
        wall.append(np.abs(wall_run("central2", "central2", n, "exact", half_width=1.5)[1] - exact).max())
        hs.append(h)
    assert ext[-1] > 0.5 * ext[0] and ext[-1] > 1e-3, ext
    assert abs(float(np.polyfit(np.log(hs), np.log(wall), 1)[0]) - 2.0) <= 0.2, wall
