"""The discrete HJB-FP system (:mod:`solvers.equations.mfg`): time levels, HJB and FP sweeps, residuals.

Time: implicit Euler (the monotone choice: every step is an M-matrix solve, so ``m >= 0`` and the scheme is
unconditionally stable; first order in ``dt``), or Crank-Nicolson (``theta = 1/2``, second order in ``dt``; see
below). With ``t_n = n dt``, ``n = 0..N``, implicit Euler reads::

    HJB_n:  (phi^n - phi^{n+1})/dt - nu Lap_h phi^n + H_h(phi^n) - F(x, m^{n+1}) = 0,   phi^N = G
    FP_n:   (m^{n+1} - m^n)/dt - nu Lap_h m^{n+1} + L_{phi^n}^T m^{n+1} = 0,            m^0 = m_0

(Achdou & Capuzzo-Dolcetta 2010, scheme (9)-(10)). Crank-Nicolson averages the space operators of the two
levels, ``S(phi) = -nu Lap_h phi + H_h(phi)`` and ``A(phi) = -nu Lap_h + L_phi^T``::

    HJB_n:  (phi^n - phi^{n+1})/dt + (S(phi^n) + S(phi^{n+1}))/2 = (F^n + F^{n+1})/2
    FP_n:   (m^{n+1} - m^n)/dt + (A(phi^{n+1}) m^{n+1} + A(phi^n) m^n)/2 = 0

Choice: each level's FP operator is still the transpose of that level's linearised HJB operator and mass is
conserved exactly, but the space-time system is no longer the exact adjoint pairing of implicit Euler (which
would put the densities at half steps and start with an O(dt) offset); positivity needs the explicit half
``I/dt - A/2`` to be nonnegative, ``dt <= 2 / max diag A`` (parabolic, ``dt ~ h^2/nu``); the problem's
``dt = "auto"`` enforces it with a 0.9 margin (the ``crank_nicolson`` entry's ``auto_dt_limit``) and
``negative_density`` checks it. Each HJB step is solved by Newton with the sparse Jacobian
``I/dt + theta (L_phi - nu Lap_h)`` to ``1e-13``; each FP step is one sparse solve. The mean-field coupling
``F = (kappa/2)|x - mbar(t)|^2`` enters through ``mbar^{n+1} = h^d sum x m^{n+1}``. Matrix-free operators
(``ops.matrix_free``, the spectral scheme) take their own IMEX steps instead.

The step of ``dt = "auto"`` before any scheme's stability bound, ``dt = min(h) x dt_per_h`` (:func:`auto_step`),
and the whole number of steps over the horizon (:func:`whole_steps`) are stated here once, for the problem's
builder and for the memory and step-count limits of a case.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..equations.mfg import MFGOperators
from ..errors import NumericalFailure

HJB_NEWTON_TOL = 1e-13
HJB_NEWTON_MAX = 50


def auto_step(h_min: float, dt_per_h: float) -> float:
    """``dt = "auto"`` before the schemes' bounds: the monotone scheme is first order in space and time, so the
    step balances the two errors, ``dt = min(h) x dt_per_h``."""
    return h_min * dt_per_h


def whole_steps(T: float, dt: float, given: bool = False) -> int | float:
    """Steps over the horizon ``T``: ``max(2, ceil(T / dt))`` (a ``given`` step: ``ceil(T / dt - 1e-9)``, so a
    step that divides ``T`` up to round-off keeps its count); ``inf`` where ``dt <= 0`` or ``T / dt >= 1e300``."""
    if not (dt > 0 and T / dt < 1e300):
        return math.inf
    return max(2, math.ceil(T / dt - 1e-9 if given else T / dt))


@dataclass
class MFGSystem:
    """The discrete problem: operators (:class:`MFGOperators`, or matrix-free ones such as
    :class:`~solvers.equations.mfg_spectral.SpectralMFGOperators`), time levels, data, the coupling strength and
    the time scheme's ``theta``."""

    ops: MFGOperators
    times: np.ndarray
    m0: np.ndarray
    G: np.ndarray
    kappa: float = 0.0              # 0: F = 0; else F = (kappa/2)|x - mbar|^2
    theta: float = 1.0              # 1: implicit Euler (A-CD pairing); 1/2: Crank-Nicolson
    offsets: list = field(init=False, repr=False)   # per level: phi_offsets(t_n)

    def __post_init__(self):
        self.offsets = [self.ops.phi_offsets(t) for t in self.times]

    @property
    def dt(self) -> float:
        return float(self.times[1] - self.times[0])

    @property
    def steps(self) -> int:
        return self.times.size - 1

    @property
    def coupled(self) -> bool:
        return self.kappa != 0.0

    @property
    def crank_nicolson(self) -> bool:
        return self.theta < 1.0

    def coupling_mix(self, mbar: np.ndarray, n: int):
        """The ``F`` of ``HJB_n``: ``F(mbar^{n+1})`` (implicit Euler), ``theta F^{n+1} + (1-theta) F^n`` (CN)."""
        if not self.coupled:
            return 0.0
        if not self.crank_nicolson:
            return self.coupling(mbar[n + 1])
        return self.theta * self.coupling(mbar[n + 1]) + (1 - self.theta) * self.coupling(mbar[n])

    def S(self, n: int, phi: np.ndarray):
        """HJB space operator at level ``n``: ``-nu Lap_h phi - b^n + H_h(phi)``, and the gradients."""
        off, b = self.offsets[n]
        g = self.ops.gradients(phi, off)
        return -(self.ops.lap_hjb @ phi) - b + self.ops.hamiltonian(g), g

    def fp_matrix(self, grads) -> sp.csr_matrix:
        """``A = -nu Lap_h + L_phi^T`` (the FP space operator for the gradients of one level)."""
        return (self.ops.transport(grads) - self.ops.lap_fp).tocsr()

    def coupling(self, mbar: np.ndarray) -> np.ndarray:
        if not self.coupled:
            return np.zeros(self.ops.size)
        return 0.5 * self.kappa * sum((x - mb) ** 2 for x, mb in zip(self.ops.x, mbar))

    def means(self, m: np.ndarray) -> np.ndarray:
        return np.array([self.ops.mean(mi) for mi in m])


@dataclass
class MFGSolution:
    phi: np.ndarray                  # (N+1, size)
    m: np.ndarray                    # (N+1, size)
    history: dict                    # name -> array per outer iteration
    iterations: int
    hjb_newton_steps: int = 0
    extras: dict = field(default_factory=dict)


# ------------------------------------------------------------------ sweeps
def hjb_step(system: MFGSystem, n: int, phi_next: np.ndarray, F: np.ndarray) -> tuple[np.ndarray, int]:
    ops, dt = system.ops, system.dt
    if ops.matrix_free:          # IMEX: one Fourier-diagonal solve, no Newton
        return ops.hjb_step(phi_next, F, dt), 0
    th = system.theta
    phi = phi_next.copy()
    eye = sp.identity(ops.size, format="csr")
    rhs_const = phi_next / dt + F
    if th < 1.0:                                  # the explicit half of Crank-Nicolson
        rhs_const = rhs_const - (1 - th) * system.S(n + 1, phi_next)[0]
    scale = max(1.0, np.abs(rhs_const).max())
    for k in range(HJB_NEWTON_MAX):
        Sn, g = system.S(n, phi)
        R = phi / dt + th * Sn - rhs_const
        if np.abs(R).max() <= HJB_NEWTON_TOL * scale:
            return phi, k
        J = (eye / dt + th * (ops.linearised(g) - ops.lap_hjb)).tocsc()
        phi = phi - spla.spsolve(J, R)
    raise NumericalFailure("HJB Newton iteration did not converge", time=float(system.times[n]), step=n,
                           where="whole grid", limit=f"|residual| <= {HJB_NEWTON_TOL:g} in {HJB_NEWTON_MAX} iterations")


def hjb_sweep(system: MFGSystem, mbar: np.ndarray | None) -> tuple[np.ndarray, int]:
    """Backward in time from ``phi^N = G``; ``mbar`` (N+1, d) the means of the current ``m`` (None: F = 0)."""
    N = system.steps
    phi = np.empty((N + 1, system.ops.size))
    phi[N] = system.G
    its = 0
    for n in range(N - 1, -1, -1):
        F = system.coupling_mix(mbar, n) if system.coupled else 0.0
        phi[n], k = hjb_step(system, n, phi[n + 1], F)
        its += k
    return phi, its


def fp_sweep(system: MFGSystem, phi: np.ndarray) -> np.ndarray:
    ops, dt, N = system.ops, system.dt, system.steps
    m = np.empty((N + 1, ops.size))
    m[0] = system.m0
    if ops.matrix_free:
        for n in range(N):
            m[n + 1] = ops.fp_step(m[n], phi[n], dt)
        return m
    eye = sp.identity(ops.size, format="csr")
    th, j1 = system.theta, (1 if system.crank_nicolson else 0)
    for n in range(N):
        A_imp = system.fp_matrix(ops.gradients(phi[n + j1], system.offsets[n + j1][0]))
        rhs = m[n] / dt
        if th < 1.0:
            rhs = rhs - (1 - th) * (system.fp_matrix(ops.gradients(phi[n], system.offsets[n][0])) @ m[n])
        m[n + 1] = spla.spsolve((eye / dt + th * A_imp).tocsc(), rhs)
    return m


def level_residuals(system: MFGSystem, phi: np.ndarray, m: np.ndarray, mbar: np.ndarray):
    """Residuals of ``HJB_n`` and ``FP_n`` for every level (FD scheme), and the gradients of every level."""
    ops, dt, N, th = system.ops, system.dt, system.steps, system.theta
    j1 = 1 if system.crank_nicolson else 0
    S, grads = zip(*(system.S(n, phi[n]) for n in range(N + 1)))
    A = [system.fp_matrix(g) for g in grads]
    R_h, R_f = np.empty((N, ops.size)), np.empty((N, ops.size))
    for n in range(N):
        R_h[n] = (phi[n] - phi[n + 1]) / dt + th * S[n] + (1 - th) * S[n + 1] - system.coupling_mix(mbar, n)
        R_f[n] = (m[n + 1] - m[n]) / dt + th * (A[n + j1] @ m[n + 1])
        if th < 1.0:
            R_f[n] += (1 - th) * (A[n] @ m[n])
    return R_h, R_f, list(grads)


def residuals(system: MFGSystem, phi: np.ndarray, m: np.ndarray) -> tuple[float, float]:
    """Max-norm residuals of the discrete HJB and FP equations at ``(phi, m)`` (scaled by ``1/dt``-free units)."""
    ops, dt, N = system.ops, system.dt, system.steps
    mbar = system.means(m)
    hjb = fp = 0.0
    if ops.matrix_free:
        for n in range(N):
            r, q = ops.residual_pair(phi[n], phi[n + 1], m[n], m[n + 1], system.coupling(mbar[n + 1]), dt)
            hjb, fp = max(hjb, float(np.abs(r).max())), max(fp, float(np.abs(q).max()))
        return hjb, fp
    R_h, R_f, _ = level_residuals(system, phi, m, mbar)
    return float(np.abs(R_h).max()), float(np.abs(R_f).max())


# ------------------------------------------------------------------ all levels at once (Newton)
def stacked_gradients(system, phi):
    """``[(P_a, Q_a)]`` per axis: ``D+ phi^k + b+``, ``D- phi^k + b-`` of every level ``k`` of ``phi`` at once
    (arrays ``(levels, S)``; the same values as :meth:`MFGOperators.gradients` level by level)."""
    ops = system.ops
    offs = system.offsets[:phi.shape[0]]
    out = []
    for a, (Dp, Dm) in enumerate(zip(ops.Dp, ops.Dm)):
        bp = np.array([o[0][a][0] for o in offs])
        bm = np.array([o[0][a][1] for o in offs])
        out.append((np.ascontiguousarray((Dp @ phi.T).T) + bp, np.ascontiguousarray((Dm @ phi.T).T) + bm))
    return out


def _stacked_coupling(system, mbar):
    """``F(x, mbar^k)`` of every level ``k`` (array ``(levels, S)``), zero when uncoupled."""
    ops = system.ops
    mbar = np.asarray(mbar, dtype=float).reshape(len(mbar), -1)
    F = np.zeros((mbar.shape[0], ops.size))
    if system.coupled:
        F += 0.5 * system.kappa * sum((x[None, :] - mbar[:, a, None]) ** 2 for a, x in enumerate(ops.x))
    return F


def stacked_residuals(system, phi, m, mbar, grads):
    """``R_h`` and ``R_f`` (arrays ``(N, S)``) of every level at once: the formulas of :func:`level_residuals`
    with the space operators applied to all levels in one sparse product each."""
    ops, dt, N, th = system.ops, system.dt, system.steps, system.theta
    b = np.array([o[1] for o in system.offsets])
    H = sum(0.5 * (np.minimum(P, 0.0) ** 2 + np.maximum(Q, 0.0) ** 2) for P, Q in grads)
    S_all = -np.ascontiguousarray((ops.lap_hjb @ phi.T).T) - b + H
    F = _stacked_coupling(system, mbar)
    F_mix = F[1:] if not system.crank_nicolson else th * F[1:] + (1 - th) * F[:-1]
    R_h = (phi[:-1] - phi[1:]) / dt + th * S_all[:-1] + (1 - th) * S_all[1:] - F_mix

    def A_times(lv, mm):                         # A(phi^k) m^j for the level pairs (lv = k's, mm = m^j's)
        out = -(ops.lap_fp @ mm.T)
        for (P, Q), Dp0, Dm0 in zip(grads, ops.Dp0, ops.Dm0):
            out = out + Dp0.T @ (np.minimum(P[lv], 0.0) * mm).T + Dm0.T @ (np.maximum(Q[lv], 0.0) * mm).T
        return np.ascontiguousarray(out.T)

    j1 = 1 if system.crank_nicolson else 0
    R_f = (m[1:] - m[:-1]) / dt + th * A_times(slice(j1, N + j1), m[1:])
    if th < 1.0:
        R_f += (1 - th) * A_times(slice(0, N), m[:-1])
    return R_h, R_f


# ------------------------------------------------------------------ what every outer solver reads
@dataclass(frozen=True)
class OuterSettings:
    """The case's ``[mfg]`` values an outer solver reads (runtime collaborators travel in
    :class:`~solvers.hooks.RunHooks`): stop at a relative change ``<= tol`` within ``max_iterations``;
    ``damping``: Picard's weight of the new iterate."""

    tol: float
    max_iterations: int
    damping: float = 1.0


def not_converged(history: dict, tol: float, iterations: int):
    """Raise the :class:`NumericalFailure` of an outer iteration that used up ``mfg.max_iterations``, with the
    last three iterations of its history."""
    tail = "; ".join(f"it {len(history['change']) - k}: change {c:.3e}, hjb {h:.3e}, fp {f:.3e}"
                     for k, (c, h, f) in enumerate(zip(history["change"][::-1][:3], history["hjb_residual"][::-1][:3],
                                                       history["fp_residual"][::-1][:3])))
    raise NumericalFailure(f"MFG outer iteration did not converge ({tail})", time=0.0, step=iterations,
                           where="space-time grid", limit=f"change <= {tol:g} within mfg.max_iterations = {iterations}")
