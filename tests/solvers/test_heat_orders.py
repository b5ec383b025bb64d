"""Observed orders of every registered heat scheme against exact solutions (ANALYTIC.md §5).

Space: each stencil scheme on each boundary kind, with RK4 at half its stability limit so the time error
(O(dt^4) = O(h^8)) is negligible. Time: each time scheme against the exact solution of the semi-discrete
system (a Fourier mode of the stencil operator decays with the stencil's modified wavenumber), so the
spatial error is absent: periodic, and with ``exact`` walls whose ghost values change in time (the same
closed form in the ghost cells), on a fixed grid and with grid and step refined together (the regime where
stage boundary data reduces the order); the implicit schemes also against the PDE's own closed form.
Orders are least-squares slopes of log(error) over the levels, asserted two-sided within 0.2 of the formal
order. The spectral scheme is asserted to converge exponentially.
"""
from __future__ import annotations

import numpy as np
import pytest

from solvers.closed_forms.mixture import PeriodicGaussianMixture
from solvers.equations.heat import SpectralDiffusion, StencilDiffusion
from solvers.equations.space import SPACE_SCHEMES
from solvers.grids import BoundaryCondition, UniformGrid
from solvers.integrators import TIME_SCHEMES
from solvers.integrators.steppers import make_stepper, stage_boundary_weights

NU = 0.5
STENCIL_SCHEMES = [n for n in SPACE_SCHEMES.names() if SPACE_SCHEMES.get(n).kind == "stencil"]
TIME_NAMES = TIME_SCHEMES.names()


def observed_order(h, err):
    return np.polyfit(np.log(h), np.log(err), 1)[0]


# exact heat solutions, each with the boundary it exercises: (domain, bc kind, value, u(x, t))
def _periodic(x, t):
    return np.sin(x + 0.3) * np.exp(-NU * t)


def _exact_bc(x, t):
    return 2.0 + np.sin(1.3 * x + 0.4) * np.exp(-NU * 1.69 * t)


def _dirichlet(x, t):   # constant wall value 0.3 at 0 and pi
    return 0.3 + np.sin(x) * np.exp(-NU * t) + 0.5 * np.sin(3 * x) * np.exp(-9 * NU * t)


NEUMANN_G = 0.2


def _neumann(x, t):     # outward derivative g on both walls of [0, pi]
    return (NEUMANN_G / np.pi) * ((x - np.pi / 2) ** 2 + 2 * NU * t) + np.cos(2 * x) * np.exp(-4 * NU * t)


def _zero_flux(x, t):
    return 1.0 + np.cos(x) * np.exp(-NU * t) + 0.3 * np.cos(2 * x) * np.exp(-4 * NU * t)


BOUNDARY_CASES = {
    "periodic": ((0.0, 2 * np.pi), "periodic", 0.0, _periodic),
    "exact": ((-1.0, 2.0), "exact", 0.0, _exact_bc),
    "dirichlet": ((0.0, np.pi), "dirichlet", 0.3, _dirichlet),
    "neumann": ((0.0, np.pi), "neumann", NEUMANN_G, _neumann),
    "zero_flux": ((0.0, np.pi), "zero_flux", 0.0, _zero_flux),
}


def _solve_1d(space, bc_name, n, scheme="rk4", T=0.4, dt=None):
    (lo, hi), kind, value, exact = BOUNDARY_CASES[bc_name]
    grid = UniformGrid((lo,), (hi,), (n,))
    op = StencilDiffusion(grid, [BoundaryCondition(kind, value)], SPACE_SCHEMES.get(space), NU, exact)
    ts = TIME_SCHEMES.get(scheme)
    if dt is None:
        dt = 0.5 * ts.stability_interval / op.spectral_radius
    steps = int(np.ceil(T / dt))
    u = exact(grid.axes[0], 0.0)
    make_stepper(op, ts, T / steps).advance(u, 0.0, steps)
    return grid.spacing[0], np.abs(u - exact(grid.axes[0], T)).max()


@pytest.mark.parametrize("bc_name", list(BOUNDARY_CASES))
@pytest.mark.parametrize("space", STENCIL_SCHEMES)
def test_space_order_1d(space, bc_name):
    levels = [16, 32, 64, 128] if SPACE_SCHEMES.get(space).order <= 2 else [12, 24, 48, 96]
    h, err = zip(*[_solve_1d(space, bc_name, n) for n in levels])
    p = observed_order(h, err)
    assert abs(p - SPACE_SCHEMES.get(space).order) < 0.2, (space, bc_name, err, p)


@pytest.mark.parametrize("bc_name", ["periodic", "exact"])
@pytest.mark.parametrize("space", STENCIL_SCHEMES)
def test_space_order_2d(space, bc_name):
    def exact(X, t):
        X = np.asarray(X)
        return 2.0 + np.sin(X[..., 0] + 0.2) * np.sin(X[..., 1] + 0.1) * np.exp(-2 * NU * t)

    errs, hs = [], []
    for n in ([12, 24, 48] if SPACE_SCHEMES.get(space).order > 2 else [16, 32, 64]):
        grid = UniformGrid((0.0, 0.0), (2 * np.pi, 2 * np.pi), (n, n))
        op = StencilDiffusion(grid, [BoundaryCondition(bc_name)] * 2, SPACE_SCHEMES.get(space), NU, exact)
        rk4 = TIME_SCHEMES.get("rk4")
        T = 0.3
        steps = int(np.ceil(T / (0.5 * rk4.stability_interval / op.spectral_radius)))
        u = exact(grid.coordinates(), 0.0)
        make_stepper(op, rk4, T / steps).advance(u, 0.0, steps)
        errs.append(np.abs(u - exact(grid.coordinates(), T)).max())
        hs.append(grid.spacing[0])
    p = observed_order(hs, errs)
    assert abs(p - SPACE_SCHEMES.get(space).order) < 0.2, (space, bc_name, errs, p)


def test_spectral_space_converges_exponentially():
    """Periodic mixture (not band-limited): the error falls faster than any power of h."""
    mix = PeriodicGaussianMixture([0.5, 0.5], [-0.8, 0.8], [0.3, 0.3], [-np.pi], [np.pi])
    scheme = TIME_SCHEMES.get("integrating_factor")
    ns = np.array([12, 16, 20, 24, 28, 32])
    errs = []
    for n in ns:
        grid = UniformGrid((-np.pi,), (np.pi,), (int(n),))
        op = SpectralDiffusion(grid, NU)
        u = mix.density(grid.axes[0], 0.0)
        make_stepper(op, scheme, 0.2).advance(u, 0.0, 1)
        errs.append(np.abs(u - mix.density(grid.axes[0], 0.2)).max())
    errs = np.array(errs)
    # algebraic rates log(e1/e2)/log(n2/n1) keep growing (faster than any power of h) ...
    rates = np.log(errs[:-2] / errs[1:-1]) / np.log(ns[1:-1] / ns[:-2])
    assert np.all(np.diff(rates) > 0), rates
    # ... while log(err) is close to linear in n (exponential convergence) until round-off
    slope, *_ = np.polyfit(ns[:-1], np.log(errs[:-1]), 1)
    assert slope < -1.0, (slope, errs)
    assert errs[-1] < 1e-13 and errs[0] > 1e-4, errs


def _modified_symbol(space: str, k: float, h: float) -> float:
    """-lambda_h: the stencil's eigenvalue for the Fourier mode exp(i k x) (per unit nu)."""
    coef = SPACE_SCHEMES.get(space).second_derivative / h ** 2
    g = coef.size // 2
    return float(sum(c * np.cos(k * (j - g) * h) for j, c in enumerate(coef)))


@pytest.mark.parametrize("name", TIME_NAMES)
def test_time_order_spectral(name):
    """Every time scheme on a single Fourier mode (spectral space: no spatial error)."""
    scheme = TIME_SCHEMES.get(name)
    grid = UniformGrid((0.0,), (2 * np.pi,), (32,))
    op = SpectralDiffusion(grid, NU)
    x, T, k = grid.axes[0], 1.0, 3
    exact = np.sin(k * x) * np.exp(-NU * k * k * T)
    limit = scheme.stability_interval / op.spectral_radius
    base = max(40, int(np.ceil(T / (0.9 * limit))))
    dts, errs = [], []
    for steps in (base, 2 * base, 4 * base, 8 * base):
        u = np.sin(k * x)
        make_stepper(op, scheme, T / steps).advance(u, 0.0, steps)
        dts.append(T / steps)
        errs.append(np.abs(u - exact).max())
    if scheme.kind == "exact":
        assert max(errs) < 1e-13, errs
    else:
        assert abs(observed_order(dts, errs) - scheme.order) < 0.2, (name, errs)


FD_TIME = [n for n in TIME_NAMES if TIME_SCHEMES.get(n).kind != "exact"]


@pytest.mark.parametrize("space", STENCIL_SCHEMES)
@pytest.mark.parametrize("name", FD_TIME)
@pytest.mark.parametrize("dim", [1, 2])
def test_time_order_stencil(name, space, dim):
    """Each time scheme on the stencil operator (numba RK loops; Thomas / splu implicit paths) against the
    exact semi-discrete solution: the mode decays with the modified wavenumber."""
    scheme = TIME_SCHEMES.get(name)
    n, k, T = 16, 2, 1.0
    grid = UniformGrid((0.0,) * dim, (2 * np.pi,) * dim, (n,) * dim)
    op = StencilDiffusion(grid, [BoundaryCondition("periodic")] * dim, SPACE_SCHEMES.get(space), NU)
    lam = NU * _modified_symbol(space, k, grid.spacing[0]) * dim
    X = grid.coordinates()
    mode = np.sin(k * X) if dim == 1 else np.sin(k * X[..., 0]) * np.sin(k * X[..., 1])
    limit = scheme.stability_interval / op.spectral_radius
    base = max(20, int(np.ceil(T / (0.9 * limit)))) if scheme.explicit else 20
    dts, errs = [], []
    for steps in (base, 2 * base, 4 * base, 8 * base):
        u = mode.copy()
        make_stepper(op, scheme, T / steps).advance(u, 0.0, steps)
        dts.append(T / steps)
        errs.append(np.abs(u - mode * np.exp(lam * T)).max())
    assert abs(observed_order(dts, errs) - scheme.order) < 0.2, (name, space, dim, errs)


# ------------------------------------------------------------------ time orders with time-dependent walls
#
# The exact solution of the semi-discrete system with ``exact`` walls, in closed form: a stencil maps the
# sampled mode sin(k x + phi) to lambda_h(k) sin(k x + phi) at *every* cell, the ones next to the walls
# included, because the ghost cells continue the same lattice and carry the same closed form (their values
# change in time). So f = 2 + sin(k x + phi) exp(nu lambda_h t) (2D: a product) solves dU/dt = L U + b(t)
# exactly: the spatial error is zero and the error of a run is its time error, stage boundary data included.

WALL_BOX = (-1.0, 2.0)
WALL_K, WALL_PHASE = (1.7, 1.1), (0.4, 0.9)


def semi_discrete_wall_solution(space: str, grid: UniformGrid):
    """``(values, rates, decay)``: the closed form, its time derivative and ``nu lambda_h`` (negative)."""
    dim, h = grid.dim, grid.spacing
    decay = NU * sum(_modified_symbol(space, WALL_K[a], h[a]) for a in range(dim))

    def shape(X):
        X = np.asarray(X, dtype=float)
        if dim == 1:
            return np.sin(WALL_K[0] * X + WALL_PHASE[0])
        return np.sin(WALL_K[0] * X[..., 0] + WALL_PHASE[0]) * np.sin(WALL_K[1] * X[..., 1] + WALL_PHASE[1])

    def values(X, t):
        return 2.0 + shape(X) * np.exp(decay * np.asarray(t, dtype=float))

    def rates(X, t):
        return decay * shape(X) * np.exp(decay * np.asarray(t, dtype=float))

    return values, rates, decay


def _wall_run(name: str, space: str, dim: int, n: int, steps: int | None, rates: bool = True, T: float = 1.0):
    """One run on ``n`` cells per axis with ``exact`` walls from the semi-discrete closed form; ``steps=None``:
    90% of an explicit scheme's limit (``dt ~ h^2``). Returns ``(dt, max error at T)``."""
    scheme = TIME_SCHEMES.get(name)
    grid = UniformGrid((WALL_BOX[0],) * dim, (WALL_BOX[1],) * dim, (n,) * dim)
    values, dvalues, _ = semi_discrete_wall_solution(space, grid)
    op = StencilDiffusion(grid, [BoundaryCondition("exact")] * dim, SPACE_SCHEMES.get(space), NU, values,
                          dvalues if rates else None)
    if steps is None:
        steps = int(np.ceil(T / (0.9 * scheme.stability_interval / op.spectral_radius)))
    X = grid.coordinates() if dim == 2 else grid.axes[0]
    u = values(X, 0.0)
    make_stepper(op, scheme, T / steps).advance(u, 0.0, steps)
    return T / steps, np.abs(u - values(X, T)).max()


@pytest.mark.parametrize("space", STENCIL_SCHEMES)
@pytest.mark.parametrize("dim", [1, 2])
def test_wall_solution_is_exact_for_the_semi_discrete_system(space, dim):
    """The closed form above has no spatial error: ``L f + b(t) = df/dt`` at round-off (the assembled matrix
    and the boundary term of the operator), while the PDE's own mode misses it at O(h^p)."""
    grid = UniformGrid((WALL_BOX[0],) * dim, (WALL_BOX[1],) * dim, (12,) * dim)
    values, dvalues, decay = semi_discrete_wall_solution(space, grid)
    op = StencilDiffusion(grid, [BoundaryCondition("exact")] * dim, SPACE_SCHEMES.get(space), NU, values, dvalues)
    X = grid.coordinates() if dim == 2 else grid.axes[0]
    for t in (0.0, 0.7):
        residual = op.matrix() @ values(X, t).ravel() + op.boundary_term(t) - dvalues(X, t).ravel()
        assert np.abs(residual).max() < 1e-12, (space, dim, t, np.abs(residual).max())
    k2 = sum(k * k for k in WALL_K[:dim])
    assert abs(decay + NU * k2) > 1e-4 * NU * k2            # not the PDE's rate: the test sees the stencil


WALL_TIME = [n for n in TIME_NAMES if TIME_SCHEMES.get(n).kind != "exact"]


def test_every_heat_time_scheme_runs_with_walls_or_says_why():
    """The wall tests below iterate the registry; the only entries left out are those of kind ``exact``,
    which need a diagonalised operator and refuse a stencil operator with walls."""
    grid = UniformGrid((WALL_BOX[0],), (WALL_BOX[1],), (8,))
    values, dvalues, _ = semi_discrete_wall_solution("central2", grid)
    op = StencilDiffusion(grid, [BoundaryCondition("exact")], SPACE_SCHEMES.get("central2"), NU, values, dvalues)
    for name in set(TIME_NAMES) - set(WALL_TIME):
        with pytest.raises(ValueError, match="diagonalised"):
            make_stepper(op, TIME_SCHEMES.get(name), 0.1)
    assert WALL_TIME


@pytest.mark.parametrize("space", STENCIL_SCHEMES)
@pytest.mark.parametrize("name", WALL_TIME)
@pytest.mark.parametrize("dim", [1, 2])
def test_time_order_with_time_dependent_walls(name, space, dim):
    """Fixed grid (12 cells per axis), dt halved: every time scheme against the exact semi-discrete solution
    with time-dependent ghost data, at its registry order. Explicit schemes from half of 90% of their limit
    (at the limit the stiff modes make RK4's first slope 4.6 in 1D), implicit ones from 8 steps."""
    scheme = TIME_SCHEMES.get(name)
    n = 12
    base = 2 * int(np.ceil(1.0 / _wall_run(name, space, dim, n, None)[0])) if scheme.explicit else 8
    dts, errs = zip(*[_wall_run(name, space, dim, n, base * m) for m in (1, 2, 4)])
    assert min(errs) > 1e-12, errs                     # above round-off (~1e-14 here)
    p = observed_order(dts, errs)
    assert abs(p - scheme.order) < 0.2, (name, space, dim, errs, p)


@pytest.mark.parametrize("space", STENCIL_SCHEMES)
@pytest.mark.parametrize("name", WALL_TIME)
@pytest.mark.parametrize("dim", [1, 2])
def test_time_order_with_time_dependent_walls_as_h_and_dt_shrink(name, space, dim):
    """The regime of the runs: grid and step refined together. Explicit schemes at 90% of their limit
    (``dt ~ h^2``, ``dt rho(L)`` fixed: the boundary forcing ``g / h^2`` is as stiff as the operator), implicit
    ones with ``dt = 2 h`` (``dt rho(L) ~ 1/h`` grows). Against the exact semi-discrete solution of each grid, so
    the error is the time error alone; its order in ``dt`` must be the registry order. Stage data imposed as
    ``g(t_n + c_i dt)`` makes RK4 second order here, the Butcher weights ``g(t_n) + dt sum_j a_ij g'`` third
    order (the control test below)."""
    scheme = TIME_SCHEMES.get(name)
    if scheme.explicit:
        levels = (12, 16, 24, 32, 48) if dim == 1 else (12, 16, 24, 32)
        runs = [_wall_run(name, space, dim, n, None) for n in levels]
    else:
        levels = (16, 32, 64, 128) if dim == 1 else (12, 24, 48, 96)
        runs = [_wall_run(name, space, dim, n, n // 2) for n in levels]
    dts, errs = zip(*runs)
    assert min(errs) > 1e-12, errs
    p = observed_order(dts, errs)
    assert abs(p - scheme.order) < 0.2, (name, space, dim, errs, p)


def test_rk4_stage_wall_data_are_carpenters():
    """The stage ghost values ``g(t_n) + dt sum_j W_ij g'(t_n + c_j dt)`` of RK4 equal those of Carpenter,
    Gottlieb, Abarbanel & Don (1995): ``g``, ``g + dt/2 g'``, ``g + dt/2 g' + dt^2/4 g''`` and
    ``g + dt g' + dt^2/2 g'' + dt^3/4 g'''`` (the stage polynomials of ``u' = L u`` at the wall), exactly for a
    cubic ``g`` (its rates are quadratic, which the three stage times integrate exactly)."""
    rk4 = TIME_SCHEMES.get("rk4")
    W = stage_boundary_weights(rk4.A, rk4.c)
    a0, a1, a2, a3, dt = 0.3, -1.1, 0.7, 2.3, 0.37
    g0 = a0
    d1, d2, d3 = a1, 2 * a2, 6 * a3                                   # g', g'', g''' at 0

    def dg(t):
        return a1 + 2 * a2 * t + 3 * a3 * t ** 2

    carpenter = [g0, g0 + dt / 2 * d1, g0 + dt / 2 * d1 + dt ** 2 / 4 * d2,
                 g0 + dt * d1 + dt ** 2 / 2 * d2 + dt ** 3 / 4 * d3]
    np.testing.assert_allclose(g0 + dt * W @ dg(rk4.c * dt), carpenter, rtol=0, atol=1e-14)
    butcher = g0 + dt * np.asarray(rk4.A) @ dg(rk4.c * dt)           # the Butcher weights miss dt^3 terms
    assert abs(butcher[3] - carpenter[3]) > 1e-2 * dt ** 3
    euler = TIME_SCHEMES.get("euler")
    np.testing.assert_array_equal(stage_boundary_weights(euler.A, euler.c), [[0.0]])


@pytest.mark.parametrize("space", STENCIL_SCHEMES)
def test_stage_time_wall_data_reduces_rk4_to_second_order(space):
    """Control (the test above can fail): RK4 without the wall rates, i.e. ghost data ``g(t_n + c_i dt)`` at
    the stage times, loses two orders in the refinement with ``dt ~ h^2`` (measured 2.0-2.1), and is more
    than ten times less accurate than the stage-consistent data on the finest grid."""
    levels = (12, 16, 24, 32, 48)
    dts, errs = zip(*[_wall_run("rk4", space, 1, n, None, rates=False) for n in levels])
    p = observed_order(dts, errs)
    assert abs(p - 2.0) < 0.2, (space, errs, p)
    assert errs[-1] > 10 * _wall_run("rk4", space, 1, levels[-1], None)[1]


@pytest.mark.parametrize("name", [n for n in TIME_NAMES if TIME_SCHEMES.get(n).kind == "implicit"])
def test_implicit_time_order_against_the_pde_solution_with_exact_walls(name):
    """Against the heat equation's own closed form ``2 + sin(1.3 x + 0.4) exp(-nu 1.69 t)`` (ANALYTIC §5) with
    its time-dependent wall data: central4 on 240 cells (spatial error ~1e-10, far below the time errors),
    4 to 32 steps. (Explicit schemes cannot be measured this way: their limit ``dt <= I / rho(L) ~ h^2`` puts
    their time error below the spatial one; the semi-discrete tests above measure them.)"""
    scheme = TIME_SCHEMES.get(name)
    grid = UniformGrid((-1.0,), (2.0,), (240,))
    op = StencilDiffusion(grid, [BoundaryCondition("exact")], SPACE_SCHEMES.get("central4"), NU, _exact_bc)
    x, T = grid.axes[0], 1.0
    dts, errs = [], []
    for steps in (4, 8, 16, 32):
        u = _exact_bc(x, 0.0)
        make_stepper(op, scheme, T / steps).advance(u, 0.0, steps)
        dts.append(T / steps)
        errs.append(np.abs(u - _exact_bc(x, T)).max())
    assert min(errs) > 1e3 * 1e-10, errs
    p = observed_order(dts, errs)
    assert abs(p - scheme.order) < 0.2, (name, errs, p)
