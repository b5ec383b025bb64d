"""The heat equation ``p_t = nu Lap p`` on a uniform cell-centred grid, 1D and 2D.

Two semi-discretisations, chosen by the space scheme:

* :class:`StencilDiffusion` (``central2``, ``central4``): ``dp/dt = L p + b(t)`` where ``L`` is the centred
  Laplacian with the boundary closures of :mod:`solvers.grids.boundaries` folded in, and ``b(t)`` the affine
  boundary data. The explicit steppers apply it through numba stencil kernels, the implicit ones through its
  sparse matrix (:meth:`matrix`) factored once per ``dt``.
* :class:`SpectralDiffusion` (``spectral``): ``d p_hat/dt = -nu |k|^2 p_hat`` for every Fourier mode of a
  periodic grid; any registered time scheme acts mode by mode through its stability function.

With ``nu = 1/2`` the heat time is the VE added variance ``tau`` (ANALYTIC.md §1).
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import scipy.sparse as sp

from ..grids import BoundaryCondition, UniformGrid
from ..kernels.ghosts import fill_ghosts_1d, fill_ghosts_2d
from ..kernels.stencils import apply_stencil_1d, apply_stencil_2d
from .space import SpaceScheme

# (points, times) -> exact values; ``times`` has the leading shape of ``points`` (the point axis dropped in 2D)
BoundaryValues = Callable[[np.ndarray, np.ndarray], np.ndarray]


class StencilDiffusion:
    """``nu Lap`` by centred stencils; ghost closures per axis. Built once per grid, scheme and ``nu``.

    What the steppers (:mod:`solvers.integrators.steppers`) and kernels take from it: ``g`` ghost layers,
    ``coefs`` (per axis, ``nu`` times the entry's second-derivative weights over ``h^2``), ``periodic`` and
    ``weights`` (per axis, the affine ghost rule ``(2, g, M)``), ``offsets(times)`` (the ghost offsets),
    ``boundary_rates``, ``time_dependent`` and ``matrix()``."""

    def __init__(self, grid: UniformGrid, bcs: list[BoundaryCondition], scheme: SpaceScheme, nu: float,
                 boundary_values: BoundaryValues | None = None, boundary_rates: BoundaryValues | None = None,
                 layers: int = 0):
        if any(bc.time_dependent for bc in bcs) and boundary_values is None:
            raise ValueError("an 'exact' boundary needs the closed-form boundary values")
        self.grid, self.bcs, self.scheme, self.nu = grid, bcs, scheme, float(nu)
        # ghost layers: the stencil's own, or more when another operator (an advective flux) shares the array
        self.g = max(scheme.ghost_layers, int(layers))
        self.coefs = [self.nu * scheme.second_derivative / h ** 2 for h in grid.spacing]
        self.periodic = [bc.periodic for bc in bcs]
        self.weights = [np.ascontiguousarray(np.stack([bc.weights(self.g)] * 2)) for bc in bcs]
        self.boundary_values = boundary_values
        # d/dt of the exact boundary data: explicit Runge-Kutta stages need it for stage-consistent ghosts
        self.boundary_rates = boundary_rates
        self._ghost_points = [[grid.ghost_coordinates(ax, side, self.g) for side in (0, 1)] for ax in range(grid.dim)]
        n_along = [1] if grid.dim == 1 else [grid.points[1], grid.points[0]]
        self._constant = []
        for ax, bc in enumerate(bcs):
            off = bc.constant_offset(self.g, grid.spacing[ax])
            self._constant.append(np.ascontiguousarray(np.broadcast_to(off[None, :, None], (2, self.g, n_along[ax]))))

    @property
    def time_dependent(self) -> bool:
        return any(bc.time_dependent for bc in self.bcs)

    @property
    def spectral_radius(self) -> float:
        """Largest |eigenvalue| of ``L`` (Fourier estimate): ``nu * radius * sum_d 1/h_d^2``."""
        return self.nu * self.scheme.spectral_radius * sum(1.0 / h ** 2 for h in self.grid.spacing)

    def offsets(self, times: np.ndarray, rate: bool = False) -> list[np.ndarray]:
        """Ghost offsets at each of ``times`` (any shape ``T``): per axis an array ``T + (2, g, n_along)``
        (the ``n_along`` axis dropped in 1D). A zero-stride view when the data is time independent.
        ``rate=True``: their time derivatives instead (zero for time-independent boundaries)."""
        times = np.asarray(times, dtype=float)
        out = []
        for ax, bc in enumerate(self.bcs):
            const = self._constant[ax] if not rate else np.zeros_like(self._constant[ax])
            if bc.time_dependent:
                # one vectorised closed-form call for all times and both faces
                pts = np.stack(self._ghost_points[ax])                      # (2, g[, n_along, 2])
                spatial = pts.shape if self.grid.dim == 1 else pts.shape[:-1]
                tt = times.reshape(times.shape + (1,) * len(spatial))
                P = np.broadcast_to(pts, times.shape + pts.shape)
                source = self.boundary_rates if rate else self.boundary_values
                vals = source(P, np.broadcast_to(tt, times.shape + spatial))
                vals = vals.reshape(times.shape + const.shape)
            else:
                vals = np.broadcast_to(const, times.shape + const.shape)
            out.append(vals[..., 0] if self.grid.dim == 1 else vals)
        return out

    def boundary_term(self, t: float) -> np.ndarray:
        """``b(t)`` of ``L u + b(t)`` (flattened): the stencil applied to zero interior values, ghosts from the
        boundary data at ``t`` (zero for homogeneous closures)."""
        grid, g = self.grid, self.g
        ue = np.zeros(tuple(n + 2 * g for n in grid.points))
        out = np.zeros(grid.points)
        off = self.offsets(np.asarray(t, dtype=float))
        if grid.dim == 1:
            fill_ghosts_1d(ue, g, self.periodic[0], self.weights[0], off[0])
            apply_stencil_1d(ue, g, self.coefs[0], out)
        else:
            fill_ghosts_2d(ue, g, self.periodic[0], self.periodic[1], self.weights[0], off[0], self.weights[1], off[1])
            apply_stencil_2d(ue, g, self.coefs[0], self.coefs[1], out)
        return out.ravel()

    def axis_matrix(self, ax: int) -> sp.csr_matrix:
        """The 1D operator of one axis, closure folded in (``n x n``, sparse)."""
        n, coef = self.grid.points[ax], self.coefs[ax]
        W = self.weights[ax]
        rows, cols, vals = [], [], []
        i = np.arange(n)
        for k, c in enumerate(coef):
            j = i + k - len(coef) // 2
            inside = (j >= 0) & (j < n)
            rows.append(i[inside]); cols.append(j[inside]); vals.append(np.full(inside.sum(), c))
            for side, outside in ((0, j < 0), (1, j >= n)):
                if not outside.any():
                    continue
                ghost = (-j[outside] - 1) if side == 0 else (j[outside] - n)
                if self.periodic[ax]:
                    rows.append(i[outside]); cols.append(j[outside] % n); vals.append(np.full(outside.sum(), c))
                    continue
                for m in range(W.shape[2]):
                    w = W[side, ghost, m]
                    col = m if side == 0 else n - 1 - m
                    rows.append(i[outside]); cols.append(np.full(outside.sum(), col)); vals.append(c * w)
        A = sp.coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
        return A.tocsr()

    def matrix(self) -> sp.csr_matrix:
        """The homogeneous operator ``L`` on the flattened (``ij``, x slowest) unknowns."""
        if self.grid.dim == 1:
            return self.axis_matrix(0)
        nx, ny = self.grid.points
        return (sp.kron(self.axis_matrix(0), sp.identity(ny)) + sp.kron(sp.identity(nx), self.axis_matrix(1))).tocsr()


class SpectralDiffusion:
    """``nu Lap`` in Fourier space on a fully periodic grid: symbol ``-nu |k|^2`` on the ``rfftn`` layout."""

    def __init__(self, grid: UniformGrid, nu: float):
        self.grid, self.nu = grid, float(nu)
        ks = [2 * np.pi * np.fft.fftfreq(n, d=h) for n, h in zip(grid.points, grid.spacing)]
        ks[-1] = 2 * np.pi * np.fft.rfftfreq(grid.points[-1], d=grid.spacing[-1])
        K = np.meshgrid(*ks, indexing="ij")
        self.symbol = -self.nu * sum(k ** 2 for k in K)

    @property
    def spectral_radius(self) -> float:
        return float(-self.symbol.min())

    time_dependent = False
