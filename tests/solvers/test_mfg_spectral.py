"""The Fourier pseudo-spectral MFG variant (registered ``spectral``) on the periodic §6a problem.

Exact solution (ANALYTIC §6a with the periodic images of §2): ``m(t) = p_{T-t}``, ``phi = -log p_{T-t}``.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from solvers.closed_forms.mixture import PeriodicGaussianMixture
from solvers.equations.mfg import MFG_SPACE_SCHEMES
from solvers.equations.mfg_spectral import SpectralMFGOperators
from solvers.grids import BoundaryCondition, UniformGrid
from solvers.integrators.mfg_solvers import MFG_SOLVERS, OuterSettings
from solvers.integrators.mfg_system import MFGSystem

T = 0.5
SETTINGS = OuterSettings(tol=1e-10, max_iterations=50, damping=1.0)


def _system(n: int, steps: int):
    grid = UniformGrid((-np.pi,), (np.pi,), (n,))
    mix = PeriodicGaussianMixture([0.5, 0.5], np.array([[-0.9], [0.9]]), [0.6, 0.6], (-np.pi,), (np.pi,))
    x = grid.axes[0]
    ops = MFG_SPACE_SCHEMES.get("spectral").build_operators(grid, [BoundaryCondition("periodic")], 0.5)
    assert isinstance(ops, SpectralMFGOperators) and ops.matrix_free
    system = MFGSystem(ops, np.linspace(0.0, T, steps + 1), mix.density(x, T), -mix.log_density(x, 0.0))
    return system, mix, x


def _density_error(sol, system, mix, x):
    return max(np.abs(sol.m[k] - mix.density(x, T - t)).max() for k, t in enumerate(system.times))


def test_every_solver_agrees_and_conserves_mass():
    system, mix, x = _system(64, 40)
    ref = MFG_SOLVERS.get("picard").solve(system, SETTINGS)
    err = _density_error(ref, system, mix, x)
    for name in MFG_SOLVERS.names():
        sol = MFG_SOLVERS.get(name).solve(system, replace(SETTINGS, tol=1e-6 if name == "fictitious_play" else 1e-10))
        mass = np.array([system.ops.mass(m) for m in sol.m])
        assert np.abs(mass - mass[0]).max() < 1e-12 * mass[0], name
        diff = np.abs(sol.m - ref.m).max()
        if name == "cole_hopf":          # another discretisation of the same PDEs: agree to the scheme's error
            assert diff < 0.5 * err, (name, diff, err)
        else:
            assert diff < 1e-8, (name, diff)


def test_first_order_in_time():
    """Spectral in space (N = 64 resolves the data), IMEX Euler in time: errors against the exact m halve."""
    errs = []
    for steps in (40, 80, 160):
        system, mix, x = _system(64, steps)
        errs.append(_density_error(MFG_SOLVERS.get("picard").solve(system, SETTINGS), system, mix, x))
    orders = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert abs(orders[-1] - 1.0) <= 0.2, (errs, orders)


def test_spectral_in_space():
    """At a fixed step the solutions on n and 3n cells (every third centre of 3n is a centre of n) differ by an
    amount that falls geometrically: at least 4x per 16 more cells, and faster than any fixed algebraic order
    used here (local order > 6 from n = 48; the 2/3 rule leaves n/3 resolved modes, so the decay starts late).
    Measured: 2.8e-3, 5.7e-4, 8.5e-5, 2.0e-5 for n = 32, 48, 64, 80."""
    ns = (32, 48, 64, 80)
    d = []
    for n in ns:
        coarse, fine = (MFG_SOLVERS.get("picard").solve(_system(k, 40)[0], SETTINGS).m[-1] for k in (n, 3 * n))
        d.append(np.abs(coarse - fine[1::3]).max())
    d = np.array(d)
    assert np.all(d[1:] < 0.25 * d[:-1]), d
    local = np.log(d[1:] / d[:-1]) / np.log(np.array(ns[:-1]) / np.array(ns[1:]))
    assert np.all(local[1:] > 6.0), (d, local)
