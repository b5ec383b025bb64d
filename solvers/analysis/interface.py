"""Interface, width and speciation of any Gaussian mixture, measured by the binary split of ANALYTIC.md §3 on
the computed fields (§7), with the closed form put through the same rules.

Per save, from the sides evolved by the run (:mod:`solvers.analysis.sides`: ``r = log p_A - log p_B``,
``grad r = u_A - u_B``) and the computed score ``u``:

* 1D: the interface is the zero of ``r`` between the means of the two measured components (several zeros: the
  one where ``p`` is largest, the pass), located by ``brentq`` on a local cubic interpolant; width
  ``ell = 2/|grad r|`` and amplitude ``|u_A - u_B|/2`` there (cubic interpolation of the computed ``u_A - u_B``);
  ``D = u_x`` there (``u_x`` by the run's difference operator, cubic interpolation).
* 2D: the local pass point of the contour ``r = 0`` (:mod:`solvers.analysis.pass_point`); ``n = grad r/|grad r|``,
  ``ell = 2/|grad r|``, ``D = n.(grad u) n`` with the computed Jacobian (bicubic interpolation of the run's
  derivatives of ``u``).
* ``speciation_time``: the last loss of the valley on the measured pair (:mod:`solvers.analysis.events`), its
  crossings stored with their places, gaps / several crossings / a lost interface flagged.
* ``speciation_onset_time`` (1D): the first sign change of ``D`` at any zero of ``r`` where ``p > floor max p``.

The reference of every quantity is the same rule applied to the closed form: the zero of the exact ``r``
between the means (``brentq`` to 1e-15), the exact ``ell`` and ``D`` of :class:`~solvers.closed_forms.binary.
BinarySplit` there, its crossings refined by ``brentq`` in time.
"""
from __future__ import annotations

import numpy as np
from scipy.interpolate import CubicSpline, RectBivariateSpline
from scipy.optimize import brentq

from ..measurements.derivatives import derivative
from .events import crossings, event_flags, last_loss_of_valley
from .pass_point import Fields2D, contour_lines, find_pass, spline_fields

_HALF = 4          # half-width (points) of the local cubic interpolants


def _local(x, f, k):
    """A cubic through the finite samples of ``f`` around cell ``k`` (NaN where fewer than four)."""
    a, b = max(0, k - _HALF + 1), min(x.size, k + _HALF + 1)
    ok = np.isfinite(f[a:b])
    if ok.sum() < 4:
        return lambda s: np.nan
    return CubicSpline(x[a:b][ok], f[a:b][ok])


def zeros_1d(x, r, lo, hi) -> list[float]:
    """Zeros of grid samples ``r`` with ``lo <= x <= hi`` (NaN samples skipped), refined on local cubics."""
    sel = np.nonzero((x >= lo) & (x <= hi))[0]
    out = []
    for a, b in zip(sel[:-1], sel[1:]):
        if b != a + 1 or not (np.isfinite(r[a]) and np.isfinite(r[b])) or np.sign(r[a]) == np.sign(r[b]):
            continue
        if r[a] == 0.0:
            out.append(float(x[a]))
            continue
        spline = _local(x, r, a)
        try:
            out.append(float(brentq(spline, x[a], x[b], xtol=1e-15, rtol=1e-15)))
        except ValueError:
            out.append(float(x[a] - r[a] * (x[b] - x[a]) / (r[b] - r[a])))
    return out


def _nearest(x, s):
    return int(np.clip(np.searchsorted(x, s) - 1, 0, x.size - 2))


def measured_1d(x, r, grad_r, ux, log_p, lo, hi):
    """``(position, |grad r|, D)`` of the pass zero of ``r`` in ``[lo, hi]``, the zeros, and ``D`` at each."""
    roots = zeros_1d(x, r, lo, hi)
    if not roots:
        return None, [], []
    ds = [float(_local(x, ux, _nearest(x, s))(s)) for s in roots]
    heights = np.array([_local(x, log_p, _nearest(x, s))(s) for s in roots], dtype=float)
    k = int(np.nanargmax(heights)) if np.isfinite(heights).any() else 0
    s = roots[k]
    g = float(_local(x, grad_r, _nearest(x, s))(s))
    return (s, abs(g), ds[k]), roots, ds


def closed_1d(split, tau, lo, hi, samples=801):
    """The same rule on the closed form (VE coordinates): zeros of ``r`` in ``[lo, hi]`` by ``brentq``."""
    y = np.linspace(lo, hi, samples)
    r = split.log_ratio(y, tau)
    roots = []
    for a in range(samples - 1):
        if r[a] == 0.0:
            roots.append(float(y[a]))
        elif np.sign(r[a]) != np.sign(r[a + 1]):
            roots.append(float(brentq(lambda s: float(split.log_ratio(s, tau)), y[a], y[a + 1],
                                      xtol=1e-15, rtol=1e-15, maxiter=200)))
    if not roots:
        return None, [], []
    mix = split.mixture
    ds = [split.indicator(tau, s) for s in roots]
    k = int(np.argmax([float(mix.log_density(s, tau)) for s in roots]))
    return (roots[k], 2.0 / split.width(tau, roots[k]), ds[k]), roots, ds


def closed_fields(split, tau) -> Fields2D:
    mix = split.mixture
    return Fields2D(lambda z: split.log_ratio(z, tau),
                    lambda z: split.part_a.score(z, tau) - split.part_b.score(z, tau),
                    lambda z: mix.log_density(z, tau), lambda z: mix.score(z, tau))


def closed_2d(split, tau, axes, means, log_floor_rel):
    """The pass point of the closed-form contour (same rule), ``|grad r|`` and ``D`` there."""
    X = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1)
    fields = closed_fields(split, tau)
    r = split.log_ratio(X, tau)
    log_p = split.mixture.log_density(X, tau)
    point, _ = find_pass(contour_lines(axes, r), fields, means[0], means[1], float(log_p.max()) + log_floor_rel)
    if point is None:
        return None
    return point, 2.0 / split.width(tau, point), split.indicator(tau, point)


class Measured2D:
    """Splines of the computed ``grad r`` and Jacobian of ``u`` at one save."""

    def __init__(self, axes, grad_r, jac):
        self.g = [RectBivariateSpline(*axes, grad_r[..., c]) for c in range(2)]
        self.J = [[RectBivariateSpline(*axes, jac[a][b]) for b in range(2)] for a in range(2)]

    def at(self, z):
        g = np.array([s.ev(z[0], z[1]) for s in self.g])
        J = np.array([[s.ev(z[0], z[1]) for s in row] for row in self.J])
        n = g / np.linalg.norm(g)
        return float(np.linalg.norm(g)), float(n @ (0.5 * (J + J.T)) @ n)
