"""The linear-quadratic mean-field game of ANALYTIC.md §6b (semi-closed form), in ``d = 1`` or ``2``.

System on ``[0, T]``: ``-phi_t - nu Lap phi + |grad phi|^2/2 = (kappa/2)|x - mbar(t)|^2``,
``phi(T) = (c/2)|x - x_T|^2``, ``m_t - nu Lap m - div(m grad phi) = 0``, ``m(0) = m_0`` a Gaussian mixture,
``mbar(t) = int x m``. The ansatz ``phi = P |x|^2/2 + Q . x + R`` gives (per coordinate, the axes decouple):

* ``P' = P^2 - kappa``, ``P(T) = c``: ``P = -k tanh(k (t - T) - artanh(c/k))`` (``c < k = sqrt(kappa)``),
  ``-k coth(k (t - T) - arcoth(c/k))`` (``c > k``), ``k`` (``c = k``); ``kappa = 0``: ``P = c / (1 + c (T - t))``;
* ``mbar' = -(P mbar + Q)``, ``Q' = P Q + kappa mbar``, ``mbar(0)`` = the mean of ``m_0``, ``Q(T) = -c x_T``:
  a linear two-point problem, solved by the transfer matrix (fundamental solution by DOP853 at ``rtol 1e-13``);
* ``R' = |Q|^2/2 - d nu P - kappa |mbar|^2/2``, ``R(T) = c |x_T|^2/2`` (integrated backward);
* each component stays Gaussian with the mixture's weight: ``mu_k' = -(P mu_k + Q)``,
  ``Sigma_k' = -2 P Sigma_k + 2 nu`` (isotropic variance).

``mode_merge_time``: the first ``t`` where the 1D density ``m(t)`` (a Gaussian mixture) has one mode, by a scan
and bisection on the mode count to ``1e-12`` (for the symmetric pair: ``(half-separation)^2 = Sigma``).
"""
from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

from .binary import count_modes
from .mixture import GaussianMixture

_ODE = dict(method="DOP853", rtol=1e-13, atol=1e-14, dense_output=True)


def riccati_P(t, T: float, kappa: float, c: float):
    """``P(t)`` solving ``P' = P^2 - kappa``, ``P(T) = c`` (closed form)."""
    t = np.asarray(t, dtype=float)
    k = np.sqrt(kappa)
    if kappa == 0.0:
        return c / (1.0 + c * (T - t))
    if np.isclose(c, k, rtol=1e-15, atol=0.0):
        return np.full_like(t, k)
    if c < k:
        return -k * np.tanh(k * (t - T) - np.arctanh(c / k))
    return -k / np.tanh(k * (t - T) - np.arctanh(k / c))       # arcoth(c/k) = artanh(k/c)


class LQMeanFieldGame:
    """Semi-closed-form solution of §6b for Gaussian-mixture ``m_0`` (weights, means ``(K, d)``, stds)."""

    def __init__(self, mixture: GaussianMixture, T: float, nu: float, kappa: float, c: float, x_T):
        self.m0, self.T, self.nu, self.kappa, self.c = mixture, float(T), float(nu), float(kappa), float(c)
        self.dim = mixture.dim
        self.x_T = np.broadcast_to(np.asarray(x_T, dtype=float), (self.dim,)).copy()
        mean0 = mixture.weights @ mixture.means                      # (d,)
        # transfer matrix of y = (mbar, Q): y' = [[-P, -1], [kappa, P]] y
        def fundamental(t, y):
            P = riccati_P(t, self.T, self.kappa, self.c)
            F = y.reshape(2, 2)
            return (np.array([[-P, -1.0], [self.kappa, P]]) @ F).ravel()
        with np.errstate(under="ignore"):      # solve_ivp's step-size search may underflow harmlessly
            phi = solve_ivp(fundamental, (0.0, self.T), np.eye(2).ravel(), **_ODE).y[:, -1].reshape(2, 2)
        # Q(T) = phi[1,0] mbar0 + phi[1,1] Q0 = -c x_T
        Q0 = (-self.c * self.x_T - phi[1, 0] * mean0) / phi[1, 1]
        d, K = self.dim, mixture.n_components

        def forward(t, y):
            P = riccati_P(t, self.T, self.kappa, self.c)
            mbar, Q = y[:d], y[d:2 * d]
            mu = y[2 * d:2 * d + K * d].reshape(K, d)
            var = y[2 * d + K * d:]
            return np.concatenate([-(P * mbar + Q), P * Q + self.kappa * mbar, (-(P * mu + Q)).ravel(),
                                   -2.0 * P * var + 2.0 * self.nu])
        y0 = np.concatenate([mean0, Q0, mixture.means.ravel(), mixture.stds ** 2])
        with np.errstate(under="ignore"):
            self._fwd = solve_ivp(forward, (0.0, self.T), y0, **_ODE).sol

        def backward(t, y):
            P = riccati_P(t, self.T, self.kappa, self.c)
            mbar, Q = self.mbar(t), self.Q(t)
            return [0.5 * Q @ Q - d * self.nu * P - 0.5 * self.kappa * mbar @ mbar]
        with np.errstate(under="ignore"):
            self._R = solve_ivp(backward, (self.T, 0.0), [0.5 * self.c * self.x_T @ self.x_T], **_ODE).sol

    # ------------------------------------------------------------------ coefficients
    def P(self, t):
        return riccati_P(t, self.T, self.kappa, self.c)

    def mbar(self, t) -> np.ndarray:
        return self._fwd(float(t))[:self.dim]

    def Q(self, t) -> np.ndarray:
        return self._fwd(float(t))[self.dim:2 * self.dim]

    def R(self, t) -> float:
        return float(self._R(float(t))[0])

    def means(self, t) -> np.ndarray:
        d, K = self.dim, self.m0.n_components
        return self._fwd(float(t))[2 * d:2 * d + K * d].reshape(K, d)

    def variances(self, t) -> np.ndarray:
        d, K = self.dim, self.m0.n_components
        return self._fwd(float(t))[2 * d + K * d:]

    def mixture(self, t) -> GaussianMixture:
        """``m(t)``: the Gaussian mixture with the evolved means and variances."""
        return GaussianMixture(self.m0.weights, self.means(t), np.sqrt(self.variances(t)))

    # ------------------------------------------------------------------ fields
    def _xp(self, x):
        x = np.asarray(x, dtype=float)
        return x[..., None] if self.dim == 1 else x

    def phi(self, x, t):
        xp = self._xp(x)
        return 0.5 * self.P(t) * np.sum(xp * xp, axis=-1) + xp @ self.Q(t) + self.R(t)

    def grad_phi(self, x, t):
        g = self.P(t) * self._xp(x) + self.Q(t)
        return g[..., 0] if self.dim == 1 else g

    def density(self, x, t):
        return self.mixture(t).density(x, 0.0)

    def mode_merge_time(self) -> float | None:
        """First ``t`` in ``[0, T]`` where ``m(t)`` has one mode (1D); None if never or from the start."""
        if self.dim != 1:
            return None
        def modes(t):
            mix = self.mixture(t)
            mu, sd = mix.means[:, 0], mix.stds
            return count_modes(mix, 0.0, float(mu.min() - sd.max()), float(mu.max() + sd.max()), n=4001)
        if modes(0.0) < 2:
            return None
        ts = np.linspace(0.0, self.T, 257)
        flags = np.array([modes(t) >= 2 for t in ts])
        if flags.all():
            return None
        j = int(np.argmin(flags))
        lo, hi = ts[j - 1], ts[j]
        K = self.m0.n_components
        if K == 2 and self.m0.weights[0] == self.m0.weights[1] and self.m0.stds[0] == self.m0.stds[1]:
            def crit(t):                       # symmetric pair: (half-separation)^2 - Sigma
                mu = self.means(t)[:, 0]
                return 0.25 * (mu[1] - mu[0]) ** 2 - self.variances(t)[0]
            return float(brentq(crit, lo, hi, xtol=1e-14, rtol=1e-14))
        while hi - lo > 1e-12 * max(1.0, self.T):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if modes(mid) >= 2 else (lo, mid)
        return 0.5 * (lo + hi)
