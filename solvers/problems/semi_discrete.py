"""A problem's semi-discrete system ``dy/dt = F(t, y)`` for ``scipy.integrate.solve_ivp`` (method of lines).

The work-precision study's peer: the *same* spatial discretisation as gridshock's own steppers, integrated in
time by scipy's adaptive ``Radau``, ``BDF`` or ``DOP853``. ``y`` is the flattened physical field:

* heat, stencils: ``F = L y + b(t)`` with ``L`` the stencil matrix (closures folded in, ``nu`` included) and
  ``b(t)`` the boundary data's contribution (:meth:`StencilDiffusion.boundary_term`); the Jacobian is ``L``;
* heat, Fourier: ``F = IFFT(-nu |k|^2 FFT(y))``; dense Jacobian (scipy differences it);
* Burgers, finite differences: the operator's ``full_rhs`` (numerical flux + diffusion + wall data at ``t``),
  the kernels the explicit Runge-Kutta steppers call; the Jacobian's sparsity is the stencil's band
  (``g`` ghost layers, wrapped when periodic; in 2D the Kronecker sum of the axis bands, both components
  coupled), so Radau/BDF difference it in ``O(g)`` grouped evaluations;
* Burgers, Fourier: ``F = IFFT(full_rhs(FFT(y)))`` (2/3-rule dealiased), dense Jacobian.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import scipy.sparse as sp

from ..equations.burgers import SpectralBurgers
from ..equations.heat import SpectralDiffusion


@dataclass
class SemiDiscrete:
    """``dy/dt = rhs(t, y)`` on the flattened field; ``jac`` (exact) or ``jac_sparsity`` (for differencing)."""

    rhs: Callable[[float, np.ndarray], np.ndarray]
    y0: np.ndarray
    shape: tuple
    jac: sp.csr_matrix | None = None
    jac_sparsity: sp.csr_matrix | None = None


def semi_discrete(problem) -> SemiDiscrete:
    """The method-of-lines system of an initial-value problem (heat, Burgers: ``problem.semi_discrete()``; an
    MFG problem is not an initial-value one)."""
    return problem.semi_discrete()


def heat_system(problem) -> SemiDiscrete:
    """``F = L y + b(t)`` (stencils) or the Fourier symbol (spectral) of a heat problem."""
    u0 = np.ascontiguousarray(problem.initial_condition(), dtype=float)
    op = problem.operator
    if isinstance(op, SpectralDiffusion):
        axes = tuple(range(u0.ndim))

        def rhs(t, y):
            return np.fft.irfftn(op.symbol * np.fft.rfftn(y.reshape(u0.shape)), s=u0.shape, axes=axes).ravel()
        return SemiDiscrete(rhs, u0.ravel().copy(), u0.shape)
    L = op.matrix().tocsr()
    b0 = op.boundary_term(0.0)

    def rhs(t, y):
        b = op.boundary_term(t) if op.time_dependent else b0
        return L @ y + b
    return SemiDiscrete(rhs, u0.ravel().copy(), u0.shape, jac=L)


def burgers_system(problem) -> SemiDiscrete:
    """The operator's ``full_rhs`` (flux, diffusion, wall data at ``t``) of a Burgers problem."""
    u0 = np.ascontiguousarray(problem.initial_condition(), dtype=float)
    op = problem.operator
    if isinstance(op, SpectralBurgers):
        out = np.empty_like(op.to_state(u0))

        def rhs(t, y):
            op.full_rhs(op.to_state(y.reshape(u0.shape)), t, None, out)
            return op.to_physical(out).ravel()
        return SemiDiscrete(rhs, u0.ravel().copy(), u0.shape)
    out = np.empty_like(u0)

    def rhs(t, y):
        off = op.boundary_table(np.asarray(float(t))) if op.time_dependent else None
        op.full_rhs(np.ascontiguousarray(y.reshape(u0.shape)), t, off, out)
        return out.ravel().copy()          # solve_ivp keeps the returned arrays
    return SemiDiscrete(rhs, u0.ravel().copy(), u0.shape, jac_sparsity=stencil_sparsity(
        problem.grid.points, op.g, op.periodic, components=1 if problem.grid.dim == 1 else 2))


def _band(n: int, width: int, periodic: bool) -> sp.csr_matrix:
    """``n x n`` pattern of a centred stencil reaching ``width`` points each way (wrapped when periodic)."""
    offsets = range(-width, width + 1)
    rows = np.repeat(np.arange(n), len(offsets))
    cols = (rows.reshape(n, -1) + np.array(list(offsets))[None, :]).ravel()
    keep = np.ones(cols.size, dtype=bool) if periodic else (cols >= 0) & (cols < n)
    cols = cols % n
    return sp.csr_matrix((np.ones(keep.sum()), (rows[keep], cols[keep])), shape=(n, n))


def stencil_sparsity(points, width: int, periodic, components: int = 1) -> sp.csr_matrix:
    """Jacobian pattern of a stencil operator on the flattened (``ij``, x slowest; component slowest) field."""
    bands = [_band(int(n), int(width), bool(p)) for n, p in zip(points, periodic)]
    if len(bands) == 1:
        S = bands[0]
    else:
        nx, ny = (int(n) for n in points)
        S = sp.kron(bands[0], sp.identity(ny)) + sp.kron(sp.identity(nx), bands[1])
    full = sp.kron(np.ones((components, components)), S) if components > 1 else S
    full = full.tocsr()
    full.data[:] = 1.0
    return full
