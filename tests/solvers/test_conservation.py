"""Conservation and positivity: zero-flux boundaries conserve the midpoint mass to round-off for every
stencil scheme and every time scheme, in 1D and 2D; a Neumann flux changes it by exactly the flux."""
from __future__ import annotations

import numpy as np
import pytest

from solvers.closed_forms.mixture import GaussianMixture
from solvers.equations.heat import StencilDiffusion
from solvers.equations.space import SPACE_SCHEMES
from solvers.grids import BoundaryCondition, UniformGrid
from solvers.integrators import TIME_SCHEMES
from solvers.integrators.steppers import make_stepper

STENCIL = [n for n in SPACE_SCHEMES.names() if SPACE_SCHEMES.get(n).kind == "stencil"]
FD_TIME = [n for n in TIME_SCHEMES.names() if TIME_SCHEMES.get(n).kind != "exact"]


def _run(grid, bc, space, name, u, T=0.5):
    op = StencilDiffusion(grid, [bc] * grid.dim, SPACE_SCHEMES.get(space), 0.5)
    scheme = TIME_SCHEMES.get(name)
    dt = 0.9 * scheme.stability_interval / op.spectral_radius if scheme.explicit else 0.01
    steps = int(np.ceil(T / dt))
    make_stepper(op, scheme, T / steps).advance(u, 0.0, steps)
    return u


@pytest.mark.parametrize("name", FD_TIME)
@pytest.mark.parametrize("space", STENCIL)
@pytest.mark.parametrize("dim", [1, 2])
def test_zero_flux_conserves_mass(dim, space, name):
    # mass pressed against the wall, so the boundary closure is exercised
    mix = GaussianMixture([0.6, 0.4], [[-1.6] * dim, [0.5] * dim] if dim == 2 else [-1.6, 0.5], [0.3, 0.4])
    n = 64 if dim == 1 else 40
    grid = UniformGrid((-2.0,) * dim, (2.0,) * dim, (n,) * dim)
    u = mix.density(grid.coordinates(), 0.0)
    m0 = grid.integrate(u)
    u = _run(grid, BoundaryCondition("zero_flux"), space, name, u)
    assert abs(grid.integrate(u) - m0) / m0 < 1e-12
    assert u.min() > 0


@pytest.mark.parametrize("space", STENCIL)
def test_neumann_flux_changes_mass_by_the_flux(space):
    """d/dt int u = nu * (outward flux through both faces) = nu * 2 g, exactly in the discrete sense."""
    g, nu, T = 0.3, 0.5, 0.4
    grid = UniformGrid((0.0,), (1.0,), (50,))
    u = 1.0 + np.cos(np.pi * grid.axes[0])
    m0 = grid.integrate(u)
    u = _run(grid, BoundaryCondition("neumann", g), space, "crank_nicolson", u, T)
    assert abs(grid.integrate(u) - (m0 + 2 * nu * g * T)) < 1e-12


def test_implicit_euler_keeps_positivity_with_large_steps():
    """Backward Euler with central2 is an M-matrix scheme: positive data stays positive for any dt."""
    grid = UniformGrid((-3.0,), (3.0,), (200,))
    u = np.where(np.abs(grid.axes[0]) < 0.2, 1.0, 1e-12)
    op = StencilDiffusion(grid, [BoundaryCondition("zero_flux")], SPACE_SCHEMES.get("central2"), 0.5)
    make_stepper(op, TIME_SCHEMES.get("implicit_euler"), 0.5).advance(u, 0.0, 4)
    assert u.min() > 0
