"""The linear part ``L`` of the split systems ``w' = L w + b(t) + N(w, t)`` as the time schemes need it.

:mod:`solvers.equations.burgers` states ``L`` as data: the finite-difference operators give the diffusion's
matrix at ``nu = 1`` (whole or per axis, boundary closure folded in) and ``b(t)`` (``boundary_term``), the
spectral one the diagonal symbol ``-nu |k|^2``. Built from that here, once per operator and shared by all its
steppers (a weak cache: dropped with the operator):

* ``implicit_solve(w, gdt, t, off)``: ``w <- (I - gdt L(t))^{-1} (w + gdt b(t))`` in place, for the IMEX and
  CNAB2 steppers. Finite differences: ``I - s L1`` (``s = gdt nu(t)``) factored once per ``s`` and a few kept
  (1D ``central2``: the numba Thomas kernel, cyclic when periodic; otherwise ``scipy.sparse.linalg.splu``).
  Spectral: a division by ``1 - gdt symbol``.
* ``etd_plan(h, phi)``: the ETDRK4 coefficients of ``h L`` (``phi``: the scheme's tabulating function,
  :func:`solvers.kernels.etd.etdrk4_coefficients`) in the basis where ``L`` is diagonal (Fourier modes, or the
  finite-difference eigenvectors of :class:`~solvers.kernels.etd.AxisDiagonalisation`, computed once per
  operator); constant coefficients only.
* ``nonlinear_with_boundary(w, t, off, out)``: ``N(w, t) + b(t)``, the forcing ETDRK4 treats explicitly.

:func:`fused_etdrk4` gives the whole ETDRK4 step loop of the 1D spectral operator in one numba function
(:class:`solvers.kernels.spectral.FusedETDRK4Burgers1D`), or ``None`` where there is none.
"""
from __future__ import annotations

import weakref

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..equations.burgers import SpectralBurgers
from ..kernels.etd import AxisDiagonalisation, ETDPlan, etdrk4_coefficients
from ..kernels.tridiagonal import TridiagonalFactor, cyclic_solve


class ImplicitCache:
    """Factorisations of ``I - s L1`` keyed by ``s`` (``L1`` the diffusion at ``nu = 1``); a few kept."""

    def __init__(self, matrix: sp.csr_matrix, tridiagonal: bool, cyclic: bool, keep: int = 4):
        self.L1, self.tridiagonal, self.cyclic, self.keep = matrix, tridiagonal, cyclic, keep
        self._cache: dict[float, object] = {}

    def solver(self, s: float):
        if s not in self._cache:
            if len(self._cache) >= self.keep:
                self._cache.pop(next(iter(self._cache)))
            M = (sp.identity(self.L1.shape[0]) - s * self.L1).tocsc()
            if self.tridiagonal:
                n = M.shape[0]
                lower, upper = np.zeros(n), np.zeros(n)
                lower[1:], upper[:-1] = M.diagonal(-1), M.diagonal(1)
                if self.cyclic:
                    lower[0], upper[-1] = M[0, n - 1], M[n - 1, 0]
                self._cache[s] = TridiagonalFactor(lower, M.diagonal().copy(), upper, self.cyclic)
            else:
                self._cache[s] = spla.splu(M)
        return self._cache[s]

    def solve(self, s: float, rhs: np.ndarray) -> None:
        """Overwrites ``rhs`` (flattened view) with ``(I - s L1)^{-1} rhs``."""
        f = self.solver(s)
        if self.tridiagonal:
            cyclic_solve(*f.arrays(), rhs)
        else:
            rhs[...] = f.solve(rhs.ravel()).reshape(rhs.shape)


class StencilLinear:
    """``L`` of a finite-difference Burgers operator (:class:`~solvers.equations.burgers.FluxBurgers1D`,
    :class:`~solvers.equations.burgers.VectorBurgers2D`)."""

    def __init__(self, op):
        self.op = op
        self._implicit: ImplicitCache | None = None
        self._etd: dict = {}
        self._diagonalisation = None

    def _has_boundary_term(self) -> bool:
        return self.op.time_dependent or not all(self.op.periodic)

    def implicit_solve(self, w: np.ndarray, gdt: float, t: float, off) -> None:
        """``w <- (I - gdt L(t))^{-1} (w + gdt b(t))`` in place."""
        op = self.op
        nu = op.coefs.at(t)[0]
        if self._has_boundary_term():
            b = op.boundary_term(t, off)
            w += gdt * b
        s = gdt * nu
        if self._implicit is None:
            dim = op.grid.dim
            self._implicit = ImplicitCache(op.diffusion_matrix(), dim == 1 and op.diff.ghost_layers == 1,
                                           op.periodic[0] and dim == 1)
        if op.components == 1:
            self._implicit.solve(s, w)
        else:
            for c in range(op.components):
                self._implicit.solve(s, w[c])

    def etd_plan(self, h: float, phi=etdrk4_coefficients) -> ETDPlan:
        op = self.op
        if not op.coefs.constant:
            raise ValueError("etdrk4 needs a time-independent linear part (the VP linear schedule has "
                             "diffusivity beta(t)/2)")
        if (h, phi) not in self._etd:
            if self._diagonalisation is None:      # once per operator; only the phi tables depend on h
                nu = op.coefs.at(0.0)[0]
                self._diagonalisation = AxisDiagonalisation(
                    [nu * op.diffusion_matrix(ax).toarray() for ax in range(op.grid.dim)])
            diag = self._diagonalisation
            self._etd = {(h, phi): ETDPlan(phi(h * diag.eigenvalues, h), diag, op.components)}
        return self._etd[(h, phi)]

    def nonlinear_with_boundary(self, w, t, off, out) -> None:
        """``N(w, t) + b(t)``: the part ETDRK4 treats explicitly (the boundary data of ``L`` included)."""
        self.op.nonlinear(w, t, off, out)
        if self._has_boundary_term():
            out += self.op.boundary_term(t, off)


class SpectralLinear:
    """``L`` of :class:`~solvers.equations.burgers.SpectralBurgers`: the diagonal ``symbol`` (periodic, no
    boundary data)."""

    def __init__(self, op: SpectralBurgers):
        self.op = op
        self._etd: dict = {}

    def implicit_solve(self, w, gdt, t, off) -> None:
        w /= (1.0 - gdt * self.op.symbol)

    def etd_plan(self, h: float, phi=etdrk4_coefficients) -> ETDPlan:
        if (h, phi) not in self._etd:
            self._etd = {(h, phi): ETDPlan(phi(h * self.op.symbol, h))}
        return self._etd[(h, phi)]

    def nonlinear_with_boundary(self, w, t, off, out) -> None:
        self.op.nonlinear(w, t, off, out)


_LINEAR: "weakref.WeakKeyDictionary[object, StencilLinear | SpectralLinear]" = weakref.WeakKeyDictionary()


def linear_part(op) -> StencilLinear | SpectralLinear:
    """The (cached) linear part of ``op``: shared by every stepper of that operator."""
    part = _LINEAR.get(op)
    if part is None:
        part = SpectralLinear(op) if isinstance(op, SpectralBurgers) else StencilLinear(op)
        _LINEAR[op] = part
    return part


def etd_plan(op, h: float, phi=etdrk4_coefficients) -> ETDPlan:
    """The ETDRK4 plan of ``op`` for the step ``h`` (cached per operator, see :class:`StencilLinear`)."""
    return linear_part(op).etd_plan(h, phi)


def fused_etdrk4(op, h: float, phi=etdrk4_coefficients):
    """The whole ETDRK4 step loop in one numba function with rocket-fft's FFTs
    (:class:`solvers.kernels.spectral.FusedETDRK4Burgers1D`, fresh work arrays per call): the 1D spectral
    operator with constant coefficients only; ``None`` otherwise (or without rocket-fft), and the stepper keeps
    the numpy path."""
    from ..kernels import spectral        # rocket-fft registers its numba overloads on import: only when needed
    if not isinstance(op, SpectralBurgers) or op.dim != 1 or not op.coefs.constant or not spectral.AVAILABLE:
        return None
    return spectral.FusedETDRK4Burgers1D(etd_plan(op, h, phi).c, op.mask, op.ik[0], op.coefs.at(0.0)[1],
                                         op.shape[0])
