"""The two sides ``p = p_A + p_B`` of the binary split, evolved by the run's own solver (ANALYTIC.md §3, §7).

The heat equation is linear, so each side is a heat solution of its own; the score of each side is a Burgers
solution of its own. A run therefore integrates the two sides beside ``p`` (or ``u``) with the same grid,
boundaries, schemes and step (:meth:`HeatProblem.side`, :meth:`BurgersProblem.side`), and the measurement reads
``r = log p_A - log p_B`` and ``grad r = u_A - u_B`` from these computed fields, never from the closed form.

* heat: ``log p_i`` is the log of the computed side density; ``u_i = grad log p_i`` by the run's difference
  operator (:func:`~solvers.measurements.derivatives.score_from_density`).
* Burgers: ``u_i`` is the computed side score; ``log p_i`` is its potential (Cole–Hopf: ``p_i ∝ exp(int u_i)``)
  normalised to the side's mass ``W_i = sum of its weights`` (conserved by the heat flow): ``int u_i`` by the
  antiderivative of a not-a-knot cubic spline (order 4), the mass by the spline's integral between the outer
  cell centres plus the tails beyond, extrapolated as Gaussians from ``(log p_i, u_i, du_i/dx)`` at the outer
  centres (exact for a Gaussian side; Mills ratio via ``scipy.special.erfcx``). Periodic axes: the rectangle
  rule over the period (spectrally accurate). 2D: the potential is integrated along ``y`` from the first row
  and along ``x`` on that row (the field is curl-free to the scheme's order), the tails of the edges and
  corners extrapolated the same way per axis.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.interpolate import CubicSpline
from scipy.special import erfcx

from ..closed_forms.binary import BinarySplit
from ..hooks import RunHooks
from ..integrators.time_loop import integrate
from ..measurements.derivatives import derivative, score_from_density


@dataclass
class Sides:
    """Per save: ``log_a``, ``log_b`` (``log p_A``, ``log p_B``; NaN where a computed side density is not
    positive) and ``grad_r = u_A - u_B`` (2D: trailing vector axis); ``solve_s`` the two integrations."""

    log_a: np.ndarray
    log_b: np.ndarray
    grad_r: np.ndarray
    solve_s: float
    how: str

    @property
    def log_ratio(self) -> np.ndarray:
        return self.log_a - self.log_b


def sides_defined(problem) -> str | None:
    """Why the sides of this run are not heat solutions of their own (a constant non-zero wall datum belongs to
    neither side), or None."""
    for bc in problem.bcs:
        if bc.kind in ("dirichlet", "neumann") and bc.value != 0.0:
            return f"grid.boundary {bc.kind} with boundary_value {bc.value:g} is no sum of two side data"
    return None


def evolve_sides(problem, split: BinarySplit) -> Sides:
    """Integrate both sides with the run's solver; their log-densities and ``grad r`` at every save."""
    t0 = time.perf_counter()
    runs = [integrate(problem.side(part), RunHooks()) for part in (split.part_a, split.part_b)]
    solve_s = time.perf_counter() - t0
    grid = problem.grid
    if not hasattr(problem, "score_of"):       # the run evolves densities (heat), else scores (Burgers)
        logs, scores = [], []
        for run in runs:
            with np.errstate(divide="ignore", invalid="ignore"):
                logs.append(np.where(run.fields >= 0, np.log(np.abs(run.fields)), np.nan))
            scores.append(score_from_density(run.fields, grid.spacing, problem.space.name, problem.periodic,
                                             leading=1))
        how = (f"both sides integrated by the run's solver ({problem.space.name} + {problem.scheme.name}); "
               f"log p_i of the computed densities, u_i by the {problem.space.name} derivative of log p_i")
    else:
        scores = [problem.score_of(run.fields) for run in runs]
        masses = [float(np.sum(part.weights)) for part in (split.part_a, split.part_b)]
        logs = [np.stack([log_density_of_score(u, grid, problem.periodic, w, problem.derivative_scheme)
                          for u in U]) for U, w in zip(scores, masses)]
        how = (f"both side scores integrated by the run's solver ({problem.space.name} + {problem.scheme.name}); "
               "log p_i = Cole-Hopf potential of u_i (spline antiderivative) normalised to the side mass "
               "(Gaussian tails beyond the outer cells)")
    return Sides(logs[0], logs[1], scores[0] - scores[1], solve_s, how)


def _tail(log_end: np.ndarray, slope: np.ndarray, curvature: np.ndarray) -> np.ndarray:
    """``log int_0^inf exp(log_end + slope y + curvature y^2/2) dy`` (outward ``y``), elementwise: a Gaussian
    tail where ``curvature < 0`` (Mills ratio), an exponential one where only ``slope < 0``, else NaN."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        sigma = np.sqrt(-1.0 / curvature)
        gauss = log_end + np.log(sigma * np.sqrt(0.5 * np.pi) * erfcx(-slope * sigma / np.sqrt(2.0)))
        expo = log_end - np.log(-slope)
    return np.where(curvature < 0, gauss, np.where(slope < 0, expo, np.nan))


def _potential_1d(u: np.ndarray, x: np.ndarray, periodic: bool) -> np.ndarray:
    if periodic:      # the rectangle rule's antiderivative is not needed: integrate the Fourier series
        n, h = x.size, x[1] - x[0]
        k = 2 * np.pi * np.fft.rfftfreq(n, d=h)
        u_hat = np.fft.rfft(u)
        mean = u_hat[0].real / n
        with np.errstate(divide="ignore", invalid="ignore"):
            phi_hat = np.where(k > 0, u_hat / (1j * k), 0.0)
        if n % 2 == 0:
            phi_hat[-1] = 0.0
        return np.fft.irfft(phi_hat, n=n) + mean * (x - x[0])
    return CubicSpline(x, u).antiderivative()(x)


def _log_mass_1d(phi: np.ndarray, u: np.ndarray, ux: np.ndarray, x: np.ndarray, periodic: bool) -> float:
    top = float(np.max(phi))
    if periodic:
        return top + float(np.log(np.sum(np.exp(phi - top)) * (x[1] - x[0])))
    inner = float(CubicSpline(x, np.exp(phi - top)).integrate(x[0], x[-1]))
    left = _tail(np.array(phi[0] - top), np.array(-u[0]), np.array(ux[0]))
    right = _tail(np.array(phi[-1] - top), np.array(u[-1]), np.array(ux[-1]))
    return top + float(np.log(inner + np.exp(left) + np.exp(right)))


def log_density_of_score(u: np.ndarray, grid, periodic, mass: float, scheme: str) -> np.ndarray:
    """``log p`` from a score field ``u = grad log p`` (one save; 2D: trailing vector axis), normalised to
    ``int p = mass`` over the whole space (see the module docstring)."""
    if not np.all(np.isfinite(u)):
        return np.full(u.shape[:grid.dim], np.nan)
    if grid.dim == 1:
        x = grid.axes[0]
        phi = _potential_1d(u, x, periodic[0])
        ux = derivative(u, 0, grid.spacing[0], scheme, periodic[0])
        return phi - _log_mass_1d(phi, u, ux, x, periodic[0]) + np.log(mass)
    x, y = grid.axes
    column = np.stack([_potential_1d(u[i, :, 1], y, periodic[1]) for i in range(x.size)])
    column -= column[:, :1]
    row = _potential_1d(u[:, 0, 0], x, periodic[0])
    phi = row[:, None] + column
    return phi - _log_mass_2d(phi, u, grid, periodic, scheme) + np.log(mass)


def _log_mass_2d(phi, u, grid, periodic, scheme) -> float:
    x, y = grid.axes
    top = float(np.max(phi))
    e = np.exp(phi - top)
    # integrate along y per column (with the y tails), then along x (with the x tails of those sums)
    uy_y = derivative(u[..., 1], 1, grid.spacing[1], scheme, periodic[1])
    ux_x = derivative(u[..., 0], 0, grid.spacing[0], scheme, periodic[0])
    col = np.array([_log_mass_1d(phi[i] - top, u[i, :, 1], uy_y[i], y, periodic[1]) for i in range(x.size)])
    if periodic[0]:
        return top + float(np.log(np.sum(np.exp(col)) * (x[1] - x[0])))
    inner = float(CubicSpline(x, np.exp(col)).integrate(x[0], x[-1]))
    # the x tails of every row integrated along y: log of sum over rows of exp(tail)
    del e
    left_rows = _tail(phi[0] - top, -u[0, :, 0], ux_x[0])
    right_rows = _tail(phi[-1] - top, u[-1, :, 0], ux_x[-1])
    left = _log_mass_1d(left_rows, u[0, :, 1], uy_y[0], y, periodic[1])
    right = _log_mass_1d(right_rows, u[-1, :, 1], uy_y[-1], y, periodic[1])
    return top + float(np.log(inner + np.exp(left) + np.exp(right)))
