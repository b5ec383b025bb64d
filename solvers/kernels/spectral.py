"""Fused ETDRK4 step loop for the 1D Fourier pseudo-spectral Burgers equation (numba + rocket-fft).

:func:`etdrk4_burgers_1d` advances the ``rfft`` coefficients ``v`` of ``w_t = nu w_xx - d/dx (c2 w^2)`` by
``nsteps`` Cox-Matthews ETDRK4 steps (Kassam-Trefethen coefficients ``E, E2, Q, f1, f2, f3`` tabulated by
:func:`solvers.kernels.etd.etdrk4_coefficients`), the same arithmetic as
:class:`solvers.integrators.split_steppers.ETDRK4Stepper` on :class:`solvers.equations.burgers.SpectralBurgers`:
``N(v) = g FFT(c2 IFFT(M v)^2)`` with ``g = -i k M`` and ``M`` the 2/3-rule mask. Everything is in one numba
function: the eight real FFTs of a step are DUCC0's (through rocket-fft's low-level ``r2c`` / ``c2r``, which
write into preallocated arrays), every stage combination is one fused loop over the modes, and nothing is
allocated per step. Results agree with the numpy path to round-off (the FFTs differ in their last bits);
single-threaded, so repeated runs are bit-for-bit identical.

rocket-fft registers its overloads with numba on import; :data:`AVAILABLE` is ``False`` when it is missing,
and the caller then keeps the numpy path.
"""
from __future__ import annotations

import numpy as np
from numba import njit

try:
    from rocket_fft import c2r, r2c
    AVAILABLE = True
except ImportError:            # pragma: no cover - the dependency is declared; keep the numpy path without it
    AVAILABLE = False


if AVAILABLE:
    @njit(cache=True)
    def _nonlinear_fft(spec, phys, out, c2, axes):
        """``out <- FFT(c2 IFFT(spec)^2)`` (``spec`` already masked; numpy's ``irfft`` normalisation)."""
        n = phys.shape[0]
        c2r(spec, phys, axes, False, 1.0 / n, 1)
        for i in range(n):
            x = phys[i]
            phys[i] = c2 * x * x
        r2c(phys, out, axes, True, 1.0, 1)

    @njit(cache=True)
    def etdrk4_burgers_1d(v, nsteps, E, E2, Q, f1, f2, f3, mask, g, c2, spec, phys, fhat, Nu, Na, a):
        """``nsteps`` ETDRK4 steps of ``v`` (complex, ``n//2 + 1`` modes) in place; ``spec``, ``fhat``, ``Nu``,
        ``Na``, ``a`` complex work arrays like ``v``, ``phys`` a real one of ``n`` points."""
        m = v.shape[0]
        axes = np.zeros(1, dtype=np.int64)
        for k in range(m):
            spec[k] = mask[k] * v[k]
        for _ in range(nsteps):
            # N(u); a = E2 u + Q N(u)
            _nonlinear_fft(spec, phys, fhat, c2, axes)
            for k in range(m):
                nu_k = g[k] * fhat[k]
                Nu[k] = nu_k
                ak = E2[k] * v[k] + Q[k] * nu_k
                a[k] = ak
                spec[k] = mask[k] * ak
            # N(a); b = E2 u + Q N(a)
            _nonlinear_fft(spec, phys, fhat, c2, axes)
            for k in range(m):
                na_k = g[k] * fhat[k]
                Na[k] = na_k
                spec[k] = mask[k] * (E2[k] * v[k] + Q[k] * na_k)
            # N(b); c = E2 a + Q (2 N(b) - N(u)); Na <- N(a) + N(b)
            _nonlinear_fft(spec, phys, fhat, c2, axes)
            for k in range(m):
                nb_k = g[k] * fhat[k]
                spec[k] = mask[k] * (E2[k] * a[k] + Q[k] * (2.0 * nb_k - Nu[k]))
                Na[k] = Na[k] + nb_k
            # N(c); u <- E u + f1 N(u) + 2 f2 (N(a) + N(b)) + f3 N(c)
            _nonlinear_fft(spec, phys, fhat, c2, axes)
            for k in range(m):
                nc_k = g[k] * fhat[k]
                vk = E[k] * v[k] + Nu[k] * f1[k] + 2.0 * Na[k] * f2[k] + nc_k * f3[k]
                v[k] = vk
                spec[k] = mask[k] * vk


class FusedETDRK4Burgers1D:
    """Preallocated work arrays and coefficients for :func:`etdrk4_burgers_1d` at one step ``h``."""

    def __init__(self, coefficients: dict, mask: np.ndarray, ik: np.ndarray, c2: float, n: int):
        c = coefficients
        self.E, self.E2, self.Q, self.f1, self.f2, self.f3 = (np.ascontiguousarray(c[k], dtype=float)
                                                              for k in ("E", "E2", "Q", "f1", "f2", "f3"))
        self.mask = np.ascontiguousarray(mask, dtype=float)
        self.g = np.ascontiguousarray(-ik, dtype=complex)
        self.c2 = float(c2)
        m = self.mask.shape[0]
        self.spec, self.fhat, self.Nu, self.Na, self.a = (np.zeros(m, dtype=complex) for _ in range(5))
        self.phys = np.zeros(n)

    def __call__(self, v: np.ndarray, nsteps: int) -> None:
        """Advance the ``rfft`` coefficients ``v`` (contiguous complex) by ``nsteps`` steps in place."""
        etdrk4_burgers_1d(v, int(nsteps), self.E, self.E2, self.Q, self.f1, self.f2, self.f3, self.mask, self.g,
                          self.c2, self.spec, self.phys, self.fhat, self.Nu, self.Na, self.a)
