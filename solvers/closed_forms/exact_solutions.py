"""Exact solutions for convergence-order tests beyond mixtures (ANALYTIC.md section 5).

These are written for a general diffusivity ``nu`` (heat ``p_t = nu Lap p``, Burgers ``v_t + v v_x = nu v_xx``);
the diffusion-model convention is ``nu = 1/2`` (VE time = added variance, score ``u = grad log p = -v``).
"""
from __future__ import annotations

import numpy as np

__all__ = ["heat_sine_mode", "heat_sine_mode_2d", "travelling_shock", "cole_hopf_burgers"]


def heat_sine_mode(x, t, nu, k, phase=0.0):
    """``theta(x, t) = sin(k x + phase) exp(-nu k^2 t)``: solves ``theta_t = nu theta_xx`` (ANALYTIC §5);
    periodic on any interval whose length is a multiple of ``2 pi / k``."""
    x = np.asarray(x, dtype=np.float64)
    return np.sin(k * x + phase) * np.exp(-nu * k * k * t)


def heat_sine_mode_2d(x, y, t, nu, kx, ky):
    """``theta(x, y, t) = sin(kx x) sin(ky y) exp(-nu (kx^2 + ky^2) t)``: solves ``theta_t = nu Lap theta``
    (ANALYTIC §5, products of 1D modes). ``x`` and ``y`` broadcast against each other (e.g. ``meshgrid``)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return np.sin(kx * x) * np.sin(ky * y) * np.exp(-nu * (kx * kx + ky * ky) * t)


def travelling_shock(x, t, nu, c, A, x0):
    """Viscous Burgers travelling shock ``v = c - A tanh(A (x - c t - x0)/(2 nu))``, a solution of
    ``v_t + v v_x = nu v_xx`` (ANALYTIC §5): speed ``c``, jump ``2A`` (``A > 0``: ``v`` goes from ``c + A`` to
    ``c - A``, an entropy shock), width ``2 nu / A``."""
    x = np.asarray(x, dtype=np.float64)
    return c - A * np.tanh(A * (x - c * t - x0) / (2.0 * nu))


def cole_hopf_burgers(theta, theta_x, nu):
    """Cole-Hopf: ``v = -2 nu theta_x / theta`` solves ``v_t + v v_x = nu v_xx`` when ``theta > 0`` solves
    ``theta_t = nu theta_xx`` (ANALYTIC §5). With ``nu = 1/2`` and ``theta = p``: ``v = -u``, minus the score."""
    return -2.0 * nu * np.asarray(theta_x, dtype=np.float64) / np.asarray(theta, dtype=np.float64)
