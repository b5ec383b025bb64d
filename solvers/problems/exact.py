"""Closed-form solutions of a case, in the case's own time ``t`` (heat time; VE added variance
``tau = 2 nu t``, which is ``t`` itself for the diffusion-model convention ``nu = 1/2``)."""
from __future__ import annotations

import numpy as np

from ..closed_forms.mixture import GaussianMixture, PeriodicGaussianMixture


class MixtureSolution:
    """Gaussian-mixture data (ANALYTIC.md §2), periodic images on fully periodic grids."""

    has_score = True

    def __init__(self, mixture: GaussianMixture, nu: float):
        self.mixture, self.nu = mixture, float(nu)

    def restricted(self, mixture) -> "MixtureSolution":
        """The same solution family for a sub-mixture (a side of the binary split, ANALYTIC §3)."""
        return MixtureSolution(mixture, self.nu)

    def tau(self, t):
        return 2.0 * self.nu * np.asarray(t, dtype=float)

    def t_of_tau(self, tau):
        return np.asarray(tau, dtype=float) / (2.0 * self.nu)

    def scale(self, t):
        """Coordinate scale of a VE point (1: the heat time is VE time)."""
        return 1.0

    def density(self, x, t):
        return self.mixture.density(x, self.tau(t))

    def log_density(self, x, t):
        return self.mixture.log_density(x, self.tau(t))

    def score(self, x, t):
        return self.mixture.score(x, self.tau(t))

    def score_jacobian(self, x, t):
        return self.mixture.score_jacobian(x, self.tau(t))

    def density_rate(self, x, t):
        """``dp/dt = nu Lap p = nu p (|u|^2 + div u)`` (u = grad log p)."""
        tau = self.tau(t)
        p, u, J = self.mixture.density(x, tau), self.mixture.score(x, tau), self.mixture.score_jacobian(x, tau)
        if self.mixture.dim == 1:
            return self.nu * p * (u * u + J)
        return self.nu * p * (np.sum(u * u, axis=-1) + np.trace(J, axis1=-2, axis2=-1))


class SineSolution:
    """``offset + amplitude * prod_d sin(k_d x_d) exp(-nu |k|^2 t)`` (ANALYTIC.md §5)."""

    def __init__(self, wavenumbers, amplitude: float, offset: float, nu: float):
        self.k = np.asarray(wavenumbers, dtype=float)
        self.amplitude, self.offset, self.nu = float(amplitude), float(offset), float(nu)
        self.has_score = offset > abs(amplitude)     # log p exists only for a positive solution

    def density(self, x, t):
        x = np.asarray(x, dtype=float)
        decay = np.exp(-self.nu * np.sum(self.k ** 2) * np.asarray(t, dtype=float))
        if self.k.size == 1:
            return self.offset + self.amplitude * np.sin(self.k[0] * x) * decay
        return self.offset + self.amplitude * np.sin(self.k[0] * x[..., 0]) * np.sin(self.k[1] * x[..., 1]) * decay

    def log_density(self, x, t):
        return np.log(self.density(x, t))

    def density_rate(self, x, t):
        return -self.nu * np.sum(self.k ** 2) * (self.density(x, t) - self.offset)

    def score(self, x, t):
        x = np.asarray(x, dtype=float)
        decay = np.exp(-self.nu * np.sum(self.k ** 2) * np.asarray(t, dtype=float))
        p = self.density(x, t)
        if self.k.size == 1:
            return self.amplitude * self.k[0] * np.cos(self.k[0] * x) * decay / p
        sx, sy = np.sin(self.k[0] * x[..., 0]), np.sin(self.k[1] * x[..., 1])
        cx, cy = np.cos(self.k[0] * x[..., 0]), np.cos(self.k[1] * x[..., 1])
        g = self.amplitude * decay * np.stack([self.k[0] * cx * sy, self.k[1] * sx * cy], axis=-1)
        return g / p[..., None]


def exact_solution(case, periodic: bool):
    data, nu = case["data"], case["method"]["nu"]
    if data["kind"] == "gaussian_mixture":
        w, mu, s = (np.asarray(data[k], dtype=float) for k in ("weights", "means", "stds"))
        mu = mu.reshape(w.size, case.dim)
        if periodic:
            mixture = PeriodicGaussianMixture(w, mu, s, case["grid"]["lower"], case["grid"]["upper"])
        else:
            mixture = GaussianMixture(w, mu, s)
        return MixtureSolution(mixture, nu)
    return SineSolution(data["wavenumbers"], data["amplitude"], data["offset"], nu)
