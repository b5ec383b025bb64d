"""Steppers: a time scheme bound to a semi-discrete linear operator and a fixed ``dt``.

A stepper is built once per (operator, scheme, dt): work arrays are allocated, implicit matrices factored
(numba Thomas for 1D ``central2``, ``scipy.sparse.linalg.splu`` otherwise) and Fourier multipliers formed here,
never inside the time loop. ``advance(u, t, nsteps)`` moves ``u`` (in place) from ``t`` to ``t + nsteps dt``.
"""
from __future__ import annotations

import numba
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..equations.heat import SpectralDiffusion, StencilDiffusion
from ..kernels.runge_kutta import rk_advance_1d, rk_advance_2d
from ..kernels.stencils import rk_advance_2d_parallel
from ..kernels.temporal_tiling import TILE_CELLS, TILE_DEPTH, euler_tiled_1d, euler_tiled_1d_parallel
from ..kernels.threads import threads_to_use
from ..kernels.theta import theta_advance_tridiagonal, theta_rhs_1d, theta_rhs_2d
from ..kernels.tridiagonal import TridiagonalFactor
from .schemes import TimeScheme

MAX_TABLE_ENTRIES = 2_000_000   # bound on boundary-offset tables per chunk (memory, not speed)

# The 2D explicit kernel by grid size (points), from ``gridshock bench``'s ``threads_2d`` group (forward Euler,
# central2, periodic, this 2-core machine kind). Measured: the row kernel on one thread is faster than the serial
# kernel from 48^2 on in three runs (1.3x at 48^2, 2.0x at 96^2, 3.1x at 384^2-768^2; 0.99x at 32^2). A second
# thread (short-spin OpenMP wait, see kernels/threads.py), quiet machine: 1.15x at 96^2, 1.34x at 128^2,
# 1.51x at 256^2, 1.67x at 512^2, 2.2x at 1024^2; with another job on the second core it loses at every size,
# so the thread count also depends on the load (:func:`solvers.kernels.threads.threads_to_use`).
# * below PARALLEL_MIN_POINTS the serial kernel (:func:`solvers.kernels.runge_kutta.rk_advance_2d`);
# * from there the ``parallel=True`` kernel (:func:`solvers.kernels.stencils.rk_advance_2d_parallel`), whose
#   contiguous-row sweep is faster than the serial kernel's 2D views even on one thread: on one thread up to
#   THREADS_MIN_POINTS, on the free cores' threads from there.
PARALLEL_MIN_POINTS = 48 * 48
THREADS_MIN_POINTS = 128 * 128


def kernel_2d(points: int):
    """The size rule: ``(kernel, threads)`` for a 2D explicit advance on ``points`` grid points; ``threads`` is
    ``None`` for the serial kernel, else the numba thread count to run the parallel kernel with (more than one
    only from :data:`THREADS_MIN_POINTS` and while the other cores are free)."""
    if points < PARALLEL_MIN_POINTS:
        return rk_advance_2d, None
    return rk_advance_2d_parallel, (threads_to_use() if points >= THREADS_MIN_POINTS else 1)


# 1D forward Euler by grid size (points), temporally tiled (solvers/kernels/temporal_tiling.py). Measured on this
# machine kind (central2, periodic, medians of 7, ns per point and step): untiled 0.26-0.29 up to 1e5 (L1/L2),
# 0.57 at 1e6 (L3), 0.85-0.90 at 1e7 (DRAM); tiled on one thread 0.25-0.27 at every size from 4096 (0.36 at
# 1000, 0.27 at 2000); tiled on two threads 0.21 at 1000, 0.16 at 2000, 0.12-0.13 from 4096 to 1e7 (one
# fork/join per TILE_DEPTH steps, so threads pay from small grids on).
TILED_MIN_POINTS = 4096           # one thread: tiled from here
TILED_THREADS_MIN_POINTS = 1000   # free second core: tiled on the free cores' threads from here


def tile_count(points: int) -> int:
    """Tiles of a temporally tiled 1D grid: shares of about :data:`TILE_CELLS` cells, at least two."""
    return max(2, points // TILE_CELLS)


def euler_1d_kernel(points: int, stencil_half_width: int, threads: int | None = None):
    """The size rule for 1D forward Euler: ``(tiles, threads)``; ``tiles = 0`` for the untiled sweep
    (:func:`~solvers.kernels.runge_kutta.rk_advance_1d`), else that many tiles on ``threads`` threads.
    ``threads``: the threads available (default: :func:`~solvers.kernels.threads.threads_to_use`)."""
    if threads is None:
        threads = threads_to_use()
    if points < TILED_THREADS_MIN_POINTS:
        threads = 1
    tiles = tile_count(points)
    if threads == 1 and points < TILED_MIN_POINTS or points // tiles < 2 * TILE_DEPTH * stencil_half_width:
        return 0, 1                                            # small grid, or tiles too short for the halo
    return tiles, threads


def use_parallel_2d(points: int) -> bool:
    """Whether a 2D grid of ``points`` points runs the ``parallel=True`` kernel."""
    return kernel_2d(points)[1] is not None


class Stepper:
    def __init__(self, operator, scheme: TimeScheme, dt: float):
        self.operator, self.scheme, self.dt = operator, scheme, float(dt)

    def advance(self, u: np.ndarray, t: float, nsteps: int) -> None:
        raise NotImplementedError

    def _chunks(self, nsteps: int, entries_per_step: int):
        size = max(1, MAX_TABLE_ENTRIES // max(entries_per_step, 1)) if self.operator.time_dependent else nsteps
        done = 0
        while done < nsteps:
            k = min(size, nsteps - done)
            yield done, k
            done += k


def stage_boundary_weights(A: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Weights ``W`` of the stage-consistent boundary data of an explicit Runge-Kutta tableau ``(A, c)``.

    For ``u' = L u`` the stage values are ``U_i = P_i(dt L) u_n``, ``P_i(z) = sum_k beta_ik z^k`` with
    ``beta_i0 = 1``, ``beta_ik = sum_j a_ij beta_j,k-1``; at a wall where ``u = g(t)`` (and ``L^k u = g^(k)``)
    the stage value is ``sum_k beta_ik dt^k g^(k)(t_n)`` (Carpenter, Gottlieb, Abarbanel & Don 1995). With the
    rates ``g'`` at the ``m`` distinct stage times, ``g(t_n) + dt sum_j W_ij g'(t_n + c_j dt)`` matches it through
    ``dt^m``: ``sum_j W_ij c_j^q / q! = beta_i,q+1`` for ``q < m`` (a Vandermonde solve on the distinct nodes; the
    weight of a repeated stage time goes to its first column). ``W = A`` matches ``q = 0, 1`` only."""
    A, c = np.asarray(A, dtype=float), np.asarray(c, dtype=float)
    s = c.size
    beta = np.zeros((s, s + 1))
    beta[:, 0] = 1.0
    for k in range(1, s + 1):
        beta[:, k] = A @ beta[:, k - 1]
    nodes, first = np.unique(c, return_index=True)
    m = nodes.size
    q = np.arange(m)
    factorial = np.cumprod(np.concatenate([[1.0], np.arange(1, m, dtype=float)]))
    V = nodes[None, :] ** q[:, None] / factorial[:, None]          # (moment q, node)
    W = np.zeros((s, s))
    W[:, first] = np.linalg.solve(V, beta[:, 1:m + 1].T).T
    return W


class ExplicitRungeKuttaStepper(Stepper):
    """Fused explicit Runge-Kutta (:mod:`solvers.kernels.runge_kutta`).

    Time-dependent boundary data enters the stages in the form the stage itself has (Carpenter, Gottlieb,
    Abarbanel & Don, SIAM J. Sci. Comput. 16, 1995): for ``u' = L u`` stage ``i`` is ``P_i(dt L) u_n`` with the
    tableau's stage polynomial ``P_i(z) = sum_k beta_ik z^k``, so its ghost value is
    ``sum_k beta_ik dt^k g^(k)(t_n) = g(t_n) + dt sum_j W_ij g'(t_n + c_j dt)``, the weights ``W`` of
    :func:`stage_boundary_weights` (RK4: rows ``0; (1/2, 0, 0, 0); (-1/4, 1, 0, -1/4); (1/2, 0, 0, 1/2)``).
    Imposing ``g(t_n + c_i dt)`` instead is inconsistent with RK4's stage order 1, and the Butcher weights
    ``W = A`` match ``P_i`` only through ``dt^2``: with ``dt ~ h^2`` (the explicit schemes' diffusive limit)
    the observed order of RK4 falls to 2 and 3 respectively (measured against the exact semi-discrete
    solution, tests/solvers/test_heat_orders.py), 4 with ``W``. Without ``boundary_rates`` the stage-time
    data is used.

    2D grids of at least :data:`PARALLEL_MIN_POINTS` points run the ``parallel=True`` twin of the loop (contiguous
    rows, split across numba's threads from :data:`THREADS_MIN_POINTS` on; bitwise the same result); smaller ones
    the serial kernel (:func:`kernel_2d`).
    """

    def __init__(self, operator: StencilDiffusion, scheme: TimeScheme, dt: float):
        super().__init__(operator, scheme, dt)
        grid, g = operator.grid, operator.g
        self.ue = np.zeros(tuple(n + 2 * g for n in grid.points))
        self.se = np.zeros_like(self.ue)
        self.K = np.zeros((len(scheme.b),) + grid.points)
        self.A = np.ascontiguousarray(scheme.A, dtype=float)
        self.b = np.ascontiguousarray(scheme.b, dtype=float)
        self.W = stage_boundary_weights(self.A, np.asarray(scheme.c, dtype=float))
        # forward Euler in 1D: temporally tiled when large enough (the size rule, per call: euler_1d_kernel)
        self.tiled = grid.dim == 1 and self.b.size == 1 and \
            euler_1d_kernel(grid.points[0], operator.coefs[0].shape[0] // 2, threads=2)[0] > 0
        if self.tiled:
            n, r = grid.points[0], operator.coefs[0].shape[0] // 2
            m = n // tile_count(n) + 1 + 2 * max(g, TILE_DEPTH * r)    # the longest tile with its halos
            self.tile_buffers = np.empty((numba.config.NUMBA_NUM_THREADS, 2, m))
            self.work = np.empty(n)

    def advance(self, u, t, nsteps):
        op, s = self.operator, len(self.b)
        per_step = s * 2 * op.g * max(op.grid.points) * op.grid.dim
        for start, k in self._chunks(nsteps, per_step):
            off = self._stage_offsets(t + (start + np.arange(k)) * self.dt)
            if op.grid.dim == 1 and self._advance_tiled(u, k, off[0]):
                continue
            if op.grid.dim == 1:
                rk_advance_1d(u, self.ue, self.se, self.K, self.A, self.b, k, self.dt, op.g, op.periodic[0],
                              op.weights[0], off[0], op.coefs[0])
            else:
                advance_2d, threads = kernel_2d(op.grid.size)
                previous = numba.get_num_threads() if threads is not None else None
                if threads is not None:
                    numba.set_num_threads(threads)
                try:
                    advance_2d(u, self.ue, self.se, self.K, self.A, self.b, k, self.dt, op.g, op.periodic[0],
                               op.periodic[1], op.weights[0], op.weights[1], off[0], off[1], op.coefs[0], op.coefs[1])
                finally:
                    if previous is not None:
                        numba.set_num_threads(previous)

    def _advance_tiled(self, u, k, offsets) -> bool:
        """Forward Euler in 1D by temporal tiling when the size rule says so (:func:`euler_1d_kernel`; bitwise
        the untiled loop's result); False when the untiled loop is to run."""
        if not self.tiled:
            return False
        op = self.operator
        tiles, threads = euler_1d_kernel(u.shape[0], op.coefs[0].shape[0] // 2)
        if tiles == 0:
            return False
        f = self.dt * self.b[0]
        if threads == 1:
            bufs = self.tile_buffers[0]
            euler_tiled_1d(u, self.work, bufs[0], bufs[1], k, f, op.g, op.periodic[0], op.weights[0], offsets,
                           op.coefs[0], tiles, TILE_DEPTH)
            return True
        previous = numba.get_num_threads()
        numba.set_num_threads(threads)
        try:
            euler_tiled_1d_parallel(u, self.work, self.tile_buffers[:threads], k, f, op.g, op.periodic[0],
                                    op.weights[0], offsets, op.coefs[0], tiles, TILE_DEPTH)
        finally:
            numba.set_num_threads(previous)
        return True

    def _stage_offsets(self, t_steps: np.ndarray) -> list[np.ndarray]:
        op, c = self.operator, self.scheme.c
        stage_times = t_steps[:, None] + c[None, :] * self.dt
        if not op.time_dependent or op.boundary_rates is None:
            return op.offsets(stage_times)
        base = op.offsets(t_steps[:, None])                  # g(t_n), per axis (k, 1, ...)
        rates = op.offsets(stage_times, rate=True)           # g'(t_n + c_j dt), per axis (k, s, ...)
        out = []
        for g0, gdot in zip(base, rates):
            mixed = np.einsum("ij,kj...->ki...", self.W, gdot)
            out.append(np.ascontiguousarray(g0 + self.dt * mixed))
        return out


class ThetaStepper(Stepper):
    """Theta method (implicit Euler, Crank-Nicolson) with ``I - theta dt L`` factored once.

    1D ``central2``: the (cyclic) tridiagonal matrix is factored by the numba Thomas kernel and the whole
    loop runs in numba, the right-hand side formed inside the forward elimination (two sweeps per step). Otherwise: ``scipy.sparse.linalg.splu`` of the sparse matrix, reused every step.
    """

    def __init__(self, operator: StencilDiffusion, scheme: TimeScheme, dt: float):
        super().__init__(operator, scheme, dt)
        grid, g, theta = operator.grid, operator.g, scheme.theta
        self.theta = theta
        self.ue = np.zeros(tuple(n + 2 * g for n in grid.points))
        L = operator.matrix()
        M = (sp.identity(grid.size) - theta * self.dt * L).tocsc()
        self.tridiagonal = grid.dim == 1 and g == 1
        if self.tridiagonal:
            n = grid.size
            main = M.diagonal().copy()
            lower = np.zeros(n); upper = np.zeros(n)
            lower[1:] = M.diagonal(-1); upper[:-1] = M.diagonal(1)
            cyclic = operator.periodic[0]
            if cyclic:
                lower[0], upper[-1] = M[0, n - 1], M[n - 1, 0]
            self.factor = TridiagonalFactor(lower, main, upper, cyclic)
            self.work = np.zeros(2 * n)
        else:
            self.lu = spla.splu(M)
            self.rhs = np.zeros(grid.points)
            self.work = np.zeros(grid.points)

    def advance(self, u, t, nsteps):
        op = self.operator
        per_step = 2 * 2 * op.g * max(op.grid.points) * op.grid.dim
        for start, k in self._chunks(nsteps, per_step):
            times = t + (start + np.arange(k)[:, None] + np.array([0.0, 1.0])[None, :]) * self.dt
            off = op.offsets(times)
            if self.tridiagonal:
                theta_advance_tridiagonal(u, self.ue, self.work, k, self.dt, self.theta, op.g, op.periodic[0],
                                          op.weights[0], off[0], op.coefs[0], *self.factor.arrays())
                continue
            for step in range(k):
                if op.grid.dim == 1:
                    theta_rhs_1d(u, self.ue, self.work, self.rhs, self.dt, self.theta, op.g, op.periodic[0],
                                 op.weights[0], off[0][step, 0], off[0][step, 1], op.coefs[0])
                else:
                    theta_rhs_2d(u, self.ue, self.work, self.rhs, self.dt, self.theta, op.g, op.periodic[0],
                                 op.periodic[1], op.weights[0], op.weights[1], off[0][step, 0], off[1][step, 0],
                                 off[0][step, 1], off[1][step, 1], op.coefs[0], op.coefs[1])
                u[...] = self.lu.solve(self.rhs.ravel()).reshape(u.shape)


class FourierStepper(Stepper):
    """Any time scheme on the diagonal Fourier operator: each mode is multiplied by ``R(dt * symbol)``.

    Exact for the scheme (no splitting error): ``nsteps`` steps are the multiplier ``R^nsteps``.
    """

    def __init__(self, operator: SpectralDiffusion, scheme: TimeScheme, dt: float):
        super().__init__(operator, scheme, dt)
        self.multiplier = scheme.amplification(self.dt * operator.symbol)

    def advance(self, u, t, nsteps):
        u_hat = np.fft.rfftn(u)
        u_hat *= self.multiplier ** nsteps
        u[...] = np.fft.irfftn(u_hat, s=u.shape, axes=tuple(range(u.ndim)))


def make_stepper(operator, scheme: TimeScheme, dt: float) -> Stepper:
    if isinstance(operator, SpectralDiffusion):
        return FourierStepper(operator, scheme, dt)
    if scheme.kind == "explicit":
        return ExplicitRungeKuttaStepper(operator, scheme, dt)
    if scheme.kind == "implicit":
        return ThetaStepper(operator, scheme, dt)
    raise ValueError(f"time scheme {scheme.name!r} needs a diagonalised (spectral) operator")
