"""Quartic double well (ANALYTIC.md §3d): the scipy-quadrature reference against mpmath.quad, finite
differences and the integral condition for tau_S."""
from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest

from solvers.closed_forms import DoubleWell

from .test_mp_reference import mp30  # noqa: F401

EPS = 0.1


@pytest.fixture(scope="module")
def dw():
    return DoubleWell(EPS)


def _mp_p0(y, eps=EPS):
    return mp.exp(-(y * y - 1) ** 2 / mp.mpf(eps))


def _mp_breaks(x):
    return sorted({-mp.inf, mp.mpf(-1), mp.mpf(0), mp.mpf(1), mp.mpf(x), mp.inf})


@pytest.fixture(scope="module")
def mp_z():
    with mp.workdps(30):
        return mp.quad(_mp_p0, [-mp.inf, -1, 0, 1, mp.inf])


def test_p0_normalised(dw, mp_z):
    assert dw.log_z == pytest.approx(float(mp.log(mp_z)), rel=1e-13, abs=1e-14)
    x = np.linspace(-2.5, 2.5, 5001)
    assert np.trapezoid(np.exp(dw.log_density0(x)), x) == pytest.approx(1.0, rel=1e-11)


@pytest.mark.parametrize("tau", [0.05, 0.5])
def test_density_and_score_match_mpmath_quadrature(dw, mp_z, tau):
    xs = [0.0, 0.7, 2.5]
    p, u = dw.density(np.array(xs), tau), dw.score(np.array(xs), tau)
    for xi, pi, ui in zip(xs, p, u):
        def kern(y, m):
            return _mp_p0(y) * mp.exp(-(xi - y) ** 2 / (2 * mp.mpf(tau))) * (y - xi) ** m

        i0 = mp.quad(lambda y: kern(y, 0), _mp_breaks(xi))
        i1 = mp.quad(lambda y: kern(y, 1), _mp_breaks(xi))
        p_ref = i0 / (mp_z * mp.sqrt(2 * mp.pi * tau))
        assert pi == pytest.approx(float(p_ref), rel=1e-11)
        u_ref = i1 / (tau * i0)
        assert abs(ui - float(u_ref)) < 1e-10 * max(abs(float(u_ref)), 1.0)


def test_far_tail_log_density(dw, mp_z):
    """Tails at small tau, where the density is ~1e-74 and the integrand peak sits between the wells and x."""
    tau = 0.02
    for xi in (-4.0, 3.0, 4.0):
        def kern(y):
            return _mp_p0(y) * mp.exp(-(xi - y) ** 2 / (2 * mp.mpf(tau)))

        breaks = [-mp.inf] + [mp.mpf(v) for v in np.linspace(-4.5, 4.5, 181)] + [mp.inf]
        ref = mp.log(mp.quad(kern, breaks) / (mp_z * mp.sqrt(2 * mp.pi * tau)))
        assert float(dw.log_density(xi, tau)) == pytest.approx(float(ref), rel=1e-12)


def test_density_integrates_to_one(dw):
    x = np.linspace(-8.0, 8.0, 641)
    for tau in (0.02, 0.6):
        assert np.trapezoid(dw.density(x, tau), x) == pytest.approx(1.0, rel=1e-10)


def test_score_is_derivative_of_log_density(dw):
    x, h, tau = np.array([-1.3, -0.2, 0.45, 1.0, 2.2]), 1e-3, 0.3
    lp = [dw.log_density(x + k * h, tau) for k in (-2, -1, 1, 2)]
    fd = (lp[0] - 8 * lp[1] + 8 * lp[2] - lp[3]) / (12 * h)
    u = dw.score(x, tau)
    assert np.max(np.abs(fd - u) / np.maximum(np.abs(u), 1.0)) < 1e-8
    # tau = 0: the closed form -4 x (x^2 - 1)/eps
    np.testing.assert_allclose(dw.score(x, 0.0), -4 * x * (x * x - 1) / EPS, rtol=1e-15)


def test_speciation_time_satisfies_integral_condition(dw):
    tau_s = dw.speciation_time()
    assert 0.5 < tau_s < 1.0

    def integral(tau, sign):
        tau = mp.mpf(tau)
        return mp.quad(lambda y: _mp_p0(y) * (y * y + sign * tau) * mp.exp(-y * y / (2 * tau)),
                       [-mp.inf, -1, 0, 1, mp.inf])

    cond, scale = integral(tau_s, -1), integral(tau_s, +1)
    assert abs(cond / scale) < 1e-11
    assert integral(0.99 * tau_s, -1) > 0 > integral(1.01 * tau_s, -1)


def test_split_and_width(dw):
    x = np.array([-1.0, 0.0, 0.3, 1.2])
    tau = 0.4
    p1, p2 = dw.split_densities(x, tau)
    np.testing.assert_allclose(p1 + p2, dw.density(x, tau), rtol=1e-11)
    assert p1[1] == pytest.approx(p2[1], rel=1e-12)             # interface at x = 0 by symmetry
    assert p1[3] > p2[3] and p1[0] < p2[0]
    # width 2/|r'(0)| with r' = u_1 - u_2 = 2 u_1(0), u_1 by mpmath quadrature over y > 0
    t = mp.mpf(tau)
    j0 = mp.quad(lambda y: _mp_p0(y) * mp.exp(-y * y / (2 * t)), [0, 1, mp.inf])
    j1 = mp.quad(lambda y: _mp_p0(y) * mp.exp(-y * y / (2 * t)) * y / t, [0, 1, mp.inf])
    assert dw.width_at_origin(tau) == pytest.approx(float(2 / abs(2 * j1 / j0)), rel=1e-11)
    assert dw.width_at_origin(0.0) == 0.0
    with pytest.raises(ValueError):
        DoubleWell(-1.0)
