"""Fourier pseudo-spectral variant of the HJB-FP system on a fully periodic grid (registered ``spectral``).

Same time levels and pairing as the finite-difference scheme (:mod:`solvers.integrators.mfg_system`), with
the diffusion implicit and diagonal in Fourier space and the nonlinear / transport terms explicit (IMEX Euler,
first order in time, spectral in space)::

    HJB_n:  (phi^n - phi^{n+1})/dt - nu Lap phi^n + |grad phi^{n+1}|^2/2 - F^{n+1} = 0
    FP_n:   (m^{n+1} - m^n)/dt - nu Lap m^{n+1} - div(m^n grad phi^n) = 0

Derivatives are spectral; the quadratic products are formed from 2/3-rule truncated fields and truncated
again (Orszag 1971), so they are alias free. The FP conserves ``h^d sum m`` exactly (the divergence has no
mean mode) but, unlike the monotone scheme, does not guarantee ``m >= 0`` (reported as
``negative_density``). The explicit terms need ``dt max|grad phi| k_max <~ 1`` (checked by the problem's
``dt = "auto"`` rule). Exact adjointness is a property of the monotone scheme only; here ``newton`` is
Newton-Krylov on the same residuals (``scipy.optimize.newton_krylov``).
"""
from __future__ import annotations

import numpy as np

from ..grids import UniformGrid


def imex_dt_limit(ops: "SpectralMFGOperators", G: np.ndarray, nu: float) -> tuple[float, str]:
    """The ``dt = "auto"`` bound of the explicit Hamiltonian with implicit diffusion: the Fourier factor
    ``|1 + i a k dt| / (1 + nu k^2 dt) <= 1`` needs ``dt <= 2 nu / a^2``; with ``a = max|grad G|`` and a
    factor 2 margin, ``dt <= nu / a^2``."""
    a = ops.max_speed(G)
    return nu / a ** 2, f"; spectral IMEX limit dt <= nu / max|grad G|^2 (max|grad G| = {a:.4g})"


class SpectralMFGOperators:
    """Fourier operators and the IMEX steps on a fully periodic grid (``bcs`` and ``phi_boundary`` are not read:
    every axis is periodic). ``matrix_free = True``: the sweeps call :meth:`hjb_step` / :meth:`fp_step`, and
    ``newton`` is Newton-Krylov."""

    matrix_free = True
    exact_walls = False

    def __init__(self, grid: UniformGrid, bcs: list | None, nu: float, phi_boundary=None):
        self.grid, self.nu, self.dim = grid, float(nu), grid.dim
        self.size, self.cell, self.shape = grid.size, grid.cell_volume, grid.points
        ks = [2 * np.pi * np.fft.fftfreq(n, d=h) for n, h in zip(grid.points, grid.spacing)]
        ks[-1] = 2 * np.pi * np.fft.rfftfreq(grid.points[-1], d=grid.spacing[-1])
        self.K = np.meshgrid(*ks, indexing="ij")
        modes = [np.abs(np.fft.fftfreq(n, d=1.0 / n)) for n in grid.points]
        modes[-1] = np.fft.rfftfreq(grid.points[-1], d=1.0 / grid.points[-1])
        self.mask = np.ones(self.K[0].shape)
        for mm, n in zip(np.meshgrid(*modes, indexing="ij"), grid.points):
            self.mask *= (mm < n / 3.0)
        self.lap = -sum(k ** 2 for k in self.K)                       # symbol of Lap
        self.k_max = max(float(np.abs(k).max()) for k in self.K)
        self.x = [np.broadcast_to(ax.reshape([-1 if d == k else 1 for d in range(grid.dim)]), grid.points).ravel()
                  for k, ax in enumerate(grid.axes)]

    # -- transforms ------------------------------------------------------------------------------------
    def _hat(self, f):
        return np.fft.rfftn(f.reshape(self.shape))

    def _phys(self, f_hat):
        return np.fft.irfftn(f_hat, s=self.shape, axes=tuple(range(self.dim))).ravel()

    def gradient(self, phi, dealias=True) -> list[np.ndarray]:
        p = self._hat(phi) * (self.mask if dealias else 1.0)
        return [self._phys(1j * k * p) for k in self.K]

    def hamiltonian(self, phi) -> np.ndarray:
        q = 0.5 * sum(g * g for g in self.gradient(phi))
        return self._phys(self._hat(q) * self.mask)

    def divergence_flux(self, m, phi) -> np.ndarray:
        """``div(m grad phi)``, alias free."""
        m_t = self._phys(self._hat(m) * self.mask)
        out = 0.0
        for k, g in zip(self.K, self.gradient(phi)):
            out = out + 1j * k * self._hat(m_t * g) * self.mask
        return self._phys(out)

    def helmholtz_solve(self, rhs, dt) -> np.ndarray:
        """``(I/dt - nu Lap)^{-1} rhs``."""
        return self._phys(self._hat(rhs) / (1.0 / dt - self.nu * self.lap))

    def lap_apply(self, f) -> np.ndarray:
        return self._phys(self.nu * self.lap * self._hat(f))

    # -- the scheme's steps and residuals ---------------------------------------------------------------
    def hjb_step(self, phi_next, F, dt) -> np.ndarray:
        return self.helmholtz_solve(phi_next / dt + F - self.hamiltonian(phi_next), dt)

    def fp_step(self, m_n, phi_n, dt) -> np.ndarray:
        return self.helmholtz_solve(m_n / dt + self.divergence_flux(m_n, phi_n), dt)

    def residual_pair(self, phi_n, phi_next, m_n, m_next, F, dt):
        r = (phi_n - phi_next) / dt - self.lap_apply(phi_n) + self.hamiltonian(phi_next) - F
        q = (m_next - m_n) / dt - self.lap_apply(m_next) - self.divergence_flux(m_n, phi_n)
        return r, q

    def phi_offsets(self, t):
        return None, 0.0

    def mass(self, m) -> float:
        return float(m.sum() * self.cell)

    def mean(self, m) -> np.ndarray:
        return np.array([self.cell * float(x @ m) for x in self.x])

    def max_speed(self, phi) -> float:
        return max(float(np.abs(g).max()) for g in self.gradient(phi, dealias=False))
