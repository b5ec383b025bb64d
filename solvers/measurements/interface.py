"""The interface (score shock) layer: tanh fit, speciation indicator and speciation time (ANALYTIC.md §3, §7).

The score near an interface is ``b0 + b1 s + A tanh((s - x0)/ell)`` (exact for the equal-variance binary
mixture, ANALYTIC §3a-b); ``s`` is the coordinate along the interface normal (``x`` in 1D). The fit is a
nonlinear least-squares problem (``scipy.optimize.least_squares``, Levenberg-Marquardt) over
``|s - x0| < window * ell`` started from the closed form's ``(x0, ell, A)``; the linear parameters of the first
guess come from a linear least-squares solve.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.interpolate import CubicSpline
from scipy.optimize import least_squares


@dataclass(frozen=True)
class TanhFit:
    b0: float
    b1: float
    amplitude: float
    position: float
    width: float
    residual_rms: float
    points: int

    def derivative_at_position(self) -> float:
        """``d/ds`` of the fitted profile at its centre: ``b1 + A/ell``."""
        return self.b1 + self.amplitude / self.width


def _model(params, s):
    b0, b1, A, x0, ell = params
    return b0 + b1 * s + A * np.tanh((s - x0) / ell)


def _jacobian(params, s):
    _, _, A, x0, ell = params
    z = (s - x0) / ell
    t = np.tanh(z)
    sech2 = 1.0 - t * t
    return np.stack([np.ones_like(s), s, t, -A * sech2 / ell, -A * sech2 * z / ell], axis=1)


def fit_tanh(s: np.ndarray, u: np.ndarray, x0: float, ell: float, amplitude: float, window: float = 6.0,
             min_points: int = 8) -> TanhFit | None:
    """Fit over ``|s - x0| < window*ell``; None when fewer than ``min_points`` finite samples lie there."""
    sel = (np.abs(s - x0) < window * ell) & np.isfinite(u)
    if sel.sum() < min_points:
        return None
    s, u = s[sel], u[sel]
    t = np.tanh((s - x0) / ell)
    # linear parameters (b0, b1, A) for the guessed (x0, ell)
    lin, *_ = np.linalg.lstsq(np.stack([np.ones_like(s), s, t], axis=1), u, rcond=None)
    guess = np.array([lin[0], lin[1], lin[2] if np.isfinite(lin[2]) else amplitude, x0, ell])
    scale = np.array([1.0, 1.0, max(abs(amplitude), 1e-300), ell, ell])
    res = least_squares(lambda p: _model(p, s) - u, guess, jac=lambda p: _jacobian(p, s), x_scale=scale,
                        method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=500)
    b0, b1, A, pos, width = res.x
    if width < 0:                       # tanh is odd: (A, ell) and (-A, -ell) are the same profile
        A, width = -A, -width
    return TanhFit(b0, b1, A, pos, width, float(np.sqrt(np.mean(res.fun ** 2))), int(sel.sum()))


def speciation_time(t: np.ndarray, D: np.ndarray) -> float | None:
    """First root in time of the speciation indicator ``D`` (a cubic spline through the saved series).

    ``D > 0``: a valley at the interface (two species); the speciation time is where ``D`` changes sign
    from positive to negative. None when no sign change occurs in the series.
    """
    ok = np.isfinite(D)
    t, D = np.asarray(t)[ok], np.asarray(D)[ok]
    if t.size < 4:
        return None
    spline = CubicSpline(t, D)
    roots = [r for r in spline.roots(extrapolate=False) if t[0] <= r <= t[-1]]
    for r in sorted(roots):
        before = spline(r - 1e-9 * max(1.0, abs(r)))
        if before > 0:
            return float(r)
    return None
