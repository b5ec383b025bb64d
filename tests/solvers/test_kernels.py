"""Kernels against independent dense linear algebra and direct formulas."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg as sla

from solvers.equations.heat import StencilDiffusion
from solvers.equations.space import SPACE_SCHEMES
from solvers.grids import BOUNDARY_KINDS, BoundaryCondition, UniformGrid
from solvers.kernels.ghosts import fill_ghosts_1d
from solvers.kernels.stencils import apply_stencil_1d
from solvers.kernels.tridiagonal import TridiagonalFactor, cyclic_solve


@pytest.mark.parametrize("cyclic", [False, True])
def test_tridiagonal_solve_matches_dense(cyclic):
    rng = np.random.default_rng(1)
    n = 37
    a, c = rng.uniform(-1, 0, n), rng.uniform(-1, 0, n)
    b = 3.0 + rng.uniform(0, 1, n)
    A = np.diag(b) + np.diag(a[1:], -1) + np.diag(c[:-1], 1)
    if cyclic:
        A[0, -1], A[-1, 0] = a[0], c[-1]
    d = rng.normal(size=n)
    x = d.copy()
    cyclic_solve(*TridiagonalFactor(a, b, c, cyclic).arrays(), x)
    np.testing.assert_allclose(x, sla.solve(A, d), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("kind", [k for k in BOUNDARY_KINDS if k not in ("periodic", "exact")])
@pytest.mark.parametrize("space", ["central2", "central4"])
def test_stencil_kernel_equals_assembled_matrix(kind, space):
    """The numba ghost fill + stencil and the sparse matrix used by the implicit schemes are one operator."""
    grid = UniformGrid((0.0,), (1.0,), (20,))
    bc = BoundaryCondition(kind, 0.0)
    op = StencilDiffusion(grid, [bc], SPACE_SCHEMES.get(space), 0.7)
    u = np.random.default_rng(2).normal(size=20)
    ue = np.zeros(20 + 2 * op.g)
    ue[op.g:-op.g] = u
    fill_ghosts_1d(ue, op.g, False, op.weights[0], np.zeros((2, op.g)))
    out = np.zeros(20)
    apply_stencil_1d(ue, op.g, op.coefs[0], out)
    np.testing.assert_allclose(out, op.matrix() @ u, rtol=1e-12, atol=1e-9)


def test_ghost_rules_match_their_definitions():
    h, g = 0.1, 2
    u = np.array([1.0, 2.0, 4.0, 7.0])
    for kind, value, expected in [
        ("dirichlet", 0.5, [2 * 0.5 - u[0], 2 * 0.5 - u[1]]),
        ("neumann", 0.3, [u[0] + h * 0.3, u[1] + 3 * h * 0.3]),
        ("zero_flux", 0.0, [u[0], u[1]]),
        ("extrapolate", 0.0, [2 * u[0] - u[1], 3 * u[0] - 2 * u[1]]),
    ]:
        bc = BoundaryCondition(kind, value)
        W = bc.weights(g)
        ghosts = W @ u[:W.shape[1]] + bc.constant_offset(g, h)
        np.testing.assert_allclose(ghosts, expected, rtol=1e-14)
