"""Steppers for the split systems ``w' = L w + b(t) + N(w, t)`` of :mod:`solvers.equations.burgers`.

A stepper is built once per (operator, scheme, dt): work arrays are allocated, implicit factorisations and
ETDRK4 coefficients come from the operator's linear part (:mod:`solvers.integrators.split_linear`, cached per
operator, so they are computed once per ``dt``). ``advance(u, t,
nsteps)`` takes and returns *physical* values (in place); inside, the state is the operator's representation
(Fourier coefficients for the spectral operator). Boundary offsets of every stage of a chunk of steps are
tabulated at once (one vectorised closed-form call), never per stage.

Families (coefficients on the entries of :mod:`solvers.integrators.split_schemes`):

* ``explicit`` — Butcher tableau on ``L + b + N``.
* ``imex`` — ARS(2,2,2) (Ascher, Ruuth & Spiteri 1997; ``gamma``, ``delta`` from the entry): stiffly accurate,
  so ``w_{n+1}`` is the last stage.
* ``cnab`` — CNAB2 (``theta = 1/2``, ``ab2 = (3/2, -1/2)`` from the entry):
  ``(I - dt/2 L) w^{n+1} = (I + dt/2 L) w^n + dt/2 (b^n + b^{n+1}) + dt (3/2 N^n - 1/2 N^{n-1})``;
  the first step of every ``advance`` call is CN with a Heun (trapezoidal) predictor for ``N``, second order,
  so nothing of a previous call (which may have started from another state) is reused.
* ``etd`` — ETDRK4 (Cox & Matthews 2002, eqs. 26-29), ``b(t)`` treated with ``N`` as a forcing; stage
  combinations and basis changes write into preallocated arrays (the spectral ``N`` still allocates its FFTs). With
  time-dependent boundary data (``exact`` walls) this forcing is stiff in the boundary cells and the observed
  order falls below 4 on fine grids (the order reduction of exponential integrators with inhomogeneous
  boundary data; Hochbruck & Ostermann, Acta Numerica 19, 2010, §2.4): measured 3.93-3.98 on 32 cells,
  2.2-3.6 on 96. Periodic and constant boundary data keep order 4.
"""
from __future__ import annotations

import numba
import numpy as np
from numba import njit

from ..kernels.burgers_lowstorage import rk_weno5_lowstorage, rk_weno5_lowstorage_parallel
from ..kernels.burgers_rk import rk_burgers_1d, rk_burgers_1d_weno5_parallel
from ..kernels.threads import threads_to_use
from ..kernels.weno5 import weno5_parallel
from .split_linear import fused_etdrk4, linear_part
from .split_schemes import SplitTimeScheme

MAX_TABLE_ENTRIES = 2_000_000


@njit(cache=True)
def _axpy(y, a, x):
    """``y += a * x`` on flat views (real or complex)."""
    for i in range(y.shape[0]):
        y[i] += a * x[i]


def axpy(y: np.ndarray, a: float, x: np.ndarray) -> None:
    _axpy(y.reshape(-1), a, x.reshape(-1))


class SplitStepper:
    def __init__(self, operator, scheme: SplitTimeScheme, dt: float):
        self.op, self.scheme, self.dt = operator, scheme, float(dt)
        self.c = np.asarray(scheme.stage_c, dtype=float)

    # boundary data -------------------------------------------------------------------------------------
    def _chunks(self, t: float, nsteps: int):
        """Yield (step times, per-stage offsets table or None) for chunks of steps."""
        if not getattr(self.op, "time_dependent", False):
            yield t + np.arange(nsteps) * self.dt, None
            return
        per_step = self.c.size * 2 * 2 * self.op.g * max(self.op.grid.points) * self.op.grid.dim
        size = max(1, MAX_TABLE_ENTRIES // per_step)
        done = 0
        consistent = self.scheme.explicit and getattr(self.op, "has_rates", False)
        while done < nsteps:
            k = min(size, nsteps - done)
            steps = t + (done + np.arange(k)) * self.dt
            stage_times = steps[:, None] + self.c[None, :] * self.dt
            if consistent:
                yield steps, self._stage_consistent(steps, stage_times)
            else:
                yield steps, self.op.boundary_table(stage_times)
            done += k

    def _stage_consistent(self, steps, stage_times):
        """Explicit RK: stage ``i`` sees ``g(t_n) + dt sum_j a_ij g'(t_n + c_j dt)``, the boundary value in the
        form the stage itself has; imposing ``g(t_n + c_i dt)`` instead reduces RK4 to low order next to
        time-dependent walls (Carpenter, Gottlieb, Abarbanel & Don, SIAM J. Sci. Comput. 16, 1995)."""
        base = self.op.boundary_table(steps[:, None])
        rates = self.op.boundary_table(stage_times, rate=True)
        A = np.asarray(self.scheme.A, dtype=float)
        return [[np.ascontiguousarray(g0 + self.dt * np.einsum("ij,kj...->ki...", A, gdot))
                 for g0, gdot in zip(comp0, compr)] for comp0, compr in zip(base, rates)]

    @staticmethod
    def _off(table, step: int, stage: int):
        if table is None:
            return None
        return [[ax[step, stage] for ax in comp] for comp in table]

    def advance(self, u: np.ndarray, t: float, nsteps: int) -> None:
        w = self.op.to_state(u)
        self._begin(w)
        for steps, table in self._chunks(t, nsteps):
            for j, tn in enumerate(steps):
                self._step(w, float(tn), table, j)
        u[...] = self.op.to_physical(w)

    def _begin(self, w):
        pass

    def _step(self, w, t, table, j):
        raise NotImplementedError


class ExplicitStepper(SplitStepper):
    """Explicit Runge-Kutta on the full right-hand side."""

    def __init__(self, operator, scheme, dt):
        super().__init__(operator, scheme, dt)
        self.A, self.b = scheme.A, scheme.b
        self.K = None

    def _begin(self, w):
        if self.K is None or self.K[0].shape != w.shape or self.K[0].dtype != w.dtype:
            self.K = [np.empty_like(w) for _ in self.b]
            self.stage = np.empty_like(w)

    def _step(self, w, t, table, j):
        dt, op = self.dt, self.op
        for i in range(self.b.size):
            if i == 0:
                src = w
            else:
                self.stage[...] = w
                for r in range(i):
                    if self.A[i, r] != 0.0:
                        axpy(self.stage, dt * self.A[i, r], self.K[r])
                src = self.stage
            op.full_rhs(src, t + self.c[i] * dt, self._off(table, j, i), self.K[i])
        for i in range(self.b.size):
            if self.b[i] != 0.0:
                axpy(w, dt * self.b[i], self.K[i])


class ARS222Stepper(SplitStepper):
    """ARS(2,2,2): implicit tableau [[0,0,0],[0,g,0],[0,1-g,g]], explicit [[0,0,0],[g,0,0],[d,1-d,0]]."""

    def __init__(self, operator, scheme, dt):
        super().__init__(operator, scheme, dt)
        self.linear = linear_part(operator)
        self.gamma, self.delta = scheme.params["gamma"], scheme.params["delta"]

    def _begin(self, w):
        if getattr(self, "_shape", None) != (w.shape, w.dtype):
            self._shape = (w.shape, w.dtype)
            self.N1, self.N2, self.K2, self.Y = (np.empty_like(w) for _ in range(4))

    def _step(self, w, t, table, j):
        op, lin, dt, g, d = self.op, self.linear, self.dt, self.gamma, self.delta
        op.nonlinear(w, t, self._off(table, j, 0), self.N1)
        Y = self.Y
        Y[...] = w
        axpy(Y, g * dt, self.N1)
        t2 = t + g * dt
        lin.implicit_solve(Y, g * dt, t2, self._off(table, j, 1))
        op.linear(Y, t2, self._off(table, j, 1), self.K2)
        op.nonlinear(Y, t2, self._off(table, j, 1), self.N2)
        axpy(w, (1 - g) * dt, self.K2)
        axpy(w, d * dt, self.N1)
        axpy(w, (1 - d) * dt, self.N2)
        lin.implicit_solve(w, g * dt, t + dt, self._off(table, j, 2))


class CNAB2Stepper(SplitStepper):
    """Crank-Nicolson / Adams-Bashforth 2 with a CN-Heun first step per ``advance`` call."""

    def __init__(self, operator, scheme, dt):
        super().__init__(operator, scheme, dt)
        self.linear = linear_part(operator)
        self.theta, self.ab2 = scheme.params["theta"], scheme.params["ab2"]

    def _begin(self, w):
        if getattr(self, "_shape", None) != (w.shape, w.dtype):
            self._shape = (w.shape, w.dtype)
            self.N_now, self.N_prev, self.Lw, self.rhs, self.pred = (np.empty_like(w) for _ in range(5))
        self.started = False

    def _step(self, w, t, table, j):
        op, lin, dt, th, (ab0, ab1) = self.op, self.linear, self.dt, self.theta, self.ab2
        off0, off1 = self._off(table, j, 0), self._off(table, j, 1)
        op.nonlinear(w, t, off0, self.N_now)
        op.linear(w, t, off0, self.Lw)
        self.rhs[...] = w
        axpy(self.rhs, (1 - th) * dt, self.Lw)
        if not self.started:            # CN + Heun predictor: second order, one step
            self.pred[...] = self.rhs
            axpy(self.pred, dt, self.N_now)
            lin.implicit_solve(self.pred, th * dt, t + dt, off1)
            op.nonlinear(self.pred, t + dt, off1, self.N_prev)
            axpy(self.rhs, (1 - th) * dt, self.N_now)      # the trapezoidal rule on N (Heun)
            axpy(self.rhs, th * dt, self.N_prev)
            self.started = True
        else:
            axpy(self.rhs, ab0 * dt, self.N_now)
            axpy(self.rhs, ab1 * dt, self.N_prev)
        lin.implicit_solve(self.rhs, th * dt, t + dt, off1)
        w[...] = self.rhs
        self.N_prev, self.N_now = self.N_now, self.N_prev


class ETDRK4Stepper(SplitStepper):
    """Cox-Matthews ETDRK4 in the basis where ``L`` is diagonal (Fourier modes or FD eigenvectors).

    Operators with a fused loop (:func:`~solvers.integrators.split_linear.fused_etdrk4`: the 1D spectral Burgers)
    run the whole step loop in one numba function (:mod:`solvers.kernels.spectral`; same arithmetic, FFTs equal
    to round-off); ``fused=False`` or an operator without one keeps the numpy path below. The coefficient tables
    come from the entry's ``phi``."""

    def __init__(self, operator, scheme, dt, fused: bool = True):
        super().__init__(operator, scheme, dt)
        phi = scheme.params["phi"]
        self.linear = linear_part(operator)
        self.plan = self.linear.etd_plan(self.dt, phi)
        self.fused = fused_etdrk4(operator, self.dt, phi) if fused else None

    def advance(self, u, t, nsteps):
        if self.fused is None:
            return super().advance(u, t, nsteps)
        w = np.ascontiguousarray(self.op.to_state(u), dtype=complex)
        self.fused(w, nsteps)
        u[...] = self.op.to_physical(w)

    def _begin(self, w):
        if getattr(self, "_shape", None) != (w.shape, w.dtype):
            self._shape = (w.shape, w.dtype)
            # eigen-basis stage values, N in the eigen basis, a physical stage and two scratch arrays
            (self.u_e, self.a_e, self.b_e, self.c_e, self.Nu, self.Na, self.Nb, self.Nc, self.phys, self.Nphys,
             self.tmp) = (np.empty_like(w) for _ in range(11))

    def _N(self, phys, t, off, out):
        self.linear.nonlinear_with_boundary(phys, t, off, self.Nphys)
        return self.plan.fwd(self.Nphys, out)

    def _step(self, w, t, table, j):
        c, h, plan, T = self.plan.c, self.dt, self.plan, self.tmp
        E, E2, Q, f1, f2, f3 = (c[k] for k in ("E", "E2", "Q", "f1", "f2", "f3"))
        off0, off_half, off1 = (self._off(table, j, i) for i in range(3))
        u_e, a_e, b_e, c_e = self.u_e, self.a_e, self.b_e, self.c_e
        plan.fwd(w, u_e)
        Nu = self._N(w, t, off0, self.Nu)
        np.multiply(E2, u_e, out=a_e); np.multiply(Q, Nu, out=T); a_e += T            # a = E2 u + Q N(u)
        Na = self._N(plan.inv(a_e, self.phys), t + h / 2, off_half, self.Na)
        np.multiply(E2, u_e, out=b_e); np.multiply(Q, Na, out=T); b_e += T            # b = E2 u + Q N(a)
        Nb = self._N(plan.inv(b_e, self.phys), t + h / 2, off_half, self.Nb)
        np.multiply(Nb, 2.0, out=T); T -= Nu; T *= Q                                   # c = E2 a + Q (2 N(b) - N(u))
        np.multiply(E2, a_e, out=c_e); c_e += T
        Nc = self._N(plan.inv(c_e, self.phys), t + h, off1, self.Nc)
        np.multiply(E, u_e, out=a_e)                                                   # E u + f1 N(u)
        np.multiply(f1, Nu, out=T); a_e += T
        np.add(Na, Nb, out=T); T *= f2; T *= 2.0; a_e += T                             # + 2 f2 (N(a) + N(b))
        np.multiply(f3, Nc, out=T); a_e += T                                           # + f3 N(c)
        plan.inv(a_e, w)


class FusedFluxRKStepper(SplitStepper):
    """Explicit Runge-Kutta for the 1D flux operator, the whole step loop inside numba
    (:func:`solvers.kernels.burgers_rk.rk_burgers_1d`, with the operator's ``flux_kernel`` arguments);
    coefficients and boundary offsets tabulated per chunk.

    An advection scheme with ``parallel_kernel`` (weno5) on at least
    :data:`~solvers.kernels.weno5.WENO5_PARALLEL_MIN_POINTS` cells (and more than one numba thread) runs the
    loop's ``parallel=True`` twin (:func:`~solvers.kernels.weno5.weno5_parallel`; bitwise the same result,
    measured 1.3-1.7x at 1e5-1e6 cells with a free second core; with the other core busy, by the load average, the
    serial loop: :func:`~solvers.kernels.threads.threads_to_use`). weno5 alternates its stage inputs between the
    operator's work array and ``self.ue2``. A ``low_storage`` advection scheme (weno5) with a time scheme that has
    a two-register Shu-Osher form (``euler``, ``ssprk3``) runs it (:mod:`solvers.kernels.burgers_lowstorage`: no
    stored slopes, 9 field passes per SSP-RK3 step instead of 18); the same scheme as the Butcher loop, equal to
    round-off."""

    def __init__(self, operator, scheme, dt):
        super().__init__(operator, scheme, dt)
        kern = self.kernel = operator.flux_kernel
        self.A = np.ascontiguousarray(scheme.A, dtype=float)
        self.b = np.ascontiguousarray(scheme.b, dtype=float)
        self.K = np.zeros((self.b.size, kern.n))
        self.dscaled = np.empty_like(kern.d2)
        self.ue2 = np.zeros_like(kern.work)          # weno5 alternates stage inputs between kern.work and this
        self.parallel = kern.scheme.parallel_kernel and weno5_parallel(kern.n)
        self.shu_osher = np.ascontiguousarray(scheme.shu_osher, dtype=float) \
            if kern.scheme.low_storage and scheme.shu_osher.size else None

    def advance(self, u, t, nsteps):
        op, kern, s = self.op, self.kernel, self.b.size
        parallel = self.parallel and threads_to_use() > 1     # the second core is free (load average)
        for steps, table in self._chunks(t, nsteps):
            k = steps.size
            times = steps[:, None] + self.c[None, :] * self.dt
            coef = np.array([op.coefs.at(tt) for tt in times.ravel()]).reshape(k, s, 3) if not op.coefs.constant \
                else np.broadcast_to(np.array(op.coefs.at(t)), (k, s, 3))
            off = table[0][0] if table is not None else np.broadcast_to(kern.offsets, (k, s) + kern.offsets.shape)
            if self.shu_osher is not None:
                args = (u, kern.work, self.ue2, self.shu_osher, k, self.dt, kern.g, kern.periodic, kern.weights, off,
                        coef, kern.h, kern.x0, kern.d2, self.dscaled)
                if parallel:
                    rk_weno5_lowstorage_parallel(*args, 2 * numba.get_num_threads())
                else:
                    rk_weno5_lowstorage(*args)
            elif parallel:
                rk_burgers_1d_weno5_parallel(u, kern.work, self.ue2, self.K, self.A, self.b, k, self.dt, kern.g,
                                             kern.periodic, kern.weights, off, coef, kern.h, kern.x0, kern.d2,
                                             self.dscaled, 2 * numba.get_num_threads())
            else:
                rk_burgers_1d(u, kern.work, self.ue2, self.K, self.A, self.b, k, self.dt, kern.g, kern.periodic,
                              kern.weights, off, coef, kern.h, kern.x0, kern.flux_id, kern.reach, kern.d2,
                              self.dscaled)


STEPPERS = {"explicit": ExplicitStepper, "imex": ARS222Stepper, "cnab": CNAB2Stepper, "etd": ETDRK4Stepper}


def make_split_stepper(operator, scheme: SplitTimeScheme, dt: float) -> SplitStepper:
    if scheme.family == "explicit" and hasattr(operator, "flux_kernel"):
        return FusedFluxRKStepper(operator, scheme, dt)
    return STEPPERS[scheme.family](operator, scheme, dt)
