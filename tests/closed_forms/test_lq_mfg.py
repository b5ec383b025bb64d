"""The linear-quadratic mean-field game of ANALYTIC.md §6b (:mod:`solvers.closed_forms.lq_mfg`), checked
independently of its own construction:

* ``riccati_P`` against a 30-digit ``mpmath`` integration of ``P' = P^2 - kappa`` and a centred difference in
  ``t`` (``c < k``, ``c = k``, ``c > k``, ``kappa = 0``);
* the closed-form ``phi`` and ``m`` put into the HJB and Fokker-Planck PDEs (fourth-order finite differences in
  ``x`` and ``t``, the mean ``mbar`` by quadrature of ``m`` itself), plus the end conditions, 1D and 2D;
* ``mode_merge_time`` against the root of ``(half-separation)^2 = Sigma`` from an integration of the
  separation and variance ODEs written here (``P`` by ``solve_ivp`` too), and the mode count on either side.
"""
from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

from solvers.closed_forms.lq_mfg import LQMeanFieldGame, riccati_P
from solvers.closed_forms.mixture import GaussianMixture

# the shipped case cases/mfg_lq_coupled_1d.toml
MIX_1D = GaussianMixture([0.5, 0.5], [-1.2, 1.2], [0.3, 0.3])
CASE_1D = dict(T=1.0, nu=0.5, kappa=1.0, c=0.5, x_T=0.4)

# 1D games for the PDE residuals: (mixture, T, nu, kappa, c, x_T); c < k, c > k, c = k, kappa = 0
GAMES_1D = {
    "case": (MIX_1D, 1.0, 0.5, 1.0, 0.5, 0.4),
    "c>k": (GaussianMixture([0.3, 0.7], [-1.0, 0.8], [0.4, 0.25]), 1.5, 0.3, 0.25, 2.0, -0.5),
    "c=k": (GaussianMixture([0.2, 0.5, 0.3], [-1.5, 0.0, 1.0], [0.3, 0.5, 0.2]), 0.8, 0.5, 4.0, 2.0, 1.0),
    "kappa=0": (MIX_1D, 1.0, 0.5, 0.0, 1.0, 0.4),
}

# P(t) cases: (T, kappa, c)
RICCATI = {"c<k": (1.0, 1.0, 0.5), "c=k": (1.0, 4.0, 2.0), "c>k": (1.3, 1.0, 3.0), "c=0": (1.0, 2.0, 0.0),
           "kappa=0": (1.0, 0.0, 0.5), "kappa=0,c=0": (1.0, 0.0, 0.0), "long": (4.0, 0.5, 0.1)}

# fourth-order centred differences
_D1 = np.array([1.0, -8.0, 0.0, 8.0, -1.0]) / 12.0
_D2 = np.array([-1.0, 16.0, -30.0, 16.0, -1.0]) / 12.0
OFFSETS = np.arange(-2, 3)


def d1(f, e):
    """``f(s)`` sampled at ``s + k e``, ``k = -2..2`` -> ``f'``."""
    return sum(w * f(k * e) for w, k in zip(_D1, OFFSETS) if w != 0.0) / e


def d2(f, e):
    return sum(w * f(k * e) for w, k in zip(_D2, OFFSETS)) / (e * e)


# ------------------------------------------------------------------------------------------ Riccati
@pytest.mark.parametrize("name", list(RICCATI))
def test_riccati_P_solves_the_riccati_equation(name):
    T, kappa, c = RICCATI[name]
    t = np.linspace(0.0, T, 23)
    P = riccati_P(t, T, kappa, c)
    assert P.shape == t.shape and np.all(np.isfinite(P))
    assert float(riccati_P(np.array(T), T, kappa, c)) == pytest.approx(c, abs=1e-15)
    # 30 digits: s = T - t, dP/ds = kappa - P^2, P(s = 0) = c
    with mp.workdps(30):
        sol = mp.odefun(lambda s, y: mp.mpf(kappa) - y * y, 0, mp.mpf(c))
        ref = np.array([float(sol(mp.mpf(T) - mp.mpf(float(ti)))) for ti in t])
    np.testing.assert_allclose(P, ref, rtol=1e-14, atol=1e-15)
    # centred difference in t (fourth order, e = 1e-3: truncation ~1e-13)
    tt = np.linspace(0.05 * T, 0.95 * T, 19)
    dP = d1(lambda s: riccati_P(tt + s, T, kappa, c), 1e-3)
    np.testing.assert_allclose(dP, riccati_P(tt, T, kappa, c) ** 2 - kappa, rtol=1e-9, atol=1e-10)
    # regime: P stays on its side of the fixed point k = sqrt(kappa)
    k = np.sqrt(kappa)
    if c < k:
        assert np.all(P < k) and (kappa == 0.0 or np.all(P >= c - 1e-15))
    elif c > k:
        assert np.all(P > k) and np.all(P <= c + 1e-15)
    else:
        np.testing.assert_allclose(P, k, rtol=1e-15)


# ------------------------------------------------------------------------------------------ PDE residuals
def _quadrature_mean_1d(game, t):
    """``int m``, ``int x m`` of the closed-form density by the trapezoidal rule (spectral for Gaussians)."""
    x = np.linspace(-14.0, 14.0, 28001)
    m = game.density(x, t)
    h = x[1] - x[0]
    return h * m.sum(), h * (x * m).sum()


def _residuals_1d(game, t, x):
    """HJB and FP residuals of the closed form at ``(x, t)``; every derivative by finite differences,
    ``mbar`` from the quadrature mean of ``m``."""
    nu, kappa = game.nu, game.kappa
    phi = game.phi
    _, mbar = _quadrature_mean_1d(game, t)
    et, ex = 1e-3, 1e-3
    phi_t = d1(lambda s: phi(x, t + s), et)
    phi_x = d1(lambda s: phi(x + s, t), ex)
    phi_xx = d2(lambda s: phi(x + s, t), ex)
    hjb = -phi_t - nu * phi_xx + 0.5 * phi_x ** 2 - 0.5 * kappa * (x - mbar) ** 2
    m = game.density
    m_t = d1(lambda s: m(x, t + s), et)
    m_x = d1(lambda s: m(x + s, t), ex)
    m_xx = d2(lambda s: m(x + s, t), ex)
    fp = m_t - nu * m_xx - (m_x * phi_x + m(x, t) * phi_xx)
    return hjb, fp, m(x, t)


@pytest.mark.parametrize("name", list(GAMES_1D))
def test_closed_form_solves_hjb_and_fp_1d(name):
    mix, T, nu, kappa, c, xT = GAMES_1D[name]
    game = LQMeanFieldGame(mix, T, nu, kappa, c, xT)
    x = np.linspace(-4.0, 4.0, 81)
    worst_hjb = worst_fp = 0.0
    for t in np.linspace(0.1 * T, 0.9 * T, 5):
        hjb, fp, m = _residuals_1d(game, t, x)
        worst_hjb = max(worst_hjb, np.abs(hjb).max())
        worst_fp = max(worst_fp, np.abs(fp).max() / m.max())
        # the residual is not trivially small: each term is O(1)
        assert np.abs(game.grad_phi(x, t)).max() > 0.1
    assert worst_hjb < 1e-7, (name, worst_hjb)
    assert worst_fp < 1e-6, (name, worst_fp)


@pytest.mark.parametrize("name", list(GAMES_1D))
def test_end_conditions_and_mean_1d(name):
    mix, T, nu, kappa, c, xT = GAMES_1D[name]
    game = LQMeanFieldGame(mix, T, nu, kappa, c, xT)
    assert game.P(T) == pytest.approx(c, abs=1e-14)
    assert game.Q(T)[0] == pytest.approx(-c * xT, abs=1e-10)
    assert game.R(T) == pytest.approx(0.5 * c * xT ** 2, abs=1e-12)
    assert game.mbar(0.0)[0] == pytest.approx(float(mix.weights @ mix.means[:, 0]), abs=1e-14)
    # phi(T) = G exactly, m(0) = m_0
    x = np.linspace(-5.0, 5.0, 101)
    np.testing.assert_allclose(game.phi(x, T), 0.5 * c * (x - xT) ** 2, rtol=0, atol=1e-10)
    np.testing.assert_allclose(game.density(x, 0.0), mix.density(x, 0.0), rtol=1e-12, atol=1e-300)
    # the mean of the closed-form density is mbar(t), the mass stays 1 (quadrature, not the stored means)
    for t in np.linspace(0.0, T, 7):
        mass, mean = _quadrature_mean_1d(game, t)
        assert mass == pytest.approx(1.0, abs=1e-12)
        assert mean == pytest.approx(game.mbar(t)[0], abs=1e-11)
    # mbar' = -(P mbar + Q) and Q' = P Q + kappa mbar by centred differences
    for t in np.linspace(0.1 * T, 0.9 * T, 5):
        dm = d1(lambda s: game.mbar(t + s)[0], 1e-3)
        dQ = d1(lambda s: game.Q(t + s)[0], 1e-3)
        P, Q, mb = game.P(t), game.Q(t)[0], game.mbar(t)[0]
        assert dm == pytest.approx(-(P * mb + Q), abs=1e-9)
        assert dQ == pytest.approx(P * Q + kappa * mb, abs=1e-9)


def test_closed_form_solves_hjb_and_fp_2d():
    mix = GaussianMixture([0.3, 0.45, 0.25], [[-1.0, 0.5], [0.8, -0.3], [0.2, 1.2]], [0.35, 0.3, 0.4])
    T, nu, kappa, c, xT = 1.0, 0.4, 2.0, 0.7, np.array([0.5, -0.4])
    game = LQMeanFieldGame(mix, T, nu, kappa, c, xT)
    assert game.dim == 2
    # quadrature grid for the mean (trapezoid, spectral for Gaussians)
    g = np.linspace(-9.0, 9.0, 721)
    hq = g[1] - g[0]
    GX = np.stack(np.meshgrid(g, g, indexing="ij"), axis=-1)
    # evaluation points
    a = np.linspace(-2.5, 2.5, 21)
    X = np.stack(np.meshgrid(a, a, indexing="ij"), axis=-1)
    e = 1e-3
    unit = np.eye(2)
    worst_hjb = worst_fp = 0.0
    for t in (0.15, 0.5, 0.85):
        mq = game.density(GX, t)
        assert hq * hq * mq.sum() == pytest.approx(1.0, abs=1e-12)
        mbar = hq * hq * np.einsum("ijk,ij->k", GX, mq)
        np.testing.assert_allclose(mbar, game.mbar(t), rtol=0, atol=1e-11)
        phi, m = game.phi, game.density
        phi_t = d1(lambda s: phi(X, t + s), e)
        m_t = d1(lambda s: m(X, t + s), e)
        lap_phi = sum(d2(lambda s, u=u: phi(X + s * u, t), e) for u in unit)
        lap_m = sum(d2(lambda s, u=u: m(X + s * u, t), e) for u in unit)
        grad_phi = [d1(lambda s, u=u: phi(X + s * u, t), e) for u in unit]
        grad_m = [d1(lambda s, u=u: m(X + s * u, t), e) for u in unit]
        np.testing.assert_allclose(np.stack(grad_phi, -1), game.grad_phi(X, t), rtol=0, atol=1e-9)
        hjb = (-phi_t - nu * lap_phi + 0.5 * sum(p * p for p in grad_phi)
               - 0.5 * kappa * np.sum((X - mbar) ** 2, axis=-1))
        fp = m_t - nu * lap_m - (sum(gm * gp for gm, gp in zip(grad_m, grad_phi)) + m(X, t) * lap_phi)
        worst_hjb = max(worst_hjb, np.abs(hjb).max())
        worst_fp = max(worst_fp, np.abs(fp).max() / m(X, t).max())
    assert worst_hjb < 1e-7, worst_hjb
    assert worst_fp < 1e-6, worst_fp
    # end conditions, per coordinate
    np.testing.assert_allclose(game.Q(T), -c * xT, rtol=0, atol=1e-10)
    assert game.R(T) == pytest.approx(0.5 * c * xT @ xT, abs=1e-12)
    np.testing.assert_allclose(game.mbar(0.0), mix.weights @ mix.means, rtol=0, atol=1e-14)
    np.testing.assert_allclose(game.phi(X, T), 0.5 * c * np.sum((X - xT) ** 2, axis=-1), rtol=0, atol=1e-10)
    np.testing.assert_allclose(game.density(X, 0.0), mix.density(X, 0.0), rtol=1e-12, atol=1e-300)
    assert game.mode_merge_time() is None        # 1D only


# ------------------------------------------------------------------------------------------ mode merging
def _own_merge_time(mix, T, nu, kappa, c):
    """Symmetric pair: the separation ``D = mu_2 - mu_1`` obeys ``D' = -P D`` (``Q`` cancels) and the common
    variance ``Sigma' = -2 P Sigma + 2 nu``; ``P`` from its ODE integrated backward from ``P(T) = c``."""
    ode = dict(method="DOP853", rtol=1e-13, atol=1e-14, dense_output=True)
    P = solve_ivp(lambda t, y: [y[0] ** 2 - kappa], (T, 0.0), [c], **ode).sol
    mu = mix.means[:, 0]
    y0 = [mu[1] - mu[0], mix.stds[0] ** 2]
    sol = solve_ivp(lambda t, y: [-P(t)[0] * y[0], -2.0 * P(t)[0] * y[1] + 2.0 * nu], (0.0, T), y0, **ode).sol

    def crit(t):
        D, S = sol(t)
        return 0.25 * D * D - S
    ts = np.linspace(0.0, T, 401)
    vals = np.array([crit(t) for t in ts])
    j = int(np.argmax(vals <= 0.0))
    assert vals[0] > 0.0 and vals[j] <= 0.0
    return brentq(crit, ts[j - 1], ts[j], xtol=1e-15, rtol=1e-15)


def _modes(mix: GaussianMixture) -> int:
    """Local maxima of a 1D mixture density: sign changes + -> - of its analytic derivative on a fine grid."""
    mu, sd = mix.means[:, 0], mix.stds
    x = np.linspace(mu.min() - 3 * sd.max(), mu.max() + 3 * sd.max(), 40001)
    dens = mix.weights * np.exp(-(x[:, None] - mu) ** 2 / (2 * sd ** 2)) / sd
    dp = np.sum(dens * (mu - x[:, None]) / sd ** 2, axis=1)
    return int(np.count_nonzero((dp[:-1] > 0) & (dp[1:] <= 0)))


@pytest.mark.parametrize("params", [CASE_1D, dict(T=2.0, nu=0.3, kappa=0.5, c=2.0, x_T=-0.7),
                                    dict(T=1.5, nu=0.5, kappa=0.0, c=1.0, x_T=0.0)])
def test_mode_merge_time_of_a_symmetric_pair(params):
    game = LQMeanFieldGame(MIX_1D, **params)
    t_star = game.mode_merge_time()
    ref = _own_merge_time(MIX_1D, params["T"], params["nu"], params["kappa"], params["c"])
    assert 0.0 < ref < params["T"]
    assert t_star == pytest.approx(ref, rel=1e-10)
    # the evolved components themselves: separation and variance at the merge
    mu, var = game.means(t_star)[:, 0], game.variances(t_star)
    assert 0.25 * (mu[1] - mu[0]) ** 2 == pytest.approx(var[0], rel=1e-9)
    # two modes just before, one just after (mode count of the closed-form mixture, done here)
    dt = 1e-3 * params["T"]
    assert _modes(game.mixture(t_star - dt)) == 2
    assert _modes(game.mixture(t_star + dt)) == 1
    assert _modes(game.mixture(0.0)) == 2 and _modes(game.mixture(params["T"])) == 1


def test_case_merge_time_and_no_merge():
    game = LQMeanFieldGame(MIX_1D, **CASE_1D)
    assert game.mode_merge_time() == pytest.approx(0.70, abs=5e-3)     # the case file's description
    # clusters too far apart to merge within the horizon, and a single-mode start: no merge time
    far = LQMeanFieldGame(GaussianMixture([0.5, 0.5], [-4.0, 4.0], [0.3, 0.3]), 0.5, 0.5, 0.0, 0.0, 0.0)
    assert _modes(far.mixture(far.T)) == 2 and far.mode_merge_time() is None
    one = LQMeanFieldGame(GaussianMixture([0.5, 0.5], [-0.2, 0.2], [0.3, 0.3]), 1.0, 0.5, 1.0, 0.5, 0.0)
    assert _modes(one.mixture(0.0)) == 1 and one.mode_merge_time() is None
