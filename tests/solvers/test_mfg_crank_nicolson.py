"""The Crank-Nicolson MFG time scheme (registered ``crank_nicolson``) on the coupled §6b game.

Second order in time (self-convergence on a fixed grid, dt halving, against a 16x finer step), Newton and
Picard solve the same discrete system, mass conserved, ``m >= 0`` under the positivity bound of the problem's
``dt = "auto"`` rule, and the per-level FP operator is the transpose of the linearised HJB operator.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from solvers.closed_forms.lq_mfg import LQMeanFieldGame
from solvers.closed_forms.mixture import GaussianMixture
from solvers.equations.mfg import MFGOperators
from solvers.grids import BoundaryCondition, UniformGrid
from solvers.integrators.mfg_solvers import MFG_SOLVERS, MFG_TIME_SCHEMES, OuterSettings
from solvers.integrators.mfg_system import MFGSystem

MIX = GaussianMixture([0.5, 0.5], [-1.2, 1.2], [0.3, 0.3])
GAME = LQMeanFieldGame(MIX, 1.0, 0.5, 1.0, 0.5, 0.4)
N_CELLS = 40
SETTINGS = OuterSettings(tol=1e-12, max_iterations=200, damping=1.0)
CN = MFG_TIME_SCHEMES.get("crank_nicolson").theta


def _system(steps: int, theta: float) -> MFGSystem:
    grid = UniformGrid((-5.0,), (5.0,), (N_CELLS,))
    ops = MFGOperators(grid, [BoundaryCondition("exact")], 0.5, phi_boundary=GAME.phi)
    x = grid.axes[0]
    return MFGSystem(ops, np.linspace(0.0, 1.0, steps + 1), MIX.density(x, 0.0), GAME.phi(x, 1.0), 1.0, theta=theta)


def test_second_order_in_time():
    """Fixed grid, dt halving, against a 16x finer step (its own error is 1/256 of the coarsest)."""
    ref = MFG_SOLVERS.get("picard").solve(_system(160, CN), SETTINGS).m[-1]
    e = np.array([np.abs(MFG_SOLVERS.get("picard").solve(_system(s, CN), SETTINGS).m[-1] - ref).max()
                  for s in (10, 20, 40)])
    observed = np.log2(e[:-1] / e[1:])
    assert abs(observed[-1] - 2.0) <= 0.2, (e, observed)


def test_newton_and_picard_agree_and_conserve_mass():
    system = _system(40, CN)
    picard = MFG_SOLVERS.get("picard").solve(system, SETTINGS)
    newton = MFG_SOLVERS.get("newton").solve(system, replace(SETTINGS, max_iterations=20))
    assert np.abs(newton.m - picard.m).max() < 1e-10
    r = newton.history["newton_residual"]
    assert newton.iterations <= 6 and r[-1] < 1e-9 * r[0], r
    for sol in (picard, newton):
        mass = sol.m.sum(axis=1) * system.ops.cell
        assert np.abs(mass - mass[0]).max() < 1e-12 * mass[0]
        assert sol.m.min() >= 0.0


def test_each_level_fp_operator_is_the_transposed_linearisation():
    system = _system(10, CN)
    phi = np.random.default_rng(1).standard_normal(system.ops.size)
    g = system.ops.gradients(phi, system.offsets[0][0])
    A = system.fp_matrix(g).toarray()
    # interior rows: with zero-flux faces for the FP, L^T and the transpose of the HJB linearisation agree
    L = (system.ops.linearised(g) - system.ops.lap_fp).toarray()
    assert np.abs(A[1:-1, 1:-1] - L.T[1:-1, 1:-1]).max() < 1e-12 * np.abs(A).max()
