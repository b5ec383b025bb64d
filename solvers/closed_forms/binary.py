"""Binary decomposition of a Gaussian mixture, the interface (shock) layer, speciation and mode merging
(ANALYTIC.md sections 3, 3a, 3b).

Conventions: VE time ``tau`` = added variance, score ``u = grad log p``, ``nu = 1/2``.

For a split ``p = p_A + p_B`` into positive heat solutions (two groups of mixture components, weights not
renormalised), with ``u_i = grad log p_i`` and ``r = log(p_A/p_B)``:
``u = (u_A + u_B)/2 + ((u_A - u_B)/2) tanh(r/2)`` exactly. On the interface ``r = 0``: normal
``n = grad r/|grad r|`` (``grad r = u_A - u_B``), width ``ell = 2/|grad r|``, amplitude ``A = |u_A - u_B|/2``
(so ``A ell = 1 = 2 nu``), speciation indicator ``D = n.(grad u) n``; the speciation time ``tau_S`` is the root of
``D`` along the moving interface. For two components of equal std ``s0`` and half-separation ``a``:
``D = -1/S + a^2/S^2`` and ``tau_S = a^2 - s0^2`` (ANALYTIC §3a, §3b).

Mode merging (ANALYTIC §3b) is a different event: the time ``tau_M`` at which ``p_tau`` (1D) loses its last
extra local maximum, a fold ``u = u_x = 0``.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import brentq, root

from .mixture import GaussianMixture

__all__ = ["BinarySplit", "mode_merge", "count_modes"]

_MAX_EXPANSIONS = 40


class BinarySplit:
    """Two-group split ``p = p_A + p_B`` of a :class:`GaussianMixture` (ANALYTIC §3).

    ``group_a`` and ``group_b`` are lists of component indices (default ``[0]`` and ``[1]``); they must be
    disjoint and together cover all components, so that ``p = p_A + p_B`` exactly (the sub-mixtures keep their
    original, unnormalised weights). ``r = log(p_A/p_B)``, so the normal ``grad r/|grad r|`` points towards
    group A.
    """

    def __init__(self, mixture: GaussianMixture, group_a=(0,), group_b=(1,)):
        ia = sorted(int(i) for i in np.atleast_1d(group_a))
        ib = sorted(int(i) for i in np.atleast_1d(group_b))
        k = mixture.n_components
        if not ia or not ib or set(ia) & set(ib) or set(ia) | set(ib) != set(range(k)):
            raise ValueError(f"groups {ia} and {ib} must be non-empty, disjoint and cover the {k} components")
        self.mixture = mixture
        self.group_a = tuple(ia)
        self.group_b = tuple(ib)
        self.part_a = mixture.restricted(ia)
        self.part_b = mixture.restricted(ib)

    # ------------------------------------------------------------------ fields
    def log_ratio(self, x, tau):
        """``r = log(p_A/p_B)`` (ANALYTIC §3), each side a log-sum-exp; shape ``(...)``."""
        return self.part_a.log_density(x, tau) - self.part_b.log_density(x, tau)

    def _grad_r(self, tau, point) -> np.ndarray:
        """``grad r = u_A - u_B`` at one point, as a ``(d,)`` vector."""
        g = self.part_a.score(point, tau) - self.part_b.score(point, tau)
        return np.atleast_1d(np.asarray(g, dtype=np.float64)).reshape(self.mixture.dim)

    # ------------------------------------------------------------------ interface
    def interface_point(self, tau, near=None) -> np.ndarray:
        """A point with ``r = 0`` (ANALYTIC §3), found by ``scipy.optimize.brentq``.

        1D: returns a float. The bracket starts between the weighted means of the two groups (or around
        ``near``) and is widened until ``r`` changes sign (the interface of a weighted mixture leaves the
        segment between the means at large ``tau``: ``x0 = -(S/(2a)) log(w/(1-w))``).
        2D: the root is searched on the line through the two group means (or through ``near``, parallel to
        it), starting with the segment between them; returns a point of shape ``(2,)``.
        """
        ma, mb = self.part_a.mean(), self.part_b.mean()
        direction = mb - ma
        sep = float(np.linalg.norm(direction))
        if sep == 0.0:
            raise ValueError("the two groups have the same mean: the interface is not on the line between them")
        unit = direction / sep
        if near is None:
            origin, lo, hi = ma, 0.0, sep
        else:
            origin = np.broadcast_to(np.asarray(near, dtype=np.float64), ma.shape)
            scale = float(np.sqrt(np.min(self.mixture.variances(tau))))
            lo, hi = -0.5 * scale, 0.5 * scale

        def f(s):
            pt = origin + s * unit
            return float(self.log_ratio(pt[0] if self.mixture.dim == 1 else pt, tau))

        flo, fhi = f(lo), f(hi)
        width = hi - lo
        for _ in range(_MAX_EXPANSIONS):
            if flo == 0.0:
                hi, fhi = lo, flo
                break
            if fhi == 0.0 or np.sign(flo) != np.sign(fhi):
                break
            lo, hi = lo - width, hi + width
            width *= 2.0
            flo, fhi = f(lo), f(hi)
        else:
            raise ValueError(f"no interface r = 0 found on the line between the group means at tau={tau}")
        if fhi == 0.0 or lo == hi:
            s0 = hi
        else:
            s0 = brentq(f, lo, hi, xtol=1e-15 * sep, rtol=1e-15, maxiter=200)
        pt = origin + s0 * unit
        return float(pt[0]) if self.mixture.dim == 1 else pt

    def _point(self, tau, point):
        return self.interface_point(tau) if point is None else point

    def normal(self, tau, point) -> np.ndarray:
        """``n = grad r/|grad r|`` with ``grad r = u_A - u_B`` (ANALYTIC §3); 1D: ``+-1.0`` (a float)."""
        g = self._grad_r(tau, point)
        n = g / np.linalg.norm(g)
        return float(n[0]) if self.mixture.dim == 1 else n

    def width(self, tau, point=None) -> float:
        """Interface width ``ell = 2/|grad r| = 2/|u_A - u_B|`` at the interface (ANALYTIC §3); ``S/a`` for the
        equal-variance binary mixture."""
        return float(2.0 / np.linalg.norm(self._grad_r(tau, self._point(tau, point))))

    def amplitude(self, tau, point=None) -> float:
        """Amplitude ``A = |u_A - u_B|/2`` at the interface (ANALYTIC §3); ``A * ell = 1``."""
        return float(0.5 * np.linalg.norm(self._grad_r(tau, self._point(tau, point))))

    def indicator(self, tau, point=None) -> float:
        """Normal speciation indicator ``D = n.(grad u) n`` at the interface, with the exact Jacobian of the
        full mixture score (ANALYTIC §3); ``-1/S + a^2/S^2`` for two equal-std components. ``D > 0``: valley
        (two species); ``D < 0``: none."""
        point = self._point(tau, point)
        jac = self.mixture.score_jacobian(point, tau)
        if self.mixture.dim == 1:
            return float(jac)
        n = self.normal(tau, point)
        return float(n @ jac @ n)

    # ------------------------------------------------------------------ speciation
    def _equal_std_pair(self):
        """``(a, s0)`` when the split is two single components of equal std, else ``None``."""
        m = self.mixture
        if m.n_components == 2 and m.stds[0] == m.stds[1]:
            a = 0.5 * float(np.linalg.norm(m.means[0] - m.means[1]))
            return a, float(m.stds[0])
        return None

    def speciation_time(self, tau_max=None) -> float | None:
        """Speciation time ``tau_S``: root of ``D(tau)`` along the moving interface (ANALYTIC §3).

        Two components of equal std ``s0`` (any weights, any dimension): the closed form ``tau_S = a^2 - s0^2``
        with ``a = |mu_1 - mu_2|/2`` (ANALYTIC §3a, §3b). Otherwise ``scipy.optimize.brentq`` on
        ``D(tau) = indicator(tau)``, the bracket grown geometrically from ``tau = 0``.

        Returns ``None`` ("no speciation") when ``D <= 0`` already at ``tau = 0`` (or there is no interface
        ``r = 0`` at all at ``tau = 0``), and also when ``tau_max`` is given and ``D`` keeps its sign on
        ``[0, tau_max]``.
        """
        pair = self._equal_std_pair()
        if pair is not None:
            a, s0 = pair
            if a <= s0:
                return None
            tau_s = (a - s0) * (a + s0)
            return None if tau_max is not None and tau_s > tau_max else float(tau_s)
        return self._speciation_time_numeric(tau_max)

    def _speciation_time_numeric(self, tau_max=None) -> float | None:
        """``brentq`` root of ``D(tau)`` (used for every split that has no closed form)."""
        try:
            d0 = self.indicator(0.0)
        except ValueError:          # r keeps one sign: no interface between the groups at tau = 0
            return None
        if d0 <= 0.0:
            return None
        scale = max(float(np.max(self.mixture.stds)) ** 2, 1e-300)
        lo, hi = 0.0, scale
        for _ in range(_MAX_EXPANSIONS):
            if tau_max is not None and hi >= tau_max:
                hi = float(tau_max)
                if self.indicator(hi) > 0.0:
                    return None
                break
            if self.indicator(hi) <= 0.0:
                break
            lo, hi = hi, 2.0 * hi
        else:
            raise ValueError("D(tau) stays positive: no speciation time found")
        return float(brentq(lambda t: self.indicator(t), lo, hi, xtol=1e-14 * hi, rtol=1e-15, maxiter=200))


# ---------------------------------------------------------------------- mode merging (1D)
def count_modes(mixture: GaussianMixture, tau, lower, upper, n=4001) -> int:
    """Number of local maxima of ``p_tau`` on ``[lower, upper]`` (1D): sign changes of the score ``u`` from
    ``+`` to ``-`` on ``n`` equispaced points. Used to bracket ``tau_M`` (ANALYTIC §3b); a pair of critical
    points closer than the spacing is not resolved."""
    if mixture.dim != 1:
        raise ValueError("count_modes is for 1D mixtures")
    u = mixture.score(np.linspace(lower, upper, int(n)), tau)
    return int(np.count_nonzero((u[:-1] > 0.0) & (u[1:] <= 0.0)))


def _zeros(u: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Grid locations (interval midpoints) of the sign changes of ``u``."""
    s = np.signbit(u)
    k = np.nonzero(s[:-1] != s[1:])[0]
    return 0.5 * (x[k] + x[k + 1])


def mode_merge(mixture: GaussianMixture, tau_max: float) -> tuple[float, float] | None:
    """Mode-merging point ``(x_M, tau_M)`` of a 1D mixture (ANALYTIC §3b): the last time the number of zeros of
    ``u`` drops to 1 (``p_tau`` becomes unimodal), where ``u = u_x = 0`` (a fold).

    Bracketing: ``tau`` is scanned on ``[0, tau_max]`` counting modes (:func:`count_modes` on the hull of the
    means, where all critical points lie), the last multimodal-to-unimodal step is narrowed by bisection on the
    mode count, and the fold is then solved from the merging pair of zeros with ``scipy.optimize.root``
    (``u = 0, u_x = 0`` in ``(x, tau)``) to ``1e-12``.

    Symmetric pitchfork (two components, equal weights and stds): the fold Jacobian is singular, and the exact
    answer ``(midpoint, a^2 - s0^2)`` is returned. ``None`` when ``p_0`` is already unimodal, or when ``p`` is
    still multimodal at ``tau_max``.
    """
    if mixture.dim != 1:
        raise ValueError("mode_merge is for 1D mixtures")
    mu = mixture.means[:, 0]
    if (mixture.n_components == 2 and mixture.weights[0] == mixture.weights[1]
            and mixture.stds[0] == mixture.stds[1]):
        a, s0 = 0.5 * abs(float(mu[1] - mu[0])), float(mixture.stds[0])
        if a <= s0:
            return None
        tau_m = (a - s0) * (a + s0)
        return None if tau_m > tau_max else (0.5 * float(mu[0] + mu[1]), float(tau_m))

    span = float(mu.max() - mu.min())
    pad = 1e-3 * span + 1e-12
    lower, upper = float(mu.min()) - pad, float(mu.max()) + pad

    def multimodal(t):
        return count_modes(mixture, t, lower, upper) >= 2

    if not multimodal(0.0):
        return None
    taus = np.linspace(0.0, float(tau_max), 129)
    flags = np.array([multimodal(t) for t in taus])
    if flags[-1]:
        return None
    i = int(np.nonzero(flags)[0][-1])
    lo, hi = float(taus[i]), float(taus[i + 1])
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if multimodal(mid):
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-9 * max(hi, 1.0):
            break

    x = np.linspace(lower, upper, 4001)
    z = _zeros(mixture.score(x, lo), x)
    j = int(np.argmin(np.diff(z)))
    x0 = 0.5 * (z[j] + z[j + 1])
    s_scale = float(np.max(mixture.variances(lo)))

    def fold(v):
        xx, tt = float(v[0]), float(v[1])
        return [float(mixture.score(xx, tt)) * np.sqrt(s_scale), float(mixture.score_jacobian(xx, tt)) * s_scale]

    sol = root(fold, [x0, lo], method="hybr", options={"xtol": 1e-14})
    xm, tm = float(sol.x[0]), float(sol.x[1])
    res = np.abs(fold(sol.x))
    if not sol.success and not np.all(res < 1e-12):
        raise ValueError(f"mode_merge: fold solve failed ({sol.message}); residual {res}")
    if np.any(res >= 1e-12):
        raise ValueError(f"mode_merge: fold residual {res} above 1e-12")
    return xm, tm
