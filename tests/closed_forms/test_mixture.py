"""GaussianMixture and PeriodicGaussianMixture against independent references (ANALYTIC.md §1, §2):
30-digit mpmath, finite differences of the library's own lower-order quantities, and the PDEs themselves."""
from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest

from solvers.closed_forms import GaussianMixture, PeriodicGaussianMixture

from .test_mp_reference import (mp30, mp_log_density, mp_periodic_log_density, mp_score,  # noqa: F401
                                mp_score_scale)

MIX1D = {
    "asym": ([0.3, 0.7], [-1.0, 1.5], [0.4, 0.6]),
    "sym": ([0.5, 0.5], [-1.0, 1.0], [0.25, 0.25]),
    "three": ([0.2, 0.5, 0.3], [-2.0, 0.3, 2.5], [0.3, 0.5, 0.2]),
}
MIX2D = ([0.4, 0.3, 0.3], [[-1.0, 0.0], [1.0, 0.0], [0.0, 1.5]], [0.3, 0.3, 0.35])
X1D = [-40.0, -7.3, -1.2, 0.05, 0.9, 3.3, 40.0]
X2D = [[0.2, -0.3], [-1.1, 0.4], [0.3, 1.2], [40.0, -40.0], [-40.0, 3.0], [5.0, 25.0]]
TAUS = [0.0, 0.05, 0.7]


def _rel(a, b, scale):
    return abs(float(a) - float(b)) / float(scale)


# ---------------------------------------------------------------------- values against mpmath
@pytest.mark.parametrize("name", list(MIX1D))
@pytest.mark.parametrize("tau", TAUS)
def test_log_density_and_score_1d_match_mpmath(name, tau):
    w, m, s = MIX1D[name]
    mix = GaussianMixture(w, m, s)
    x = np.array(X1D)
    logp, u = mix.log_density(x, tau), mix.score(x, tau)
    for xi, lp, ui in zip(X1D, logp, u):
        ref = mp_log_density(xi, tau, w, m, s)
        assert _rel(lp, ref, max(abs(ref), 1)) < 1e-13, (xi, lp, ref)
        uref = mp_score(xi, tau, w, m, s)
        assert _rel(ui, uref, mp_score_scale(xi, tau, w, m, s)) < 1e-13, (xi, ui, uref)
        if abs(xi) == 40.0:        # far tail: the naive density underflows, the log-sum-exp does not
            assert np.isfinite(lp) and lp < -700
            assert _rel(ui, uref, abs(uref)) < 1e-13


@pytest.mark.parametrize("tau", [0.0, 0.3])
def test_log_density_and_score_2d_match_mpmath(tau):
    w, m, s = MIX2D
    mix = GaussianMixture(w, m, s)
    x = np.array(X2D)
    logp, u = mix.log_density(x, tau), mix.score(x, tau)
    assert logp.shape == (len(X2D),) and u.shape == (len(X2D), 2)
    for xi, lp, ui in zip(X2D, logp, u):
        ref = mp_log_density(xi, tau, w, m, s)
        assert _rel(lp, ref, max(abs(ref), 1)) < 1e-13
        uref = mp_score(xi, tau, w, m, s)
        scale = mp_score_scale(xi, tau, w, m, s)
        assert max(_rel(ui[j], uref[j], scale) for j in range(2)) < 1e-13


def test_density_responsibilities_and_restriction():
    w, m, s = MIX1D["three"]
    mix = GaussianMixture(w, m, s)
    x = np.linspace(-5, 5, 101)
    r = mix.responsibilities(x, 0.2)
    assert r.shape == (101, 3)
    np.testing.assert_allclose(r.sum(axis=-1), 1.0, rtol=0, atol=1e-15)
    pa, pb = mix.restricted([0, 2]), mix.restricted([1])
    np.testing.assert_allclose(pa.density(x, 0.2) + pb.density(x, 0.2), mix.density(x, 0.2), rtol=1e-14)
    assert pa.weights.sum() == pytest.approx(0.5, rel=1e-15)       # not renormalised
    # normalised: trapezoid integral of the density (smooth, decays) is 1
    xx = np.linspace(-12, 12, 4001)
    assert np.trapezoid(mix.density(xx, 0.2), xx) == pytest.approx(1.0, rel=1e-12)


def test_moments():
    a, s0 = 1.5, 0.3
    mix = GaussianMixture([0.5, 0.5], [-a, a], [s0, s0])
    assert mix.mean().shape == (1,) and mix.covariance().shape == (1, 1)
    assert mix.largest_eigenvalue() == pytest.approx(a * a + s0 * s0, rel=1e-15)
    w, m, s = MIX2D
    mix2 = GaussianMixture(w, m, s)
    mu = np.array(m)
    mean = np.array(w) @ mu
    cov = sum(wk * (sk**2 * np.eye(2) + np.outer(mk - mean, mk - mean)) for wk, mk, sk in zip(w, mu, s))
    np.testing.assert_allclose(mix2.mean(), mean, rtol=1e-15)
    np.testing.assert_allclose(mix2.covariance(), cov, rtol=1e-14)


def test_tau_array_broadcasts_like_scalar_loop():
    w, m, s = MIX1D["asym"]
    mix = GaussianMixture(w, m, s)
    x = np.linspace(-3, 3, 9)
    tau = np.array([0.0, 0.1, 1.0])
    u = mix.score(x[None, :], tau[:, None])
    for i, t in enumerate(tau):
        np.testing.assert_array_equal(u[i], mix.score(x, t))
    mix2 = GaussianMixture(*MIX2D)
    pts = np.random.default_rng(1).normal(size=(3, 5, 2))
    u2 = mix2.score(pts, tau[:, None])
    for i, t in enumerate(tau):
        np.testing.assert_allclose(u2[i], mix2.score(pts[i], t), rtol=1e-15)


def test_invalid_input():
    with pytest.raises(ValueError):
        GaussianMixture([0.5, 0.5], [0.0], [1.0, 1.0])
    with pytest.raises(ValueError):
        GaussianMixture([0.5, -0.5], [0.0, 1.0], [1.0, 1.0])
    with pytest.raises(ValueError):
        GaussianMixture([1.0], [0.0], [0.0])
    with pytest.raises(ValueError):
        GaussianMixture([0.5, 0.5], [0.0, 1.0], [0.5, 0.5]).score(0.0, -1.0)


# ---------------------------------------------------------------------- derivatives by finite differences
@pytest.mark.parametrize("name", list(MIX1D))
def test_score_is_derivative_of_log_density_1d(name):
    mix = GaussianMixture(*MIX1D[name])
    x, h, tau = np.linspace(-3.5, 3.5, 57), 1e-5, 0.3
    fd = (mix.log_density(x + h, tau) - mix.log_density(x - h, tau)) / (2 * h)
    u = mix.score(x, tau)
    scale = np.maximum(np.abs(u), 1.0)
    assert np.max(np.abs(fd - u) / scale) < 1e-8
    fdj = (mix.score(x + h, tau) - mix.score(x - h, tau)) / (2 * h)
    j = mix.score_jacobian(x, tau)
    assert np.max(np.abs(fdj - j) / np.maximum(np.abs(j), 1.0)) < 1e-8


def test_score_and_jacobian_2d_by_finite_differences_and_curl_free():
    mix = GaussianMixture(*MIX2D)
    g = np.linspace(-2.5, 2.5, 11)
    pts = np.stack(np.meshgrid(g, g + 0.5, indexing="ij"), axis=-1)
    tau, h = 0.2, 1e-5
    u, jac = mix.score(pts, tau), mix.score_jacobian(pts, tau)
    assert jac.shape == pts.shape + (2,)
    for i in range(2):
        e = np.zeros(2)
        e[i] = h
        fd = (mix.log_density(pts + e, tau) - mix.log_density(pts - e, tau)) / (2 * h)
        assert np.max(np.abs(fd - u[..., i]) / np.maximum(np.abs(u[..., i]), 1.0)) < 1e-8
        fdj = (mix.score(pts + e, tau) - mix.score(pts - e, tau)) / (2 * h)    # column i: d u / d x_i
        assert np.max(np.abs(fdj - jac[..., :, i]) / np.maximum(np.abs(jac[..., :, i]), 1.0)) < 1e-8
    curl = jac[..., 0, 1] - jac[..., 1, 0]
    assert np.max(np.abs(curl) / np.maximum(np.abs(jac[..., 0, 1]), 1.0)) < 1e-14


def test_log_density_solves_viscous_hamilton_jacobi():
    """phi = log p: phi_tau = (1/2) phi_xx + (1/2) phi_x^2, phi_tau by a central difference in tau."""
    mix = GaussianMixture(*MIX1D["three"])
    x, tau, h = np.linspace(-3, 3, 31), 0.4, 1e-5
    phi_t = (mix.log_density(x, tau + h) - mix.log_density(x, tau - h)) / (2 * h)
    rhs = 0.5 * mix.score_jacobian(x, tau) + 0.5 * mix.score(x, tau) ** 2
    assert np.max(np.abs(phi_t - rhs) / np.maximum(np.abs(rhs), 1.0)) < 1e-8


# ---------------------------------------------------------------------- Burgers residual at round-off
@pytest.mark.parametrize("name", list(MIX1D))
@pytest.mark.parametrize("tau", [0.0, 0.2, 1.3])
def test_score_solves_burgers_1d(name, tau):
    """u_tau - (1/2) u_xx - u u_x = 0: u, u_x, u_tau from the library (closed forms), u_xx by 30-digit mpmath
    differentiation; the library's u_tau is also checked against mpmath's d/dtau."""
    w, m, s = MIX1D[name]
    mix = GaussianMixture(w, m, s)
    xs = [-6.0, -1.7, -0.4, 0.2, 1.1, 2.9, 40.0]
    x = np.array(xs)
    u, ux, ut = mix.score(x, tau), mix.score_jacobian(x, tau), mix.score_time_derivative(x, tau)
    for i, xi in enumerate(xs):
        uxx = mp.diff(lambda y: mp_score(y, tau, w, m, s), xi, 2)
        terms = [abs(ut[i]), abs(0.5 * float(uxx)), abs(u[i] * ux[i])]
        resid = ut[i] - 0.5 * float(uxx) - u[i] * ux[i]
        assert abs(resid) < 1e-12 * max(terms), (xi, resid, terms)
        if tau > 0:
            ut_mp = mp.diff(lambda t: mp_score(xi, t, w, m, s), tau)
            assert abs(ut[i] - float(ut_mp)) < 1e-12 * max(terms)


@pytest.mark.parametrize("tau", [0.0, 0.25])
def test_score_solves_vector_burgers_2d(tau):
    """u_tau = (1/2) Lap u + (u . grad) u in 2D: Lap u by mpmath partial derivatives at 30 digits."""
    w, m, s = MIX2D
    mix = GaussianMixture(w, m, s)
    pts = [[0.2, -0.3], [-1.1, 0.4], [0.3, 1.2], [2.0, -1.0]]
    x = np.array(pts)
    u, jac, ut = mix.score(x, tau), mix.score_jacobian(x, tau), mix.score_time_derivative(x, tau)
    for i, p in enumerate(pts):
        for c in range(2):
            def comp(a, b, c=c):
                return mp_score([a, b], tau, w, m, s)[c]
            lap = mp.diff(comp, (p[0], p[1]), (2, 0)) + mp.diff(comp, (p[0], p[1]), (0, 2))
            adv = jac[i, c, :] @ u[i]
            terms = [abs(ut[i, c]), abs(0.5 * float(lap)), abs(adv)]
            assert abs(ut[i, c] - 0.5 * float(lap) - adv) < 1e-12 * max(terms)


# ---------------------------------------------------------------------- periodic mixture
PER = ([0.6, 0.4], [-1.0, 2.5], [0.3, 0.5], -np.pi, np.pi)


@pytest.mark.parametrize("tau", [0.0, 0.5, 3.0, 10.0])
def test_periodic_matches_mpmath_image_sum(tau):
    w, m, s, lo, hi = PER
    mix = PeriodicGaussianMixture(w, m, s, lo, hi)
    xs = [lo, -2.0, 0.3, 2.9, hi]
    x = np.array(xs)
    logp, u = mix.log_density(x, tau), mix.score(x, tau)
    for xi, lp, ui in zip(xs, logp, u):
        ref = mp_periodic_log_density(xi, tau, w, m, s, lo, hi)
        assert _rel(lp, ref, max(abs(ref), 1)) < 1e-13
        uref = mp.diff(lambda y: mp_periodic_log_density(y, tau, w, m, s, lo, hi), xi)
        assert abs(ui - float(uref)) < 1e-12 * max(abs(float(uref)), 1.0)


def test_periodic_is_periodic():
    w, m, s, lo, hi = PER
    mix = PeriodicGaussianMixture(w, m, s, lo, hi)
    for tau in (0.0, 0.7, 5.0):
        ends = np.array([lo, hi])
        for f in (mix.log_density, mix.score, mix.score_jacobian, mix.score_time_derivative):
            v = f(ends, tau)
            assert abs(v[0] - v[1]) <= 1e-13 * max(abs(v[0]), 1.0), (f.__name__, tau, v)
        # points outside the box are wrapped; inside, x and x + P agree to round-off
        x = np.linspace(lo, hi, 17)[:-1]
        np.testing.assert_allclose(mix.score(x + (hi - lo), tau), mix.score(x, tau), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("tau", [0.0, 0.5, 4.0])
def test_periodic_score_solves_burgers_and_density_solves_heat(tau):
    w, m, s, lo, hi = PER
    mix = PeriodicGaussianMixture(w, m, s, lo, hi)
    xs = [lo, -2.2, 0.4, 1.9, 3.0]
    x = np.array(xs)
    u, ux, ut = mix.score(x, tau), mix.score_jacobian(x, tau), mix.score_time_derivative(x, tau)
    for i, xi in enumerate(xs):
        uxx = mp.diff(lambda y: mp_periodic_log_density(y, tau, w, m, s, lo, hi), xi, 3)
        terms = [abs(ut[i]), abs(0.5 * float(uxx)), abs(u[i] * ux[i])]
        assert abs(ut[i] - 0.5 * float(uxx) - u[i] * ux[i]) < 1e-12 * max(terms)
    # heat equation for p itself: p_tau (central difference) = (1/2) p_xx = (1/2) p (u_x + u^2)
    if tau > 0:
        h = 1e-5
        pt = (mix.density(x, tau + h) - mix.density(x, tau - h)) / (2 * h)
        rhs = 0.5 * mix.density(x, tau) * (ux + u * u)
        assert np.max(np.abs(pt - rhs) / np.max(np.abs(rhs))) < 1e-8


@pytest.mark.parametrize("tau", [0.1, 2.0, 8.0])
def test_periodic_derivatives_by_finite_differences(tau):
    mix = PeriodicGaussianMixture(*PER)
    x, h = np.linspace(-np.pi, np.pi, 23), 1e-5
    u, ux, ut = mix.score(x, tau), mix.score_jacobian(x, tau), mix.score_time_derivative(x, tau)
    pairs = [((mix.log_density(x + h, tau) - mix.log_density(x - h, tau)) / (2 * h), u),
             ((mix.score(x + h, tau) - mix.score(x - h, tau)) / (2 * h), ux),
             ((mix.score(x, tau + h) - mix.score(x, tau - h)) / (2 * h), ut)]
    for fd, exact in pairs:
        assert np.max(np.abs(fd - exact)) < 1e-8 * max(np.max(np.abs(exact)), 1e-3)


@pytest.mark.parametrize("tau", [0.0, 0.5, 4.0, 20.0])
def test_periodic_truncation_below_1e17(tau):
    """The images dropped beyond n_max are below 1e-17 of the kept sum (mpmath, worst points of the box)."""
    w, m, s, lo, hi = PER
    mix = PeriodicGaussianMixture(w, m, s, lo, hi)
    n = mix.n_max(tau)
    assert mix.truncation_bound(tau, n) < 1e-17 <= mix.truncation_bound(tau, n - 1) or n == 1
    P = mp.mpf(hi) - mp.mpf(lo)
    for xi in (lo, hi, 1.0, 0.75 - np.pi):
        kept = dropped = mp.mpf(0)
        for wk, mk, sk in zip(w, mix.means[:, 0], s):
            S = mp.mpf(sk) ** 2 + tau
            for j in range(-n - 40, n + 41):
                term = wk * mp.exp(-(mp.mpf(xi) - mp.mpf(float(mk)) - j * P) ** 2 / (2 * S)) / mp.sqrt(S)
                if abs(j) <= n:
                    kept += term
                else:
                    dropped += term
        assert dropped / kept < mp.mpf("1e-17")


def test_periodic_2d_matches_product_image_sum():
    w, m, s = [0.5, 0.5], [[-1.0, 0.5], [2.0, -2.5]], [0.4, 0.6]
    lo, hi = [-np.pi, -2.0], [np.pi, 3.0]
    mix = PeriodicGaussianMixture(w, m, s, lo, hi)
    tau = 0.8
    pts = [[0.3, 0.1], [-np.pi, -2.0], [np.pi, 3.0], [2.5, -1.5]]

    def mp_logp(a, b):
        tot = mp.mpf(0)
        P = [mp.mpf(hi[0]) - mp.mpf(lo[0]), mp.mpf(hi[1]) - mp.mpf(lo[1])]
        for wk, mk, sk in zip(w, m, s):
            S = mp.mpf(sk) ** 2 + tau
            fx = sum(mp.exp(-(a - mk[0] - n * P[0]) ** 2 / (2 * S)) for n in range(-25, 26))
            fy = sum(mp.exp(-(b - mk[1] - n * P[1]) ** 2 / (2 * S)) for n in range(-25, 26))
            tot += wk * fx * fy / (2 * mp.pi * S)
        return mp.log(tot)

    lp, u = mix.log_density(np.array(pts), tau), mix.score(np.array(pts), tau)
    for i, p in enumerate(pts):
        ref = mp_logp(mp.mpf(p[0]), mp.mpf(p[1]))
        assert _rel(lp[i], ref, max(abs(ref), 1)) < 1e-13
        gx = mp.diff(lambda a: mp_logp(a, mp.mpf(p[1])), p[0])
        gy = mp.diff(lambda b: mp_logp(mp.mpf(p[0]), b), p[1])
        assert abs(u[i, 0] - float(gx)) < 1e-12 * max(abs(float(gx)), 1.0)
        assert abs(u[i, 1] - float(gy)) < 1e-12 * max(abs(float(gy)), 1.0)
    jac = mix.score_jacobian(np.array(pts), tau)
    np.testing.assert_allclose(jac[:, 0, 1], jac[:, 1, 0], rtol=1e-14, atol=1e-16)
