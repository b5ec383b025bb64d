"""Observed orders of every registered heat scheme against exact solutions (ANALYTIC.md §5).

Space: each stencil scheme on each boundary kind, with RK4 at half its stability limit so the time error
(O(dt^4) = O(h^8)) is negligible. Time: each time scheme against the exact solution of the semi-discrete
system (a Fourier mode of the stencil operator decays with the stencil's modified wavenumber), so the
spatial error is absent. Orders are least-squares slopes of log(error) over the levels, asserted two-sided
within 0.2 of the formal order. The spectral scheme is asserted to converge exponentially.
"""
from __future__ import annotations

import numpy as np
import pytest

from solvers.closed_forms.mixture import PeriodicGaussianMixture
from solvers.equations.heat import SpectralDiffusion, StencilDiffusion
from solvers.equations.space import SPACE_SCHEMES
from solvers.grids import BoundaryCondition, UniformGrid
from solvers.integrators import TIME_SCHEMES
from solvers.integrators.steppers import make_stepper

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


@pytest.mark.parametrize("name", FD_TIME)
def test_time_order_with_time_dependent_boundary(name):
    """'exact' boundaries feed stage-time data: the order in dt must survive (self-convergence against a
    4x finer dt on the same grid, central2)."""
    scheme = TIME_SCHEMES.get(name)
    limit = scheme.stability_interval / StencilDiffusion(
        UniformGrid((-1.0,), (2.0,), (24,)), [BoundaryCondition("exact")], SPACE_SCHEMES.get("central2"), NU,
        _exact_bc).spectral_radius
    T = 0.5
    base = max(10, int(np.ceil(T / (0.9 * limit)))) if scheme.explicit else 10
    results = {}
    for steps in (4 * base, 8 * base, 16 * base, 512 * base):
        grid = UniformGrid((-1.0,), (2.0,), (24,))
        op = StencilDiffusion(grid, [BoundaryCondition("exact")], SPACE_SCHEMES.get("central2"), NU, _exact_bc)
        u = _exact_bc(grid.axes[0], 0.0)
        make_stepper(op, scheme, T / steps).advance(u, 0.0, steps)
        results[steps] = u
    ref = results[512 * base]
    levels = (4 * base, 8 * base, 16 * base)
    dts = [T / s for s in levels]
    errs = [np.abs(results[s] - ref).max() for s in levels]
    assert abs(observed_order(dts, errs) - scheme.order) < 0.2, (name, errs)
