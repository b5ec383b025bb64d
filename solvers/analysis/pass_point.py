"""The local pass point of the 2D interface ``r = 0`` (ANALYTIC.md §7), for computed fields and closed forms.

The contour ``r = 0`` is traced by marching squares (``contourpy``, the contour engine of matplotlib) on the
grid samples of ``r``; along every line the local maxima of ``log p`` at the vertices (where ``p > floor max p``)
are the candidate passes, and the one nearest to the segment joining the two measured means is kept (a contour
carries one pass near each pair of points it separates). The candidate is refined to round-off by solving
``r = 0`` and ``t . grad log p = 0`` (``t`` the unit tangent of the contour) with ``scipy.optimize.root``, on
bicubic splines of the computed fields (order 4) or on the closed forms. The same code serves both, so the
measured and the reference pass follow one rule.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import contourpy
import numpy as np
from scipy.interpolate import RectBivariateSpline
from scipy.optimize import root


@dataclass
class Fields2D:
    """Point functions of ``r``, ``grad r``, ``log p`` and ``grad log p`` (points of shape ``(n, 2)``)."""

    r: Callable
    grad_r: Callable
    log_p: Callable
    grad_log_p: Callable


def spline_fields(axes, r: np.ndarray, log_p: np.ndarray) -> Fields2D:
    """Bicubic splines of grid samples (``r``, ``log p`` of shape ``(nx, ny)``, finite)."""
    R, P = RectBivariateSpline(*axes, r, kx=3, ky=3), RectBivariateSpline(*axes, log_p, kx=3, ky=3)

    def grad(S):
        return lambda z: np.stack([S.ev(z[:, 0], z[:, 1], dx=1), S.ev(z[:, 0], z[:, 1], dy=1)], axis=-1)

    return Fields2D(lambda z: R.ev(z[:, 0], z[:, 1]), grad(R), lambda z: P.ev(z[:, 0], z[:, 1]), grad(P))


def _segment_distance(z: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ab = b - a
    s = np.clip(((z - a) @ ab) / (ab @ ab), 0.0, 1.0)
    return np.linalg.norm(z - (a + s[:, None] * ab), axis=1)


def contour_lines(axes, r: np.ndarray) -> list[np.ndarray]:
    """The lines ``r = 0`` of grid samples ``r`` (shape ``(nx, ny)``; NaN cells are left out)."""
    z = np.ma.masked_invalid(r.T)
    gen = contourpy.contour_generator(axes[0], axes[1], z, line_type=contourpy.LineType.Separate)
    return [line for line in gen.lines(0.0) if len(line) >= 3]


def pass_candidates(lines, fields: Fields2D, log_floor: float) -> list[np.ndarray]:
    """Vertices where ``log p`` has a local maximum along a line, above ``log_floor``."""
    out = []
    for line in lines:
        v = fields.log_p(line)
        closed = np.allclose(line[0], line[-1])
        for i in range(len(line)):
            if not closed and (i == 0 or i == len(line) - 1):
                continue
            prev, nxt = v[i - 1], v[(i + 1) % len(line)]
            if v[i] >= prev and v[i] >= nxt and v[i] > log_floor:
                out.append(line[i])
    return out


def refine(fields: Fields2D, start: np.ndarray) -> np.ndarray | None:
    """Solve ``r = 0``, ``t . grad log p = 0`` from ``start``; None if the solver does not converge."""
    def F(z):
        zz = z[None, :]
        g = fields.grad_r(zz)[0]
        t = np.array([-g[1], g[0]]) / np.linalg.norm(g)
        return [float(fields.r(zz)[0]), float(t @ fields.grad_log_p(zz)[0])]

    for method in ("hybr", "lm"):        # Powell's hybrid first; Levenberg-Marquardt where it stalls
        sol = root(F, np.asarray(start, dtype=float), method=method, tol=1e-14)
        if np.all(np.isfinite(sol.x)) and np.max(np.abs(F(sol.x))) < 1e-10:
            return sol.x
    return None


def find_pass(lines, fields: Fields2D, mean_a, mean_b, log_floor: float, inside: Callable | None = None
              ) -> tuple[np.ndarray | None, list[np.ndarray]]:
    """The pass point nearest to the segment ``mean_a``-``mean_b`` (refined), and all candidates."""
    cands = pass_candidates(lines, fields, log_floor)
    if not cands:
        return None, cands
    d = _segment_distance(np.array(cands), np.asarray(mean_a, float), np.asarray(mean_b, float))
    point = refine(fields, cands[int(np.argmin(d))])
    if point is not None and inside is not None and not inside(point):
        point = None
    return point, cands
