"""Exact solutions of the Burgers cases, in the case's own time ``t`` and the integrated variable ``w``.

``w = sigma * k * grad log p`` with ``sigma = +1`` (``variable = "score"``) or ``-1`` (``"textbook"``) and
``k = 2 nu`` in VE time (``p_t = nu Lap p``; then ``w_t = nu Lap w + sigma (w . grad) w``; ``k = 1`` for the
diffusion-model convention ``nu = 1/2``), ``k = 1`` for VP data in VP time (ANALYTIC.md §4). Every adapter
offers ``state`` (``w``), ``score`` (``grad log p``), ``density`` where one exists, the VE added variance
``tau(t)``, its inverse ``t_of_tau`` and the VP coordinate scale ``scale(t) = e^{B/2}`` (1 in VE): a VE
interface point ``y`` sits at ``x = y / scale``, its width and ``D`` scale as ``1/scale`` and ``scale^2``.
"""
from __future__ import annotations

import numpy as np

from ..closed_forms.exact_solutions import travelling_shock
from ..closed_forms.vp import vp_density, vp_score
from .exact import MixtureSolution


class _Adapter:
    sign: float = 1.0
    factor: float = 1.0
    has_score = True
    has_density = True
    schedule = None

    def state(self, x, t):
        return self.sign * self.factor * self.score(x, t)

    def scale(self, t):
        return 1.0


class MixtureScore(_Adapter):
    """Gaussian mixture (periodic images on periodic grids), VE time ``tau = 2 nu t``."""

    def __init__(self, mixture_solution: MixtureSolution, sign: float):
        self.base, self.mixture, self.nu = mixture_solution, mixture_solution.mixture, mixture_solution.nu
        self.sign, self.factor = float(sign), 2.0 * self.nu

    def restricted(self, mixture) -> "MixtureScore":
        """The score of a sub-mixture (a side of the binary split, ANALYTIC §3): a Burgers solution of its own."""
        return MixtureScore(self.base.restricted(mixture), self.sign)

    def tau(self, t):
        return self.base.tau(t)

    def t_of_tau(self, tau):
        return np.asarray(tau, dtype=float) / (2.0 * self.nu)

    def score(self, x, t):
        return self.base.score(x, t)

    def density(self, x, t):
        return self.base.density(x, t)

    def density_rate(self, x, t):
        return self.base.density_rate(x, t)

    def state_rate(self, x, t):
        """``dw/dt = sigma k (d tau/dt) u_tau`` with ``u_tau`` in closed form (stage-consistent RK walls)."""
        return self.sign * self.factor * 2.0 * self.nu * self.mixture.score_time_derivative(x, self.tau(t))


class VPMixtureScore(_Adapter):
    """Gaussian mixture noised by the VP process, in VP time ``t``: ``s = e^{B/2} u_VE(tau(t), e^{B/2} x)``."""

    def __init__(self, mixture, schedule, sign: float):
        self.mixture, self.schedule, self.sign, self.factor, self.nu = mixture, schedule, float(sign), 1.0, 0.5

    def restricted(self, mixture) -> "VPMixtureScore":
        """The VP score of a sub-mixture (a side of the binary split, ANALYTIC §3, §4)."""
        return VPMixtureScore(mixture, self.schedule, self.sign)

    def tau(self, t):
        return self.schedule.tau(t)

    def t_of_tau(self, tau):
        return self.schedule.t_of_tau(tau)

    def scale(self, t):
        return float(np.exp(0.5 * self.schedule.B(t)))

    def score(self, x, t):
        return vp_score(self.mixture, self.schedule, t, x)

    def density(self, x, t):
        return vp_density(self.mixture, self.schedule, t, x)


class TravellingShock(_Adapter):
    """``v = c - A tanh(A (x - c t - x0) / (2 nu))`` (ANALYTIC §5) and its Cole-Hopf heat solution
    ``theta = exp(-k1 (x - x0) + nu k1^2 t) + exp(-k2 (x - x0) + nu k2^2 t)``, ``k_{1,2} = (c +- A)/(2 nu)``
    (``v = -2 nu theta_x / theta``), so ``grad log theta = -v / (2 nu)`` plays the score."""

    def __init__(self, speed, amplitude, position, nu, sign):
        self.c, self.A, self.x0, self.nu = float(speed), float(amplitude), float(position), float(nu)
        self.sign, self.factor = float(sign), 2.0 * self.nu

    def tau(self, t):
        return 2.0 * self.nu * np.asarray(t, dtype=float)

    def t_of_tau(self, tau):
        return np.asarray(tau, dtype=float) / (2.0 * self.nu)

    def score(self, x, t):
        return -travelling_shock(x, t, self.nu, self.c, self.A, self.x0) / (2.0 * self.nu)

    def _log_terms(self, x, t):
        k1, k2 = (self.c + self.A) / (2 * self.nu), (self.c - self.A) / (2 * self.nu)
        x = np.asarray(x, dtype=float)
        return -k1 * (x - self.x0) + self.nu * k1 ** 2 * t, -k2 * (x - self.x0) + self.nu * k2 ** 2 * t

    def density(self, x, t):
        a, b = self._log_terms(x, t)
        return np.exp(np.logaddexp(a, b))

    def log_density(self, x, t):
        return np.logaddexp(*self._log_terms(x, t))

    def density_rate(self, x, t):
        k1, k2 = (self.c + self.A) / (2 * self.nu), (self.c - self.A) / (2 * self.nu)
        a, b = self._log_terms(x, t)
        return self.nu * (k1 ** 2 * np.exp(a) + k2 ** 2 * np.exp(b))

    def state_rate(self, x, t):
        """``dw/dt = -sigma v_t``, ``v_t = (A^2 c / (2 nu)) sech^2(A (x - c t - x0) / (2 nu))``."""
        z = self.A * (np.asarray(x, dtype=float) - self.c * np.asarray(t, dtype=float) - self.x0) / (2 * self.nu)
        return -self.sign * self.A ** 2 * self.c / (2 * self.nu) / np.cosh(z) ** 2

    def interface(self, t):
        """Shock position and width ``(x0 + c t, 2 nu / A)``."""
        return self.x0 + self.c * t, 2.0 * self.nu / self.A


class DoubleWellScore(_Adapter):
    """The quartic double well (ANALYTIC §3d) in VE time: quadrature references, closed-form ``u(x, 0)``."""

    cheap = False            # quadrature per point: evaluated at the measurement times only

    def __init__(self, well, nu, sign):
        self.well, self.nu, self.sign, self.factor = well, float(nu), float(sign), 2.0 * float(nu)

    def tau(self, t):
        return 2.0 * self.nu * np.asarray(t, dtype=float)

    def t_of_tau(self, tau):
        return np.asarray(tau, dtype=float) / (2.0 * self.nu)

    def score(self, x, t):
        tau = float(self.tau(t))
        if tau == 0.0:
            return self.well.score0(x)
        return self.well.score(x, tau)

    def density(self, x, t):
        tau = float(self.tau(t))
        if tau == 0.0:
            return np.exp(self.well.log_density0(x))
        return self.well.density(x, tau)
