"""Measurement primitives against known answers computed independently of them."""
from __future__ import annotations

import numpy as np
import pytest

from solvers.measurements.derivatives import derivative, score_from_density
from solvers.measurements.interface import fit_tanh, speciation_time
from solvers.measurements.modes import count_modes, count_zeros


def test_tanh_fit_recovers_the_symmetric_mixture_layer():
    """ANALYTIC §3a: the fit of the exact score returns b1 = -1/S, A = a/S, ell = S/a, x0 = 0."""
    a, s0, tau = 1.0, 0.25, 0.3
    S = s0 ** 2 + tau
    x = np.linspace(-4, 4, 2001)
    u = -x / S + (a / S) * np.tanh(a * x / S)
    fit = fit_tanh(x, u, x0=0.05, ell=1.2 * S / a, amplitude=0.8 * a / S)
    assert fit.width == pytest.approx(S / a, rel=1e-10)
    assert fit.amplitude == pytest.approx(a / S, rel=1e-10)
    assert fit.b1 == pytest.approx(-1 / S, rel=1e-10)
    assert abs(fit.position) < 1e-10
    assert fit.derivative_at_position() == pytest.approx(-1 / S + a ** 2 / S ** 2, rel=1e-9)


def test_speciation_time_is_the_root_of_D():
    t = np.linspace(0, 2, 41)
    a, s0 = 1.0, 0.25
    S = s0 ** 2 + t
    D = -1 / S + a ** 2 / S ** 2
    assert speciation_time(t, D) == pytest.approx(a ** 2 - s0 ** 2, rel=1e-5)
    assert speciation_time(t, -np.ones_like(t)) is None


def test_count_zeros_sees_a_pair_closer_than_a_cell():
    x = np.linspace(-1, 1, 101)           # h = 0.02
    u = (x - 0.321) * (x - 0.336) * (x + 0.805)   # two zeros 0.015 apart, both between two samples
    assert np.count_nonzero(np.diff(np.sign(u))) == 1      # plain sign counting misses the pair
    assert count_zeros(u) == 3
    assert count_zeros((x - 0.32) ** 2 + 1e-3) == 0
    assert count_modes(-(x ** 3) + 0.5 * x) == 2


@pytest.mark.parametrize("scheme,order", [("central2", 2), ("central4", 4)])
def test_derivative_order_including_edges(scheme, order):
    errs, hs = [], []
    for n in (80, 160, 320):
        h = 2.0 / n
        x = -1 + (np.arange(n) + 0.5) * h
        f = np.sin(2 * x) + x ** 3
        errs.append(np.abs(derivative(f, 0, h, scheme, False) - (2 * np.cos(2 * x) + 3 * x ** 2)).max())
        hs.append(h)
    p = np.polyfit(np.log(hs), np.log(errs), 1)[0]
    assert abs(p - order) < 0.2, errs


def test_spectral_score_of_a_periodic_density():
    n = 64
    x = -np.pi + (np.arange(n) + 0.5) * 2 * np.pi / n
    p = np.exp(np.cos(x))
    u = score_from_density(p, (2 * np.pi / n,), "spectral", [True])
    np.testing.assert_allclose(u, -np.sin(x), atol=1e-12)
