"""Non-Gaussian data: the quartic double well (ANALYTIC.md section 3d).

``p_0(x) = exp(-(x^2 - 1)^2/eps) / Z`` with ``Z = int exp(-(y^2 - 1)^2/eps) dy`` (by ``scipy.integrate.quad``).
Conventions: VE time ``tau`` = added variance, ``p_tau = p_0 * N(0, tau)``, score ``u = d/dx log p_tau``,
``nu = 1/2``. There is no closed form; everything is adaptive quadrature (``quad``, relative ``1e-12``):

* ``p_tau(x) = int p_0(y) N(x - y; 0, tau) dy``;
* ``u(x) = int p_0(y) N(x - y; 0, tau) (y - x)/tau dy / p_tau(x)`` (quadrature of the derivative of the
  kernel, not a finite difference);
* the split ``p_1``/``p_2``: the same integrals over ``y > 0`` / ``y < 0`` (``p = p_1 + p_2``);
  ``r = log(p_1/p_2)``, interface ``x = 0`` by symmetry, width ``ell = 2/|r'(0)| = 2/|u_1(0) - u_2(0)|``;
* ``tau_S``: root in ``tau`` of ``int p_0(y) (y^2 - tau) exp(-y^2/(2 tau)) dy`` (the sign of ``u_x(0)``).

Integrands are evaluated as ``exp(f(y) - f*)``, ``f(y) = -(y^2-1)^2/eps - (x-y)^2/(2 tau)``, with ``f*`` the
maximum of ``f``, so nothing under- or overflows; the integration interval is where ``f > f* - 80``.
The functions loop over points (they generate reference data and are not on a solver hot path).
"""
from __future__ import annotations

import numpy as np
from scipy.integrate import quad
from scipy.optimize import brentq

__all__ = ["DoubleWell"]

_QUAD = dict(epsabs=0.0, epsrel=1e-13, limit=400)
_CUT = 80.0             # log-range kept around the maximum of the integrand


class DoubleWell:
    """Quartic double well ``p_0 ∝ exp(-(x^2 - 1)^2/eps)`` and its heat evolution (ANALYTIC §3d)."""

    def __init__(self, eps: float):
        eps = float(eps)
        if not eps > 0.0:
            raise ValueError(f"eps must be positive, got {eps}")
        self.eps = eps
        # log Z, with the integrand shifted by its maximum (1 at y = +-1)
        ymax = np.sqrt(1.0 + np.sqrt(_CUT * eps))
        z, _ = quad(lambda y: np.exp(-(y * y - 1.0) ** 2 / eps), -ymax, ymax, points=[-1.0, 0.0, 1.0], **_QUAD)
        self.log_z = float(np.log(z))

    def __repr__(self) -> str:
        return f"DoubleWell(eps={self.eps})"

    # ------------------------------------------------------------------ p_0
    def log_density0(self, x) -> np.ndarray:
        """``log p_0(x) = -(x^2 - 1)^2/eps - log Z`` (normalised)."""
        x = np.asarray(x, dtype=np.float64)
        return -((x * x - 1.0) ** 2) / self.eps - self.log_z

    def score0(self, x) -> np.ndarray:
        """``u(x, 0) = -4 x (x^2 - 1)/eps``."""
        x = np.asarray(x, dtype=np.float64)
        return -4.0 * x * (x * x - 1.0) / self.eps

    # ------------------------------------------------------------------ quadrature core
    def _exponent(self, x: float, tau: float):
        return lambda y: -((y * y - 1.0) ** 2) / self.eps - (x - y) ** 2 / (2.0 * tau)

    def _window(self, x: float, tau: float, region: str = "all"):
        """Maximum ``f*`` of the integrand's exponent over the region (``"all"``, ``"pos"``: ``y > 0``,
        ``"neg"``: ``y < 0``), its location, and an interval of the region outside which ``f < f* - 80``
        (the integrand is below ``e^-80`` of its peak there)."""
        if region not in ("all", "pos", "neg"):
            raise ValueError(f"region must be 'all', 'pos' or 'neg', got {region!r}")
        f = self._exponent(x, tau)
        ymax = np.sqrt(1.0 + np.sqrt(_CUT * self.eps))
        half = 40.0 * np.sqrt(tau)
        a, b = min(-ymax, x - half), max(ymax, x + half)
        a, b = (0.0, b) if region == "pos" else (a, 0.0) if region == "neg" else (a, b)
        grid = np.linspace(a, b, 8001)
        vals = f(grid)
        k = int(np.argmax(vals))
        fstar, ystar = float(vals[k]), float(grid[k])
        keep = np.nonzero(vals > fstar - _CUT)[0]
        lo, hi = float(grid[max(keep[0] - 1, 0)]), float(grid[min(keep[-1] + 1, grid.size - 1)])
        step = grid[1] - grid[0]
        while region != "pos" and f(lo) > fstar - _CUT:
            lo -= step
        while region != "neg" and f(hi) > fstar - _CUT:
            hi += step
        return f, fstar, ystar, lo, hi

    def _moments(self, x: float, tau: float, region: str = "all", powers=(0, 1)):
        """``(f*, [int_region exp(f(y) - f*) (y - x)^m dy for m in powers])``."""
        f, fstar, ystar, lo, hi = self._window(x, tau, region)
        sd = np.sqrt(tau)
        gap = 1e-6 * (hi - lo)
        pts = []
        for p in sorted(p for p in (-1.0, 0.0, 1.0, ystar, ystar - sd, ystar + sd, x) if lo + gap < p < hi - gap):
            if not pts or p - pts[-1] > gap:
                pts.append(p)
        out = []
        i0 = None
        for m in powers:
            opts = dict(_QUAD)
            if m % 2 == 1:
                # odd moments can vanish (symmetry): absolute tolerance on the scale of the integrand
                if i0 is None:
                    i0, _ = quad(lambda y: np.exp(f(y) - fstar), lo, hi, points=pts or None, **_QUAD)
                opts["epsabs"] = 1e-14 * i0 * (abs(ystar - x) + np.sqrt(tau) + 1.0) ** m
            val, _ = quad(lambda y: np.exp(f(y) - fstar) * (y - x) ** m, lo, hi, points=pts or None, **opts)
            if m == 0:
                i0 = val
            out.append(val)
        return fstar, out

    def _log_density_point(self, x: float, tau: float, region: str = "all") -> float:
        if tau == 0.0:
            inside = region == "all" or (region == "pos" and x > 0) or (region == "neg" and x < 0)
            return float(self.log_density0(x)) if inside else -np.inf
        fstar, (i0,) = self._moments(x, tau, region, powers=(0,))
        if i0 <= 0.0:
            return -np.inf
        return fstar + np.log(i0) - self.log_z - 0.5 * np.log(2.0 * np.pi * tau)

    def _score_point(self, x: float, tau: float, region: str = "all") -> float:
        if tau == 0.0:
            return float(self.score0(x))
        _, (i0, i1) = self._moments(x, tau, region, powers=(0, 1))
        return i1 / (tau * i0)

    @staticmethod
    def _map(fn, x):
        x = np.asarray(x, dtype=np.float64)
        return np.array([fn(float(v)) for v in x.ravel()]).reshape(x.shape)

    @staticmethod
    def _check_tau(tau) -> float:
        tau = float(tau)
        if tau < 0.0:
            raise ValueError(f"tau must be >= 0, got {tau}")
        return tau

    # ------------------------------------------------------------------ public fields
    def log_density(self, x, tau) -> np.ndarray:
        """``log p_tau(x)``, ``p_tau = int p_0(y) N(x - y; 0, tau) dy`` by quadrature (relative 1e-12)."""
        tau = self._check_tau(tau)
        return self._map(lambda v: self._log_density_point(v, tau), x)

    def density(self, x, tau) -> np.ndarray:
        """``p_tau(x) = int p_0(y) N(x - y; 0, tau) dy`` (normalised), by quadrature (relative 1e-12)."""
        return np.exp(self.log_density(x, tau))

    def score(self, x, tau) -> np.ndarray:
        """``u(x) = int p_0(y) N(x-y; 0, tau) (y - x)/tau dy / p_tau(x)`` (quadrature of the derivative)."""
        tau = self._check_tau(tau)
        return self._map(lambda v: self._score_point(v, tau), x)

    def split_densities(self, x, tau):
        """``(p_1, p_2)``: heat evolutions of ``p_0`` restricted to ``y > 0`` and ``y < 0`` (not renormalised,
        so ``p_1 + p_2 = p_tau``) (ANALYTIC §3d)."""
        tau = self._check_tau(tau)
        p1 = np.exp(self._map(lambda v: self._log_density_point(v, tau, "pos"), x))
        p2 = np.exp(self._map(lambda v: self._log_density_point(v, tau, "neg"), x))
        return p1, p2

    def split_scores(self, x, tau):
        """``(u_1, u_2) = (d/dx log p_1, d/dx log p_2)`` by quadrature (``tau > 0``)."""
        tau = self._check_tau(tau)
        if tau == 0.0:
            raise ValueError("split scores need tau > 0")
        u1 = self._map(lambda v: self._score_point(v, tau, "pos"), x)
        u2 = self._map(lambda v: self._score_point(v, tau, "neg"), x)
        return u1, u2

    def width_at_origin(self, tau) -> float:
        """Local interface width ``ell = 2/|r'(0)|``, ``r = log(p_1/p_2)``, ``r' = u_1 - u_2`` (ANALYTIC §3d).
        ``0.0`` at ``tau = 0`` (the restricted densities are discontinuous there)."""
        tau = self._check_tau(tau)
        if tau == 0.0:
            return 0.0
        u1, u2 = self.split_scores(0.0, tau)
        return float(2.0 / abs(float(u1) - float(u2)))

    def speciation_indicator(self, tau) -> float:
        """``E_q[y^2] - tau`` with ``q ∝ p_0(y) exp(-y^2/(2 tau))``: positive multiple of
        ``int p_0(y) (y^2 - tau) exp(-y^2/(2 tau)) dy``, hence of ``u_x(0, tau)`` (ANALYTIC §3d)."""
        tau = float(tau)
        _, (i0, i2) = self._moments(0.0, tau, "all", powers=(0, 2))
        return i2 / i0 - tau

    def speciation_time(self) -> float:
        """``tau_S``: root in ``tau`` of ``int p_0(y) (y^2 - tau) exp(-y^2/(2 tau)) dy = 0`` (ANALYTIC §3d), by
        ``brentq`` on the smooth normalised form :meth:`speciation_indicator`."""
        lo = self.eps / 100.0
        while self.speciation_indicator(lo) <= 0.0:
            lo /= 10.0
            if lo < 1e-12:
                raise ValueError("double well: u_x(0) is not positive at small tau")
        hi = 1.0
        while self.speciation_indicator(hi) >= 0.0:
            hi *= 2.0
        return float(brentq(self.speciation_indicator, lo, hi, xtol=1e-15, rtol=1e-14, maxiter=200))
