"""The fused numba + rocket-fft ETDRK4 step loop of the 1D spectral Burgers operator
(:mod:`solvers.kernels.spectral`) against the numpy path of :class:`ETDRK4Stepper` and the bench's plain
numpy.fft peer: equal to round-off after 50 steps, deterministic, and with a non-trivial (steepening) state."""
from __future__ import annotations

import numpy as np
import pytest

from solvers.bench.burgers import NumpyETDRK4
from solvers.equations.burgers import Coefficients, SpectralBurgers
from solvers.grids import UniformGrid
from solvers.integrators.split_linear import fused_etdrk4
from solvers.integrators.split_schemes import BURGERS_TIME_SCHEMES
from solvers.integrators.split_steppers import ETDRK4Stepper, make_split_stepper
from solvers.kernels import spectral



def test_rocket_fft_is_available():
    """rocket-fft is a dependency: the fused path must be active, not silently switched off."""
    assert spectral.AVAILABLE


def _setup(n, sign=1.0, nu=0.05):
    grid = UniformGrid((-np.pi,), (np.pi,), (n,))
    op = SpectralBurgers(grid, Coefficients(sign, nu))
    x = grid.axes[0]
    return grid, op, 2.0 * np.sin(x) + 0.5 * np.cos(3 * x) + 0.3


@pytest.mark.parametrize("n, sign", [(256, 1.0), (1000, -1.0), (4096, 1.0)])
def test_fused_matches_numpy_path(n, sign):
    grid, op, u0 = _setup(n, sign)
    scheme = BURGERS_TIME_SCHEMES.get("etdrk4")
    dt = 0.2 * grid.spacing[0]
    fused = make_split_stepper(op, scheme, dt)
    plain = ETDRK4Stepper(op, scheme, dt, fused=False)
    assert fused.fused is not None and plain.fused is None
    a, b, c = u0.copy(), u0.copy(), u0.copy()
    fused.advance(a, 0.0, 50)
    plain.advance(b, 0.0, 50)
    NumpyETDRK4(op, dt).advance(c, 50)
    scale = np.abs(b).max()
    assert np.abs(a - u0).max() > 1e-2 * scale                 # it moved
    assert np.abs(a - b).max() <= 1e-12 * scale
    assert np.abs(a - c).max() <= 1e-12 * scale


def test_fused_is_deterministic_and_resumable():
    grid, op, u0 = _setup(512)
    stepper = make_split_stepper(op, BURGERS_TIME_SCHEMES.get("etdrk4"), 0.2 * grid.spacing[0])
    a, b = u0.copy(), u0.copy()
    stepper.advance(a, 0.0, 30)
    stepper.advance(b, 0.0, 30)
    assert np.array_equal(a, b)
    fresh = make_split_stepper(op, BURGERS_TIME_SCHEMES.get("etdrk4"), 0.2 * grid.spacing[0])
    c = u0.copy()
    fresh.advance(c, 0.0, 30)
    assert np.array_equal(a, c)


def test_two_dimensional_keeps_numpy_path():
    grid = UniformGrid((-np.pi, -np.pi), (np.pi, np.pi), (16, 16))
    op = SpectralBurgers(grid, Coefficients(1.0, 0.5))
    assert fused_etdrk4(op, 0.01) is None
    assert make_split_stepper(op, BURGERS_TIME_SCHEMES.get("etdrk4"), 0.01).fused is None
