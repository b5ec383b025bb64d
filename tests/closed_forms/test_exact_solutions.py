"""Textbook exact solutions (ANALYTIC.md §5) against their PDEs, by mpmath differentiation at 30 digits."""
from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest

from solvers.closed_forms import (GaussianMixture, cole_hopf_burgers, heat_sine_mode, heat_sine_mode_2d,
                                  travelling_shock)

from .test_mp_reference import mp30  # noqa: F401

NU = 0.37


def test_heat_sine_modes():
    k, phase = 3.0, 0.4
    x = np.linspace(0, 2 * np.pi, 9)
    for t in (0.0, 0.3):
        ref = [float(mp.sin(k * mp.mpf(v) + phase) * mp.exp(-NU * k * k * mp.mpf(t))) for v in x]
        np.testing.assert_allclose(heat_sine_mode(x, t, NU, k, phase), ref, rtol=1e-14, atol=1e-15)
    # theta_t = nu theta_xx (mpmath derivatives of the mpmath formula; library values checked above)
    nu, kk, ph = mp.mpf(NU), mp.mpf(k), mp.mpf(phase)
    f = lambda t, x: mp.sin(kk * x + ph) * mp.exp(-nu * kk * kk * t)  # noqa: E731
    for x0 in (0.3, 1.9):
        assert abs(mp.diff(f, (0.2, x0), (1, 0)) - NU * mp.diff(f, (0.2, x0), (0, 2))) < mp.mpf(10) ** -25
    X, Y = np.meshgrid(np.linspace(0, np.pi, 5), np.linspace(0, np.pi, 4), indexing="ij")
    v = heat_sine_mode_2d(X, Y, 0.1, NU, 2.0, 3.0)
    np.testing.assert_allclose(v, np.sin(2 * X) * np.sin(3 * Y) * np.exp(-NU * 13 * 0.1), rtol=1e-14, atol=1e-16)


def test_travelling_shock_solves_burgers():
    c, A, x0 = 0.4, 1.3, -0.2

    def v(t, x):
        t, x = mp.mpf(t), mp.mpf(x)
        return c - A * mp.tanh(A * (x - c * t - x0) / (2 * mp.mpf(NU)))

    for t, x in ((0.0, -0.5), (0.3, 0.1), (1.0, 0.5)):
        assert float(travelling_shock(x, t, NU, c, A, x0)) == pytest.approx(float(v(t, x)), rel=1e-14)
        vt = mp.diff(v, (t, x), (1, 0))
        vx = mp.diff(v, (t, x), (0, 1))
        vxx = mp.diff(v, (t, x), (0, 2))
        assert abs(vt + v(t, x) * vx - NU * vxx) < mp.mpf(10) ** -25
    left, right = travelling_shock(np.array([-50.0, 50.0]), 0.0, NU, c, A, x0)
    assert left == pytest.approx(c + A) and right == pytest.approx(c - A)


def test_cole_hopf_of_mixture_density_is_minus_score():
    """nu = 1/2, theta = p_tau: v = -2 nu p_x / p = -u."""
    mix = GaussianMixture([0.3, 0.7], [-1.0, 1.5], [0.4, 0.6])
    x = np.linspace(-3, 3, 13)
    p = mix.density(x, 0.2)
    px = p * mix.score(x, 0.2)
    np.testing.assert_allclose(cole_hopf_burgers(p, px, 0.5), -mix.score(x, 0.2), rtol=1e-15)
    # general nu: theta = 2 + sin(k x) e^{-nu k^2 t}; v solves v_t + v v_x = nu v_xx (mpmath)
    k = 2.0

    def theta(t, x):
        return 2 + mp.sin(k * mp.mpf(x)) * mp.exp(-mp.mpf(NU) * k * k * mp.mpf(t))

    def vv(t, x):
        return -2 * NU * mp.diff(lambda y: theta(t, y), x) / theta(t, x)

    t0, x0 = 0.3, 0.7
    th = float(theta(t0, x0))
    thx = float(mp.diff(lambda y: theta(t0, y), x0))
    assert float(cole_hopf_burgers(th, thx, NU)) == pytest.approx(float(vv(t0, x0)), rel=1e-14)
    vt = mp.diff(lambda t: vv(t, x0), t0)
    vx = mp.diff(lambda y: vv(t0, y), x0)
    vxx = mp.diff(lambda y: vv(t0, y), x0, 2)
    assert abs(vt + vv(t0, x0) * vx - NU * vxx) < mp.mpf(10) ** -15
