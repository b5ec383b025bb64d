"""Monotone finite differences of the HJB-Fokker-Planck system (ANALYTIC.md §6), 1D and 2D.

System (quadratic Hamiltonian ``H(p) = |p|^2/2``, optimal drift ``-grad phi``)::

    -phi_t - nu Lap phi + H(grad phi) = F(x, m(t)),   phi(T) = G(x)
     m_t  - nu Lap m   - div(m grad phi) = 0,         m(0) = m_0

Space (Achdou & Capuzzo-Dolcetta, SIAM J. Numer. Anal. 48, 2010): one-sided differences
``D+ phi_i = (phi_{i+1} - phi_i)/h``, ``D- phi_i = (phi_i - phi_{i-1})/h`` per axis and the Godunov (upwind)
numerical Hamiltonian ``H_h = sum_axes (1/2)[min(D+ phi, 0)^2 + max(D- phi, 0)^2]``, monotone (nonincreasing
in ``D+``, nondecreasing in ``D-``) and consistent, first order. Its linearisation in a direction ``psi`` is
``L_phi psi = sum_axes min(D+ phi, 0) D+ psi + max(D- phi, 0) D- psi``; the Fokker-Planck transport is its
**exact adjoint** ``L_phi^T m`` (the discrete ``-div(m grad phi)``), so the discrete FP conserves
``h^d sum m`` exactly (``L_phi 1 = 0``) and keeps ``m >= 0`` (``I/dt - nu Lap + L_phi^T`` is an M-matrix).

Boundaries: ``periodic`` (wrap), ``zero_flux`` (reflecting ghost cells: no diffusive or transport flux through
the faces) and ``exact`` (the HJB reads Dirichlet ghost values of ``phi`` from the closed form; the FP keeps zero
flux through the faces so that mass is conserved to round-off; valid where ``m`` is negligible at the faces).
With ``periodic`` / ``zero_flux`` the FP matrix is exactly the transpose of the linearised HJB matrix.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import scipy.sparse as sp

from ..grids import BoundaryCondition, UniformGrid
from ..registry import Registry
from .heat import StencilDiffusion
from .mfg_spectral import SpectralMFGOperators, imex_dt_limit
from .space import SPACE_SCHEMES


def _axis_differences(n: int, h: float, kind: str) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """1D ``D+`` and ``D-`` (``n x n``) with the closure folded in (``exact``: homogeneous part, zero ghosts)."""
    e = np.ones(n)
    Dp = sp.diags([-e, e[:-1]], [0, 1], shape=(n, n), format="lil")
    Dm = sp.diags([e, -e[:-1]], [0, -1], shape=(n, n), format="lil")
    if kind == "periodic":
        Dp[n - 1, 0] = 1.0
        Dm[0, n - 1] = -1.0
    elif kind == "zero_flux":           # ghost = last interior value: no face gradient
        Dp[n - 1, n - 1] = 0.0
        Dm[0, 0] = 0.0
    return Dp.tocsr() / h, Dm.tocsr() / h


class MFGOperators:
    """Sparse difference operators of the MFG on a grid (flattened ``ij`` order), built once.

    ``matrix_free = False``: the sweeps assemble and solve the sparse level matrices, and ``newton`` eliminates
    its sparse Jacobian level by level (:mod:`solvers.integrators.mfg_newton`)."""

    matrix_free = False

    def __init__(self, grid: UniformGrid, bcs: list[BoundaryCondition], nu: float, phi_boundary=None):
        self.grid, self.bcs, self.nu, self.dim = grid, bcs, float(nu), grid.dim
        self.size = grid.size
        self.cell = grid.cell_volume
        self.exact_walls = any(bc.kind == "exact" for bc in bcs)
        if self.exact_walls and phi_boundary is None:
            raise ValueError("'exact' boundaries need the closed-form phi")
        self.phi_boundary = phi_boundary
        fp_bcs = [bc if bc.kind != "exact" else BoundaryCondition("zero_flux") for bc in bcs]
        central2 = SPACE_SCHEMES.get("central2")
        # phi_boundary(x, t) takes one time; the ghost tables are built one time level at a time
        values = None if phi_boundary is None else (lambda x, tt: phi_boundary(x, float(np.ravel(tt)[0])))
        self.hjb_diffusion = StencilDiffusion(grid, bcs, central2, self.nu, boundary_values=values)
        self.fp_diffusion = StencilDiffusion(grid, fp_bcs, central2, self.nu)
        self.lap_hjb = self.hjb_diffusion.matrix().tocsr()         # nu Lap with the HJB closure
        self.lap_fp = self.fp_diffusion.matrix().tocsr()           # nu Lap, zero flux / periodic
        self.Dp, self.Dm, self.Dp0, self.Dm0 = [], [], [], []
        eye = [sp.identity(n, format="csr") for n in grid.points]
        for ax, (n, h, bc) in enumerate(zip(grid.points, grid.spacing, bcs)):
            dp, dm = _axis_differences(n, h, bc.kind)
            dp0, dm0 = _axis_differences(n, h, "zero_flux" if bc.kind == "exact" else bc.kind)
            for mats, A in ((self.Dp, dp), (self.Dm, dm), (self.Dp0, dp0), (self.Dm0, dm0)):
                mats.append(self._embed(A, ax, eye))
        self.x = [np.broadcast_to(ax.reshape([-1 if d == k else 1 for d in range(grid.dim)]), grid.points).ravel()
                  for k, ax in enumerate(grid.axes)]

    def _embed(self, A, axis, eye):
        if self.dim == 1:
            return A.tocsr()
        return (sp.kron(A, eye[1]) if axis == 0 else sp.kron(eye[0], A)).tocsr()

    # -- boundary data of phi ('exact') ----------------------------------------------------------------
    def phi_offsets(self, t: float):
        """Affine parts at time ``t``: per axis ``(b+, b-)`` of ``D+ phi``, ``D- phi`` and ``b`` of ``nu Lap``."""
        zero = np.zeros(self.size)
        if not self.exact_walls:
            return [(zero, zero)] * self.dim, zero
        bp, bm = [], []
        for ax, (bc, h) in enumerate(zip(self.bcs, self.grid.spacing)):
            p, m = np.zeros(self.grid.points), np.zeros(self.grid.points)
            if bc.kind == "exact":
                lo = self.phi_boundary(self.grid.ghost_coordinates(ax, 0, 1)[0], t)
                hi = self.phi_boundary(self.grid.ghost_coordinates(ax, 1, 1)[0], t)
                idx_hi = [slice(None)] * self.dim
                idx_lo = [slice(None)] * self.dim
                idx_hi[ax], idx_lo[ax] = -1, 0
                p[tuple(idx_hi)] = hi / h
                m[tuple(idx_lo)] = -lo / h
            bp.append(p.ravel()); bm.append(m.ravel())
        return list(zip(bp, bm)), self.hjb_diffusion.boundary_term(t)

    # -- Hamiltonian -----------------------------------------------------------------------------------
    def gradients(self, phi: np.ndarray, offsets):
        """``[(p+, p-)]`` per axis."""
        return [(Dp @ phi + bp, Dm @ phi + bm) for Dp, Dm, (bp, bm) in zip(self.Dp, self.Dm, offsets)]

    @staticmethod
    def hamiltonian(grads) -> np.ndarray:
        """Godunov ``H_h = sum (1/2)[min(p+, 0)^2 + max(p-, 0)^2]``."""
        return sum(0.5 * (np.minimum(p, 0.0) ** 2 + np.maximum(m, 0.0) ** 2) for p, m in grads)

    def linearised(self, grads) -> sp.csr_matrix:
        """``L_phi = sum min(p+, 0) D+ + max(p-, 0) D-`` (the HJB's Jacobian of ``H_h``)."""
        L = None
        for (p, m), Dp, Dm in zip(grads, self.Dp, self.Dm):
            term = sp.diags(np.minimum(p, 0.0)) @ Dp + sp.diags(np.maximum(m, 0.0)) @ Dm
            L = term if L is None else L + term
        return L.tocsr()

    def transport(self, grads) -> sp.csr_matrix:
        """The FP transport ``L_phi^T`` with zero-flux faces (``exact`` walls): the adjoint of the linearised
        HJB operator, built from the same face coefficients."""
        L = None
        for (p, m), Dp, Dm in zip(grads, self.Dp0, self.Dm0):
            term = sp.diags(np.minimum(p, 0.0)) @ Dp + sp.diags(np.maximum(m, 0.0)) @ Dm
            L = term if L is None else L + term
        return L.T.tocsr()

    def transport_jacobian(self, grads, m: np.ndarray) -> sp.csr_matrix:
        """``d (L_phi^T m) / d phi``: ``sum D+0^T diag(m [p+ < 0]) D+ + D-0^T diag(m [p- > 0]) D-``."""
        J = None
        for (p, q), Dp, Dm, Dp0, Dm0 in zip(grads, self.Dp, self.Dm, self.Dp0, self.Dm0):
            term = Dp0.T @ sp.diags(m * (p < 0.0)) @ Dp + Dm0.T @ sp.diags(m * (q > 0.0)) @ Dm
            J = term if J is None else J + term
        return J.tocsr()

    def mass(self, m: np.ndarray) -> float:
        return float(m.sum() * self.cell)

    def mean(self, m: np.ndarray) -> np.ndarray:
        """``mbar = h^d sum x m`` per coordinate."""
        return np.array([self.cell * float(x @ m) for x in self.x])


# ------------------------------------------------------------------ the registered space schemes
def no_dt_limit(*_) -> tuple[float, str]:
    """An ``auto_dt_limit`` that restricts nothing: ``(inf, "")``."""
    return math.inf, ""


@dataclass(frozen=True)
class MFGSpaceScheme:
    """One registered ``method.space`` of ``equation = "mfg"``: what it is and everything that depends on it.

    ``operators``: the operators class, built by :meth:`build_operators` (``matrix_free`` on it: the sweeps use
    the operators' own steps and ``newton`` runs Newton-Krylov); ``periodic_only``: needs ``grid.boundary =
    "periodic"`` on every axis; ``time_schemes``: the ``method.time`` names it runs with (None: all), and why;
    ``needs_terminal``: the only ``mfg.terminal`` it takes (None: any), and why; ``auto_dt_limit(ops, G, nu)``:
    the bound of ``dt = "auto"`` from its stability, ``(dt or inf, rule text)``."""

    name: str
    order: float
    description: str
    source: str
    operators: type
    periodic_only: bool = False
    time_schemes: tuple[str, ...] | None = None
    time_schemes_why: str = ""
    needs_terminal: str | None = None
    needs_terminal_why: str = ""
    auto_dt_limit: Callable[..., tuple[float, str]] = no_dt_limit

    def build_operators(self, grid: UniformGrid, bcs: list[BoundaryCondition], nu: float, phi_boundary=None):
        """The operators on ``grid`` (``phi_boundary(x, t)``: the closed-form phi read by ``exact`` walls)."""
        return self.operators(grid, bcs, nu, phi_boundary)

    @property
    def newton_krylov(self) -> bool:
        """``newton`` runs matrix-free Newton-Krylov (no sparse Jacobian to eliminate)."""
        return self.operators.matrix_free


MFG_SPACE_SCHEMES: Registry[MFGSpaceScheme] = Registry("space")
MFG_SPACE_SCHEMES.add(MFGSpaceScheme(
    "godunov", 1, "monotone upwind (Godunov) Hamiltonian, FP as the exact adjoint (Achdou & Capuzzo-Dolcetta 2010)",
    "Y. Achdou & I. Capuzzo-Dolcetta, Mean field games: numerical methods, SIAM J. Numer. Anal. 48 (2010) "
    "1136-1162", MFGOperators))
MFG_SPACE_SCHEMES.add(MFGSpaceScheme(
    "spectral", np.inf, "Fourier pseudo-spectral (periodic), 2/3-rule dealiasing, IMEX Euler: implicit diffusion",
    "S. A. Orszag, On the elimination of aliasing in finite-difference schemes by filtering high-wavenumber "
    "components, J. Atmos. Sci. 28 (1971) 1074 (the 2/3 rule); U. M. Ascher, S. J. Ruuth & B. T. R. Wetton, "
    "Implicit-explicit methods for time-dependent PDEs, SIAM J. Numer. Anal. 32 (1995) 797-823 (IMEX Euler)",
    SpectralMFGOperators, periodic_only=True, time_schemes=("implicit_euler",), time_schemes_why="IMEX Euler",
    needs_terminal="data_log_density",
    needs_terminal_why="a periodic terminal cost: -log of the periodic data mixture", auto_dt_limit=imex_dt_limit))
