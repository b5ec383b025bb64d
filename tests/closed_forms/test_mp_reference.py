"""Independent 30-digit mpmath re-implementations of the closed forms (ANALYTIC.md §2, §4), used by the other
test modules as the reference, plus self-checks of these helpers.

Nothing here imports :mod:`solvers`: the formulas are written directly from ANALYTIC.md with mpmath.
"""
from __future__ import annotations

import mpmath as mp
import pytest

mp.mp.dps = 30


@pytest.fixture(autouse=True)
def mp30():
    """Every test runs at 30 significant digits (import this fixture into a test module to apply it there)."""
    with mp.workdps(30):
        yield


def mpf_list(v):
    return [mp.mpf(float(c)) for c in v]


def mp_log_density(x, tau, weights, means, stds):
    """``log sum_k w_k N(x; mu_k, (s_k^2 + tau) I)``; ``x`` a scalar (1D) or a 2-sequence (2D); ``means`` a list
    of scalars (1D) or of 2-sequences (2D)."""
    tau = mp.mpf(tau)
    total = mp.mpf(0)
    for w, mu, s in zip(weights, means, stds):
        S = mp.mpf(s) ** 2 + tau
        if isinstance(x, (list, tuple)):
            d = len(x)
            r2 = sum((mp.mpf(xi) - mp.mpf(mi)) ** 2 for xi, mi in zip(x, mu))
        else:
            d = 1
            r2 = (mp.mpf(x) - mp.mpf(mu)) ** 2
        total += mp.mpf(w) * (2 * mp.pi * S) ** (-mp.mpf(d) / 2) * mp.exp(-r2 / (2 * S))
    return mp.log(total)


def mp_score(x, tau, weights, means, stds):
    """Score ``sum_k w_k N_k (mu_k - x)/S_k / sum_k w_k N_k`` (1D scalar or 2D list)."""
    tau = mp.mpf(tau)
    vec = isinstance(x, (list, tuple))
    num = [mp.mpf(0)] * (len(x) if vec else 1)
    den = mp.mpf(0)
    xs = [mp.mpf(c) for c in x] if vec else [mp.mpf(x)]
    for w, mu, s in zip(weights, means, stds):
        S = mp.mpf(s) ** 2 + tau
        ms = [mp.mpf(c) for c in mu] if vec else [mp.mpf(mu)]
        r2 = sum((a - b) ** 2 for a, b in zip(xs, ms))
        term = mp.mpf(w) * (2 * mp.pi * S) ** (-mp.mpf(len(xs)) / 2) * mp.exp(-r2 / (2 * S))
        den += term
        num = [n + term * (m - a) / S for n, m, a in zip(num, ms, xs)]
    out = [n / den for n in num]
    return out if vec else out[0]


def mp_score_scale(x, tau, weights, means, stds):
    """``sum_k r_k |g_k|``: the size of the terms whose weighted sum is the score (for relative errors near
    zeros of the score)."""
    tau = mp.mpf(tau)
    vec = isinstance(x, (list, tuple))
    xs = [mp.mpf(c) for c in x] if vec else [mp.mpf(x)]
    den = mp.mpf(0)
    acc = mp.mpf(0)
    for w, mu, s in zip(weights, means, stds):
        S = mp.mpf(s) ** 2 + tau
        ms = [mp.mpf(c) for c in mu] if vec else [mp.mpf(mu)]
        r2 = sum((a - b) ** 2 for a, b in zip(xs, ms))
        term = mp.mpf(w) * S ** (-mp.mpf(len(xs)) / 2) * mp.exp(-r2 / (2 * S))
        den += term
        acc += term * mp.sqrt(r2) / S
    return acc / den


def mp_periodic_log_density(x, tau, weights, means, stds, lower, upper, n_images=30):
    """1D periodic image sum ``log sum_k w_k sum_{|n| <= n_images} N(x; mu_k + n P, S_k)``."""
    P = mp.mpf(upper) - mp.mpf(lower)
    tau = mp.mpf(tau)
    total = mp.mpf(0)
    for w, mu, s in zip(weights, means, stds):
        S = mp.mpf(s) ** 2 + tau
        for n in range(-n_images, n_images + 1):
            total += mp.mpf(w) * mp.exp(-(mp.mpf(x) - mp.mpf(mu) - n * P) ** 2 / (2 * S)) / mp.sqrt(2 * mp.pi * S)
    return mp.log(total)


def mp_B(kind, params, t):
    t = mp.mpf(t)
    if kind == "constant":
        return mp.mpf(params["beta"]) * t
    bmin, bmax = mp.mpf(params["beta_min"]), mp.mpf(params["beta_max"])
    return bmin * t + (bmax - bmin) * t**2 / 2


def mp_vp_score(kind, params, t, x, weights, means, stds):
    """``s_VP(t, x) = e^{B/2} u_VE(e^B - 1, e^{B/2} x)`` (1D)."""
    B = mp_B(kind, params, t)
    e = mp.exp(B / 2)
    return e * mp_score(e * mp.mpf(x), mp.expm1(B), weights, means, stds)


# ---------------------------------------------------------------------- self-checks of the helpers
W1, M1, S1 = [0.3, 0.7], [-1.0, 1.5], [0.4, 0.6]


def test_mp_density_is_normalised():
    total = mp.quad(lambda x: mp.exp(mp_log_density(x, 0.2, W1, M1, S1)), [-mp.inf, -1, 1.5, mp.inf])
    wsum = sum(mp.mpf(w) for w in W1)          # the float weights 0.3 + 0.7 sum to 1 - 2^-54 exactly
    assert abs(total - wsum) < mp.mpf(10) ** -25


def test_mp_score_is_derivative_of_mp_log_density():
    for x in (-2.0, 0.1, 3.0):
        d = mp.diff(lambda y: mp_log_density(y, 0.2, W1, M1, S1), x)
        assert abs(d - mp_score(x, 0.2, W1, M1, S1)) < mp.mpf(10) ** -25 * (1 + abs(d))


def test_mp_2d_score_is_gradient():
    w, m, s = [0.5, 0.5], [[-1.0, 0.0], [0.5, 1.0]], [0.3, 0.5]
    x = [0.2, -0.4]
    gx = mp.diff(lambda a: mp_log_density([a, x[1]], 0.1, w, m, s), x[0])
    gy = mp.diff(lambda b: mp_log_density([x[0], b], 0.1, w, m, s), x[1])
    u = mp_score(x, 0.1, w, m, s)
    assert abs(gx - u[0]) < mp.mpf(10) ** -25 and abs(gy - u[1]) < mp.mpf(10) ** -25
