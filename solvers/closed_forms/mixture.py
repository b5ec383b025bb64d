"""Gaussian-mixture data and its exact heat evolution (ANALYTIC.md section 2).

Conventions (ANALYTIC.md section 1): VE time ``tau`` is the *added variance*, ``p_tau = p_0 * N(0, tau I)`` so
``dp/dtau = (1/2) Lap p`` (diffusivity ``nu = 1/2``); the score is ``u = grad log p``.

Data ``p_0 = sum_k w_k N(mu_k, s_k^2 I)`` in ``d = 1`` or ``2`` evolves exactly into
``p_tau = sum_k w_k N(mu_k, S_k I)`` with ``S_k = s_k^2 + tau``.

Every quantity is evaluated from the per-component log terms ``l_k = log w_k + log N(x; mu_k, S_k I)`` with a
max-shifted log-sum-exp / softmax, never by adding raw exponentials, so that it is accurate in the far tails
(``|x| = 40`` and beyond) where the individual densities underflow.

Implementation note. Each component factorises over the coordinates, ``exp(l_k) = w_k prod_i f_ki(x_i)`` with
``f_ki`` a positive 1D heat solution. A subclass only has to provide, per component and coordinate, the
derivatives of ``L_ki = log f_ki``: ``G = L'``, ``H = L''``, ``T = L'''`` (for a Gaussian: ``G = (mu - x)/S``,
``H = -1/S``, ``T = 0``). The mixture formulas are then, with responsibilities ``r = softmax(l)``,
``g_k = (G_ki)_i``:

* ``u = sum_k r_k g_k``
* ``grad u = sum_k r_k diag(H_k) + sum_k r_k (g_k - u)(g_k - u)^T`` (symmetric: ``curl u = 0``; this is
  ANALYTIC's ``sum_k r_k (-(1/S_k) I) + sum_k r_k g_k g_k^T - u u^T`` written without cancellation)
* ``u_tau = sum_k r_k gdot_k + sum_k r_k (ldot_k - sum_j r_j ldot_j)(g_k - u)`` where, because each ``l_k``
  solves the viscous Hamilton-Jacobi equation ``l_tau = (1/2) Lap l + (1/2)|grad l|^2``,
  ``ldot_k = (1/2) sum_i H_ki + (1/2)|g_k|^2`` and ``gdot_k = grad ldot_k = (1/2) T_k + H_k g_k``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp, softmax

__all__ = ["GaussianMixture", "PeriodicGaussianMixture"]

_LOG_2PI = float(np.log(2.0 * np.pi))


@dataclass(frozen=True)
class _Factors:
    """Per-component, per-coordinate log-factor derivatives, each of shape ``(..., K, d)``."""

    L: np.ndarray
    G: np.ndarray
    H: np.ndarray | None = None
    T: np.ndarray | None = None


class GaussianMixture:
    """``p_0 = sum_k w_k N(mu_k, s_k^2 I)`` in ``d = 1`` or ``2``; exact heat evolution ``p_tau`` with
    ``S_k = s_k^2 + tau`` (ANALYTIC.md section 2; VE time ``tau`` = added variance, ``u = grad log p``,
    ``nu = 1/2``).

    Parameters
    ----------
    weights : array (K,)
        Positive component weights. They are *not* renormalised: a mixture with weights summing to 1 is a
        probability density; :meth:`restricted` builds sub-mixtures whose weights sum to less than 1 so that
        ``p = p_A + p_B`` holds exactly.
    means : array (K, d) or (K,)
        Component means; a 1-D array means ``d = 1``. Stored as ``(K, d)``.
    stds : array (K,)
        Positive isotropic standard deviations ``s_k``.

    Points: for ``d = 1`` ``x`` is an array of any shape of scalar coordinates; for ``d = 2`` ``x`` has shape
    ``(..., 2)``. ``tau`` is a scalar, or an array broadcastable against the leading shape ``...`` of ``x``.
    """

    def __init__(self, weights, means, stds):
        weights = np.atleast_1d(np.asarray(weights, dtype=np.float64))
        means = np.asarray(means, dtype=np.float64)
        stds = np.atleast_1d(np.asarray(stds, dtype=np.float64))
        if weights.ndim != 1:
            raise ValueError(f"weights must be a 1-D array, got shape {weights.shape}")
        k = weights.shape[0]
        if means.ndim <= 1:
            means = means.reshape(-1, 1)
        if means.ndim != 2 or means.shape[0] != k or means.shape[1] not in (1, 2):
            raise ValueError(f"means must have shape ({k},), ({k}, 1) or ({k}, 2), got {np.shape(means)}")
        if stds.shape != (k,):
            raise ValueError(f"stds must have shape ({k},), got {stds.shape}")
        if not np.all(weights > 0) or not np.all(np.isfinite(weights)):
            raise ValueError(f"weights must be positive and finite, got {weights}")
        if not np.all(stds > 0) or not np.all(np.isfinite(stds)):
            raise ValueError(f"stds must be positive and finite, got {stds}")
        if not np.all(np.isfinite(means)):
            raise ValueError(f"means must be finite, got {means}")
        self.weights = weights
        self.means = means
        self.stds = stds
        self.dim = int(means.shape[1])
        self._log_weights = np.log(weights)

    # ------------------------------------------------------------------ basic pieces
    def __repr__(self) -> str:
        return (f"{type(self).__name__}(weights={self.weights.tolist()}, means={self.means.tolist()}, "
                f"stds={self.stds.tolist()})")

    @property
    def n_components(self) -> int:
        """Number of components ``K``."""
        return int(self.weights.shape[0])

    def variances(self, tau) -> np.ndarray:
        """``S_k = s_k^2 + tau`` (ANALYTIC §2), shape ``(K,)`` for scalar ``tau`` (``tau.shape + (K,)`` else)."""
        tau = np.asarray(tau, dtype=np.float64)
        s = self.stds**2 + tau[..., None]
        if np.any(s <= 0):
            raise ValueError(f"tau={tau} makes a component variance non-positive (s_k^2 + tau <= 0)")
        return s

    def _points(self, x) -> np.ndarray:
        """Points as an array of shape ``(..., d)``."""
        x = np.asarray(x, dtype=np.float64)
        if self.dim == 1:
            return x[..., None]
        if x.shape[-1:] != (self.dim,):
            raise ValueError(f"2-D mixture: points must have shape (..., 2), got {x.shape}")
        return x

    def _out(self, v: np.ndarray) -> np.ndarray:
        """Drop the trailing coordinate axis of a vector field in 1D."""
        return v[..., 0] if self.dim == 1 else v

    def _factors(self, x, tau, order: int) -> _Factors:
        """Gaussian log factors ``L = -(x - mu)^2/(2S) - (1/2) log(2 pi S)`` and ``G, H, T``, shape (..., K, d)."""
        xp = self._points(x)
        s = self.variances(tau)[..., None]                    # (..., K, 1)
        diff = self.means - xp[..., None, :]                  # mu_k - x, (..., K, d)
        g = diff / s
        lf = -0.5 * diff * g - 0.5 * (_LOG_2PI + np.log(s))
        if order < 2:
            return _Factors(lf, g)
        h = np.broadcast_to(-1.0 / s, g.shape)
        t = np.zeros(g.shape) if order >= 3 else None
        return _Factors(lf, g, h, t)

    # ------------------------------------------------------------------ densities
    def log_component_terms(self, x, tau) -> np.ndarray:
        """``l_k(x) = log w_k + log N(x; mu_k, S_k I)
        = log w_k - |x - mu_k|^2/(2 S_k) - (d/2) log(2 pi S_k)`` (ANALYTIC §2), shape ``(..., K)``."""
        return self._log_weights + self._factors(x, tau, 1).L.sum(axis=-1)

    def log_density(self, x, tau) -> np.ndarray:
        """``log p_tau(x) = logsumexp_k l_k(x)`` (ANALYTIC §2), shape ``(...)``."""
        return logsumexp(self.log_component_terms(x, tau), axis=-1)

    def density(self, x, tau) -> np.ndarray:
        """``p_tau(x) = exp(log p_tau(x))`` (ANALYTIC §2), shape ``(...)``; underflows to 0 only where the
        density itself is below the float64 range (use :meth:`log_density` there)."""
        return np.exp(self.log_density(x, tau))

    def responsibilities(self, x, tau) -> np.ndarray:
        """``r_k(x) = softmax_k l_k(x)`` (ANALYTIC §2, max-shifted), shape ``(..., K)``."""
        return softmax(self.log_component_terms(x, tau), axis=-1)

    # ------------------------------------------------------------------ score and derivatives
    def _score_parts(self, x, tau, order: int):
        f = self._factors(x, tau, order)
        ell = self._log_weights + f.L.sum(axis=-1)            # (..., K)
        r = softmax(ell, axis=-1)
        u = np.einsum("...k,...ki->...i", r, f.G)             # (..., d)
        return f, r, u

    def score(self, x, tau) -> np.ndarray:
        """Score ``u = grad log p_tau = sum_k r_k (mu_k - x)/S_k`` (ANALYTIC §2).

        Shape ``(...)`` in 1D, ``(..., 2)`` in 2D. Solves ``u_tau = (1/2) Lap u + (u . grad) u``."""
        return self._out(self._score_parts(x, tau, 1)[2])

    def score_jacobian(self, x, tau) -> np.ndarray:
        """``grad u = sum_k r_k (-(1/S_k) I) + sum_k r_k g_k g_k^T - u u^T``, ``g_k = (mu_k - x)/S_k``
        (ANALYTIC §2), evaluated as ``sum_k r_k diag(H_k) + sum_k r_k (g_k - u)(g_k - u)^T`` (no cancellation).

        1D: ``u_x`` of shape ``(...)``; 2D: shape ``(..., 2, 2)``, symmetric (``curl u = 0``)."""
        f, r, u = self._score_parts(x, tau, 2)
        c = f.G - u[..., None, :]                             # g_k - u
        jac = np.einsum("...k,...ki,...kj->...ij", r, c, c)
        diag = np.einsum("...k,...ki->...i", r, f.H)
        idx = np.arange(self.dim)
        jac[..., idx, idx] += diag
        return jac[..., 0, 0] if self.dim == 1 else jac

    def score_time_derivative(self, x, tau) -> np.ndarray:
        """``u_tau`` in closed form (module docstring): ``sum_k r_k gdot_k + sum_k r_k (ldot_k - ldot_bar)
        (g_k - u)``; for Gaussians ``gdot_k = -g_k/S_k``, ``ldot_k = |g_k|^2/2 - d/(2 S_k)``.

        Equal to ``(1/2) Lap u + (u . grad) u`` (the Burgers identity, ANALYTIC §1). Same shape as :meth:`score`.
        """
        f, r, u = self._score_parts(x, tau, 3)
        ldot = 0.5 * f.H.sum(axis=-1) + 0.5 * np.sum(f.G * f.G, axis=-1)     # (..., K)
        ldot_bar = np.sum(r * ldot, axis=-1, keepdims=True)
        gdot = 0.5 * f.T + f.H * f.G                                          # (..., K, d)
        ut = np.einsum("...k,...ki->...i", r, gdot)
        ut = ut + np.einsum("...k,...ki->...i", r * (ldot - ldot_bar), f.G - u[..., None, :])
        return self._out(ut)

    # ------------------------------------------------------------------ moments and sub-mixtures
    def mean(self) -> np.ndarray:
        """Mean of ``p_0``: ``sum_k w_k mu_k / sum_k w_k``, shape ``(d,)`` (weights normalised here)."""
        w = self.weights / self.weights.sum()
        return w @ self.means

    def covariance(self) -> np.ndarray:
        """Covariance of ``p_0``: ``sum_k w_k (s_k^2 I + mu_k mu_k^T) - m m^T`` (weights normalised), shape
        ``(d, d)``. Its largest eigenvalue ``Lambda`` feeds the spectral estimate (ANALYTIC §4)."""
        w = self.weights / self.weights.sum()
        m = self.mean()
        c = self.means - m
        return np.einsum("k,ki,kj->ij", w, c, c) + np.sum(w * self.stds**2) * np.eye(self.dim)

    def largest_eigenvalue(self) -> float:
        """Largest eigenvalue ``Lambda`` of :meth:`covariance` (``a^2 + s0^2`` for the symmetric binary)."""
        return float(np.linalg.eigvalsh(self.covariance())[-1])

    def restricted(self, indices) -> "GaussianMixture":
        """Sub-mixture of the components ``indices`` with the weights *not* renormalised, so that for a
        partition ``A, B`` of the components ``p = p_A + p_B`` exactly (ANALYTIC §3)."""
        idx = np.atleast_1d(np.asarray(indices, dtype=np.intp))
        if idx.size == 0:
            raise ValueError("restricted() needs at least one component index")
        return GaussianMixture(self.weights[idx], self.means[idx], self.stds[idx])


class PeriodicGaussianMixture(GaussianMixture):
    """Periodic Gaussian mixture on ``[lower, upper)^d`` (ANALYTIC §2, periodic version): every component is
    replaced by the sum of its periodic images ``N(x; mu_k + n P, S_k I)``, ``n in Z^d``, ``|n_i| <= n_max``,
    ``P = upper - lower`` per dimension, ``S_k = s_k^2 + tau``. This is an exact periodic positive heat solution
    (``dp/dtau = (1/2) Lap p``), so its score is an exact periodic Burgers solution.

    ``n_max`` is chosen at each ``tau`` (:meth:`n_max`) so that the dropped images are below ``1e-17`` relative
    to the kept sum (bound: :meth:`truncation_bound`), for points in the closed box ``[lower, upper]^d``;
    points outside it are first wrapped into ``[lower, upper)``. The means are stored wrapped into
    ``[lower, upper)``. The image sum factorises over coordinates, so the cost is ``K d (2 n_max + 1)``
    exponentials per point, evaluated with log-sum-exp over the images.

    :meth:`mean` and :meth:`covariance` are those of the underlying non-periodic mixture (no circular
    statistics).
    """

    TRUNCATION = 1e-17

    def __init__(self, weights, means, stds, lower, upper):
        super().__init__(weights, means, stds)
        lower = np.broadcast_to(np.asarray(lower, dtype=np.float64), (self.dim,)).copy()
        upper = np.broadcast_to(np.asarray(upper, dtype=np.float64), (self.dim,)).copy()
        if not np.all(upper > lower):
            raise ValueError(f"periodic box needs upper > lower, got lower={lower}, upper={upper}")
        self.lower = lower
        self.upper = upper
        self.period = upper - lower
        self.means = lower + np.mod(self.means - lower, self.period)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(weights={self.weights.tolist()}, means={self.means.tolist()}, "
                f"stds={self.stds.tolist()}, lower={self.lower.tolist()}, upper={self.upper.tolist()})")

    def truncation_bound(self, tau, n_max: int) -> float:
        """Upper bound on (dropped images)/(kept sum) for the image box ``|n_i| <= n_max``.

        Per coordinate, with ``|x - mu| <= P`` and the nearest image within ``P/2``, the image ``|n| = m`` is at
        least ``(m - 1) P`` away, so relative to the nearest image the dropped ones sum to at most
        ``2 sum_{m > n_max} exp(-((m-1)^2 - 1/4) q) <= 2 exp(-(n_max^2 - 1/4) q) / (1 - exp(-(2 n_max + 1) q))``
        with ``q = P^2 / (2 S)``; over ``d`` coordinates the relative error is at most ``(1 + e)^d - 1``.
        """
        s_max = float(np.max(self.variances(np.max(tau))))
        q = float(np.min(self.period)) ** 2 / (2.0 * s_max)
        n = float(n_max)
        log_e = np.log(2.0) - (n * n - 0.25) * q - np.log(-np.expm1(-(2.0 * n + 1.0) * q))
        return float(np.expm1(self.dim * np.log1p(np.exp(log_e))))

    def n_max(self, tau) -> int:
        """Smallest ``n_max >= 1`` with :meth:`truncation_bound` below ``1e-17``."""
        n = 1
        while self.truncation_bound(tau, n) >= self.TRUNCATION:
            n += 1
            if n > 100000:
                raise ValueError(f"tau={tau} is too large for an image sum on this period")
        return n

    def _wrap(self, xp: np.ndarray) -> np.ndarray:
        outside = (xp < self.lower) | (xp > self.upper)
        if not np.any(outside):
            return xp
        return np.where(outside, self.lower + np.mod(xp - self.lower, self.period), xp)

    def _factors(self, x, tau, order: int) -> _Factors:
        """Periodic log factors ``L = logsumexp_n(-(x - mu - nP)^2/(2S)) - (1/2) log(2 pi S)`` and their
        derivatives ``G = E_q[g_n]``, ``H = -1/S + Var_q[g_n]``, ``T = E_q[(g_n - G)^3]`` with ``q = softmax_n``
        and ``g_n = (mu + nP - x)/S``."""
        xp = self._wrap(self._points(x))
        n_max = self.n_max(tau)
        n = np.arange(-n_max, n_max + 1, dtype=np.float64)
        s = self.variances(tau)[..., None, None]                                  # (..., K, 1, 1)
        centres = self.means[..., None] + n * self.period[:, None]                # (K, d, M)
        diff = centres - xp[..., None, :, None]                                   # (..., K, d, M)
        gn = diff / s
        a = -0.5 * diff * gn
        lf = logsumexp(a, axis=-1) - 0.5 * (_LOG_2PI + np.log(s[..., 0]))
        q = softmax(a, axis=-1)
        g = np.sum(q * gn, axis=-1)
        if order < 2:
            return _Factors(lf, g)
        c = gn - g[..., None]
        h = -1.0 / s[..., 0] + np.sum(q * c * c, axis=-1)
        t = np.sum(q * c * c * c, axis=-1) if order >= 3 else None
        return _Factors(lf, g, h, t)

    def restricted(self, indices) -> "PeriodicGaussianMixture":
        """Periodic sub-mixture (same box), weights not renormalised, so ``p = p_A + p_B`` exactly."""
        idx = np.atleast_1d(np.asarray(indices, dtype=np.intp))
        if idx.size == 0:
            raise ValueError("restricted() needs at least one component index")
        means = self.means[idx]
        return PeriodicGaussianMixture(self.weights[idx], means, self.stds[idx], self.lower, self.upper)
