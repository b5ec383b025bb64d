"""Time sweeps and registered outer solvers of the discrete HJB-FP system (:mod:`solvers.equations.mfg`).

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
``dt = "auto"`` enforces it with a 0.9 margin and ``negative_density`` checks it. Each HJB step is solved by Newton with the sparse Jacobian
``I/dt + theta (L_phi - nu Lap_h)`` to ``1e-13``; each FP step is one sparse solve. The mean-field coupling
``F = (kappa/2)|x - mbar(t)|^2`` enters through ``mbar^{n+1} = h^d sum x m^{n+1}``.

Outer solvers (``[mfg] solver``; :data:`MFG_SOLVERS`):

``picard``           ``m <- (1 - theta) m + theta FP(HJB(m))`` (``damping = theta``)
``fictitious_play``  ``m <- (k m + FP(HJB(m)))/(k + 1)`` (Cardaliaguet & Hadikhanloo 2017)
``newton``           Newton on the whole space-time system (unknowns ``phi^0..N-1``, ``m^1..N`` and ``mbar^1..N``
                     when coupled, so the Jacobian stays sparse), backtracking line search on the residual norm
                     (Achdou & Perez 2012); the Newton step is solved exactly by block elimination in time (an HJB
                     sweep backward, an FP sweep forward, level factorisations, the means by their dense Schur
                     complement), never one space-time factorisation
``cole_hopf``        ``F = 0`` only: ``w = exp(-phi/(2 nu))`` by backward implicit-Euler heat steps, ``phi =
                     -2 nu log w``, then the FP sweep (so mass stays conserved); the product ``w w_hat`` of the
                     forward heat solution is recorded as a cross-check of ``m``
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from numba import njit

from ..equations.mfg import MFGOperators
from ..errors import NumericalFailure
from ..registry import NamedScheme, Registry

HJB_NEWTON_TOL = 1e-13
HJB_NEWTON_MAX = 50


@dataclass
class MFGSystem:
    """The discrete problem: operators, time levels, data and the coupling strength."""

    ops: MFGOperators
    times: np.ndarray
    m0: np.ndarray
    G: np.ndarray
    kappa: float = 0.0              # 0: F = 0; else F = (kappa/2)|x - mbar|^2
    theta: float = 1.0              # 1: implicit Euler (A-CD pairing); 1/2: Crank-Nicolson
    _offsets: list = field(default_factory=list)

    def __post_init__(self):
        self._offsets = [self.ops.phi_offsets(t) for t in self.times]

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
        off, b = self._offsets[n]
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
    if getattr(ops, "spectral", False):          # IMEX: one Fourier-diagonal solve, no Newton
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
    if getattr(ops, "spectral", False):
        for n in range(N):
            m[n + 1] = ops.fp_step(m[n], phi[n], dt)
        return m
    eye = sp.identity(ops.size, format="csr")
    th, j1 = system.theta, (1 if system.crank_nicolson else 0)
    for n in range(N):
        A_imp = system.fp_matrix(ops.gradients(phi[n + j1], system._offsets[n + j1][0]))
        rhs = m[n] / dt
        if th < 1.0:
            rhs = rhs - (1 - th) * (system.fp_matrix(ops.gradients(phi[n], system._offsets[n][0])) @ m[n])
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
    if getattr(ops, "spectral", False):
        for n in range(N):
            r, q = ops.residual_pair(phi[n], phi[n + 1], m[n], m[n + 1], system.coupling(mbar[n + 1]), dt)
            hjb, fp = max(hjb, float(np.abs(r).max())), max(fp, float(np.abs(q).max()))
        return hjb, fp
    R_h, R_f, _ = level_residuals(system, phi, m, mbar)
    return float(np.abs(R_h).max()), float(np.abs(R_f).max())


# ------------------------------------------------------------------ outer solvers
MFG_TIME_SCHEMES: Registry[NamedScheme] = Registry("time")
MFG_TIME_SCHEMES.register("implicit_euler")(NamedScheme(
    "implicit_euler", 1, "implicit Euler for HJB (backward) and FP (forward): M-matrix steps, monotone"))
MFG_TIME_SCHEMES.register("crank_nicolson")(NamedScheme(
    "crank_nicolson", 2, "Crank-Nicolson (theta = 1/2) for HJB and FP at integer levels; positive only for "
    "dt <= 2 / max diag(-nu Lap_h + L_phi^T) (checked by dt = 'auto'); finite differences only"))


@dataclass(frozen=True)
class OuterSolver:
    name: str
    description: str
    solve: object
    needs_uncoupled: bool = False


MFG_SOLVERS: Registry[OuterSolver] = Registry("mfg solver")


def _register(name, description, needs_uncoupled=False):
    def deco(fn):
        MFG_SOLVERS.register(name)(OuterSolver(name, description, fn, needs_uncoupled))
        return fn
    return deco


def _not_converged(history: dict, tol: float, iterations: int):
    tail = "; ".join(f"it {len(history['change']) - k}: change {c:.3e}, hjb {h:.3e}, fp {f:.3e}"
                     for k, (c, h, f) in enumerate(zip(history["change"][::-1][:3], history["hjb_residual"][::-1][:3],
                                                       history["fp_residual"][::-1][:3])))
    raise NumericalFailure(f"MFG outer iteration did not converge ({tail})", time=0.0, step=iterations,
                           where="space-time grid", limit=f"change <= {tol:g} within mfg.max_iterations = {iterations}")


def _notify(settings, history) -> None:
    """Progress hook: ``settings["on_iteration"](history)`` after every outer iteration, when given."""
    callback = settings.get("on_iteration") if hasattr(settings, "get") else None
    if callback is not None:
        callback(history)


def _checkpoint(settings, iteration: int, state: dict) -> None:
    """``settings["checkpoint"]`` (a :class:`~solvers.problems.checkpointing.Checkpointing`): write the
    iterate after every ``every``-th outer iteration."""
    target = settings.get("checkpoint") if hasattr(settings, "get") else None
    if target is not None and iteration % target.every_iterations == 0:
        target.write_iteration(dict(state, iteration=iteration))


def _resumed(settings) -> dict | None:
    """``settings["resume"]``: ``(arrays, attrs)`` of a checkpoint, as the loop's state (history as lists)."""
    saved = settings.get("resume") if hasattr(settings, "get") else None
    if saved is None:
        return None
    arrays, attrs = saved
    state = {k: np.array(v) for k, v in arrays.items() if k != "history"}
    state["history"] = {k: list(np.asarray(v, dtype=float)) for k, v in arrays["history"].items()}
    state.update(iteration=int(attrs["iteration"]), newton_steps=int(attrs.get("newton_steps", 0)))
    return state


def _fixed_point(system, settings, weight):
    """Shared loop of Picard and fictitious play: ``m <- (1 - w_k) m + w_k FP(HJB(m))``."""
    tol, max_it = settings["tol"], settings["max_iterations"]
    N = system.steps
    m = np.broadcast_to(system.m0, (N + 1, system.ops.size)).copy()
    history = {k: [] for k in ("change", "hjb_residual", "fp_residual")}
    newton_steps = 0
    phi = None
    first = 0
    saved = _resumed(settings)
    if saved is not None:       # a checkpoint: iterate, counters and history as they were
        first, newton_steps, m, history = saved["iteration"], saved["newton_steps"], saved["m"], saved["history"]
        phi = saved.get("phi")
    for k in range(first, max_it):
        if system.coupled or phi is None:      # with F = 0 the HJB does not depend on m: one sweep
            phi, its = hjb_sweep(system, system.means(m) if system.coupled else None)
            newton_steps += its
        m_new = fp_sweep(system, phi)
        change = float(np.abs(m_new - m).max() / np.abs(m_new).max())
        w = weight(k)
        m = (1.0 - w) * m + w * m_new
        hjb, fp = residuals(system, phi, m_new)
        history["change"].append(change); history["hjb_residual"].append(hjb); history["fp_residual"].append(fp)
        _notify(settings, history)
        if change <= tol:
            return MFGSolution(phi, m_new, {k: np.array(v) for k, v in history.items()}, k + 1, newton_steps)
        _checkpoint(settings, k + 1, dict(m=m, phi=phi, history=history, newton_steps=newton_steps))
    _not_converged(history, tol, max_it)


@_register("picard", "damped fixed point m <- (1 - theta) m + theta FP(HJB(m)), theta = mfg.damping")
def picard(system, settings):
    return _fixed_point(system, settings, lambda k: settings["damping"] if k > 0 else 1.0)


@_register("fictitious_play", "fictitious play: m <- (k m + FP(HJB(m)))/(k + 1)")
def fictitious_play(system, settings):
    return _fixed_point(system, settings, lambda k: 1.0 / (k + 1.0))


# ------------------------------------------------------------------ Newton on the space-time system
def _stacked_gradients(system, phi):
    """``[(P_a, Q_a)]`` per axis: ``D+ phi^k + b+``, ``D- phi^k + b-`` of every level ``k`` of ``phi`` at once
    (arrays ``(levels, S)``; the same values as :meth:`MFGOperators.gradients` level by level)."""
    ops = system.ops
    offs = system._offsets[:phi.shape[0]]
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


def _stacked_residuals(system, phi, m, mbar, grads):
    """``R_h`` and ``R_f`` (arrays ``(N, S)``) of every level at once: the formulas of :func:`level_residuals`
    with the space operators applied to all levels in one sparse product each."""
    ops, dt, N, th = system.ops, system.dt, system.steps, system.theta
    b = np.array([o[1] for o in system._offsets])
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


def _newton_residual(system, phi, m, mbar):
    """Stacked residual (HJB_0..N-1, FP_0..N-1, MEAN_1..N) of the full system, and every level's gradients
    (``[(P_a, Q_a)]`` per axis, arrays over the levels ``0..N``)."""
    grads = _stacked_gradients(system, phi)
    R_h, R_f = _stacked_residuals(system, phi, m, mbar, grads)
    parts = [R_h.ravel(), R_f.ravel()]
    if system.coupled:
        parts.append((mbar[1:] - system.means(m)[1:]).ravel())
    return np.concatenate(parts), grads


def _history_residuals(system, phi, m, grads) -> tuple[float, float]:
    """Max-norm HJB and FP residuals at ``(phi, m)`` with ``mbar`` the means of ``m`` (as :func:`residuals`)."""
    R_h, R_f = _stacked_residuals(system, phi, m, system.means(m), grads)
    return float(np.abs(R_h).max()), float(np.abs(R_f).max())


def _block_diagonal(ops, grads, levels: slice, kind: str, weights=None) -> sp.csr_matrix:
    """The operators of the levels ``levels`` as one block-diagonal matrix (one ``S x S`` block per level):
    ``L`` (``L_phi - nu Lap_h``), ``A`` (``-nu Lap_h + L_phi^T``) or ``T`` (``d(L_phi^T m)/d phi`` with
    ``m = weights``), built with a few sparse products over all levels instead of one set per level."""
    K = len(range(*levels.indices(grads[0][0].shape[0])))
    eye = sp.identity(K, format="csr")
    kron = lambda M: sp.kron(eye, M, format="csr")
    diag = lambda v: sp.diags(np.ravel(v))
    if kind == "L":
        out = -kron(ops.lap_hjb)
        for (P, Q), Dp, Dm in zip(grads, ops.Dp, ops.Dm):
            out = out + diag(np.minimum(P[levels], 0.0)) @ kron(Dp) + diag(np.maximum(Q[levels], 0.0)) @ kron(Dm)
    elif kind == "A":
        out = -kron(ops.lap_fp)
        for (P, Q), Dp0, Dm0 in zip(grads, ops.Dp0, ops.Dm0):
            out = out + kron(Dp0.T) @ diag(np.minimum(P[levels], 0.0)) + kron(Dm0.T) @ diag(np.maximum(Q[levels], 0.0))
    else:
        out = None
        for (P, Q), Dp, Dm, Dp0, Dm0 in zip(grads, ops.Dp, ops.Dm, ops.Dp0, ops.Dm0):
            term = (kron(Dp0.T) @ diag(weights * (P[levels] < 0.0)) @ kron(Dp)
                    + kron(Dm0.T) @ diag(weights * (Q[levels] > 0.0)) @ kron(Dm))
            out = term if out is None else out + term
    return out.tocsr()


def _level_blocks(big: sp.csr_matrix, K: int, S: int) -> list:
    """The ``K`` diagonal ``S x S`` blocks of a block-diagonal CSR matrix (views of its arrays)."""
    ip = big.indptr
    return [sp.csr_matrix((big.data[ip[n * S]:ip[(n + 1) * S]], big.indices[ip[n * S]:ip[(n + 1) * S]] - n * S,
                           ip[n * S:(n + 1) * S + 1] - ip[n * S]), shape=(S, S)) for n in range(K)]


@njit(cache=True)
def _tridiagonal_factor(lower, diag, upper):
    """LU without pivoting of ``K`` tridiagonal matrices (rows of ``(K, S)`` arrays: ``lower[k, i] = M[i, i-1]``,
    ``diag[k, i] = M[i, i]``, ``upper[k, i] = M[i, i+1]``): the multipliers and the reciprocal pivots."""
    K, S = diag.shape
    mult = np.zeros((K, S))
    inv_pivot = np.empty((K, S))
    for k in range(K):
        pivot = diag[k, 0]
        inv_pivot[k, 0] = 1.0 / pivot
        for i in range(1, S):
            mult[k, i] = lower[k, i] * inv_pivot[k, i - 1]
            pivot = diag[k, i] - mult[k, i] * upper[k, i - 1]
            inv_pivot[k, i] = 1.0 / pivot
    return mult, inv_pivot


@njit(cache=True)
def _tridiagonal_solve(mult, inv_pivot, upper, B):
    """Solve in place with one factor of :func:`_tridiagonal_factor` for every column of ``B`` (``(S, k)``,
    C order: the inner loops run along the columns, so many right-hand sides cost one pass over ``B``)."""
    S, k = B.shape
    for i in range(1, S):
        for j in range(k):
            B[i, j] -= mult[i] * B[i - 1, j]
    for j in range(k):
        B[S - 1, j] *= inv_pivot[S - 1]
    for i in range(S - 2, -1, -1):
        for j in range(k):
            B[i, j] = (B[i, j] - upper[i] * B[i + 1, j]) * inv_pivot[i]
    return B


class _LevelSolvers:
    """LU factorisations of the ``K`` diagonal blocks of a block-diagonal matrix, each solved on its own (with
    any number of right-hand sides; ``solve(n, B)`` may overwrite ``B``). Tridiagonal blocks (1D stencils without
    periodic wrap) that are row or column diagonally dominant -- every HJB block ``I/dt + theta L_n`` and FP block
    ``I/dt + theta A_n`` is, being an M-matrix with zero row (HJB) or column (FP) sums plus ``I/dt`` -- use
    elimination without pivoting (stable for diagonal dominance), ``O(S)`` per factorisation and per column,
    compiled, all columns in one pass; other narrow bands LAPACK's banded LU (``gbtrf``/``gbtrs``); other blocks
    up to ``DENSE_MAX`` cells a dense LU, larger ones ``splu`` (COLAMD)."""

    BAND_MAX = 16
    DENSE_MAX = 256

    def __init__(self, big: sp.csr_matrix, K: int, S: int):
        from scipy.linalg import get_lapack_funcs, lu_factor, lu_solve
        coo = big.tocoo()
        coo.sum_duplicates()
        i, j = coo.row % S, coo.col % S
        kl, ku = int(max((i - j).max(initial=0), 0)), int(max((j - i).max(initial=0), 0))
        if kl + ku <= self.BAND_MAX:
            ab = np.zeros((K, 2 * kl + ku + 1, S))
            ab[coo.row // S, kl + ku + i - j, j] = coo.data
            if kl == ku == 1 and S > 1 and self._dominant(ab):
                lower, upper = np.zeros((K, S)), np.zeros((K, S))
                lower[:, 1:], upper[:, :-1] = ab[:, 3, :-1], ab[:, 1, 1:]
                mult, inv_pivot = _tridiagonal_factor(lower, np.ascontiguousarray(ab[:, 2]), upper)
                self.solve = lambda n, B: _tridiagonal_solve(mult[n], inv_pivot[n], upper[n],
                                                             np.ascontiguousarray(B, dtype=float))
                return
            gbtrf, gbtrs = get_lapack_funcs(("gbtrf", "gbtrs"), (coo.data,))
            factors = []
            for n in range(K):
                lu, piv, info = gbtrf(ab[n], kl, ku)
                if info != 0:
                    raise NumericalFailure("singular level block in the Newton step", time=0.0, step=n,
                                           where="space-time grid", limit="nonsingular HJB/FP level matrices")
                factors.append((lu, piv))
            self.solve = lambda n, B: gbtrs(factors[n][0], kl, ku, B, factors[n][1])[0]
        elif S <= self.DENSE_MAX:
            factors = [lu_factor(blk.toarray(), check_finite=False) for blk in _level_blocks(big, K, S)]
            self.solve = lambda n, B: lu_solve(factors[n], B, check_finite=False)
        else:
            factors = [spla.splu(blk.tocsc(), permc_spec="COLAMD") for blk in _level_blocks(big, K, S)]
            self.solve = lambda n, B: factors[n].solve(np.asarray(B, order="F"))

    @staticmethod
    def _dominant(ab) -> bool:
        """Every tridiagonal block (banded storage, ``kl = ku = 1``) row or column diagonally dominant."""
        d, up, lo = np.abs(ab[:, 2]), np.abs(ab[:, 1]), np.abs(ab[:, 3])   # up[:, j] = M[j-1, j], lo[:, j] = M[j+1, j]
        rows = np.zeros_like(d)
        rows[:, :-1] += up[:, 1:]                     # M[i, i+1]
        rows[:, 1:] += lo[:, :-1]                     # M[i, i-1]
        cols = up + lo                                # column j: M[j-1, j] + M[j+1, j]
        ok = np.all(d > 0.0, axis=1) & (np.all(d >= rows, axis=1) | np.all(d >= cols, axis=1))
        return bool(np.all(ok))


@dataclass
class _NewtonBlocks:
    """The Jacobian of the stacked residual, kept as its time-level blocks (never one space-time matrix).

    Unknowns ``phi^0..N-1``, ``m^1..N`` and (coupled) ``mbar^1..N``; with ``L_n = L_{phi^n} - nu Lap_h``,
    ``A_n`` the FP operator of level ``n``, ``T_{n,k} = d(A(phi^k) m)/d phi^k`` and ``j1 = 1`` for CN (else 0)::

        HJB_n:  D_n dphi^n + E_n dphi^{n+1} + c_n dmbar^{n+1} (+ c'_n dmbar^n, CN)      D_n = I/dt + theta L_n
        FP_n:   P_n dm^{n+1} + Q_n dm^n + theta T_{n,n+j1} dphi^{n+j1} (+ (1-theta) T_{n,n} dphi^n, CN)
        MEAN_n: dmbar^{n+1} - h^d sum x dm^{n+1}

    with ``E_n = -I/dt + (1 - theta) L_{n+1}``, ``P_n = I/dt + theta A_{n+j1}``, ``Q_n = -I/dt + (1-theta) A_n``.
    The HJB rows do not involve ``m`` and the FP rows only ``phi`` of their own (and, CN, the next) level, so
    without the means the Jacobian is block lower triangular in (phi, m), with a block upper bidiagonal (in
    time) HJB part and a block lower bidiagonal FP part."""

    hjb_diag: _LevelSolvers              # D_n, n = 0..N-1
    hjb_next: list | None                # E_n, n = 0..N-2 (None: implicit Euler, E_n = -I/dt)
    fp_diag: _LevelSolvers               # P_n
    fp_prev: list | None                 # Q_n, n = 0..N-1 (Q_0 unused; None: implicit Euler, Q_n = -I/dt)
    fp_phi_this: sp.csr_matrix           # block n: the FP_n term in dphi^n (IE: T_{n,n}; CN: (1-theta) T_{n,n})
    fp_phi_next: sp.csr_matrix | None    # block n: theta T_{n,n+1} (CN, n = 0..N-2)
    dh_next: np.ndarray | None           # (N, S, d): dHJB_n / dmbar^{n+1} = theta kappa (x - mbar^{n+1})
    dh_this: np.ndarray | None           # (N, S, d): dHJB_n / dmbar^n = (1 - theta) kappa (x - mbar^n), CN
    mean_rows: np.ndarray | None         # (d, S): h^d x, so that MEAN_n = mbar^{n+1} - mean_rows @ m^{n+1}


def _newton_jacobian(system, phi, m, mbar, grads) -> _NewtonBlocks:
    """The level blocks of the Newton Jacobian at ``(phi, m, mbar)`` (see :class:`_NewtonBlocks`), assembled for
    all levels at once (block-diagonal sparse products) and factored level by level (:class:`_LevelSolvers`):
    ``O(N S)`` work for stencil blocks."""
    ops, dt, N, S = system.ops, system.dt, system.steps, system.ops.size
    th = system.theta
    cn = system.crank_nicolson
    j1 = 1 if cn else 0
    eye = sp.identity(N * S, format="csr")
    L = _block_diagonal(ops, grads, slice(0, N), "L")
    A = _block_diagonal(ops, grads, slice(j1, N + j1), "A")
    hjb_diag = _LevelSolvers((eye / dt + th * L).tocsr(), N, S)
    fp_diag = _LevelSolvers((eye / dt + th * A).tocsr(), N, S)
    hjb_next = fp_prev = fp_phi_next = None
    if cn:
        E = _block_diagonal(ops, grads, slice(1, N), "L")           # L_{n+1}, n = 0..N-2
        hjb_next = _level_blocks((-sp.identity((N - 1) * S, format="csr") / dt + (1 - th) * E).tocsr(), N - 1, S)
        Q = _block_diagonal(ops, grads, slice(0, N), "A")            # A_n, n = 0..N-1
        fp_prev = _level_blocks((-eye / dt + (1 - th) * Q).tocsr(), N, S)
        fp_phi_this = (1 - th) * _block_diagonal(ops, grads, slice(0, N), "T", m[:N])
        fp_phi_next = th * _block_diagonal(ops, grads, slice(1, N), "T", m[1:N])
    else:
        fp_phi_this = _block_diagonal(ops, grads, slice(0, N), "T", m[1:])
    dh_next = dh_this = mean_rows = None
    if system.coupled:
        x = np.stack(ops.x, axis=-1)                                           # (S, d)
        mbar = np.asarray(mbar, dtype=float).reshape(N + 1, -1)
        w1, w0 = (th, 1 - th) if cn else (1.0, 0.0)
        dh_next = w1 * system.kappa * (x[None, :, :] - mbar[1:, None, :])
        if w0:
            dh_this = w0 * system.kappa * (x[None, :, :] - mbar[:-1, None, :])
            dh_this[0] = 0.0                                                   # mbar^0 = mean of m_0: data
        mean_rows = ops.cell * x.T
    return _NewtonBlocks(hjb_diag, hjb_next, fp_diag, fp_prev, fp_phi_this.tocsr(),
                         None if fp_phi_next is None else fp_phi_next.tocsr(), dh_next, dh_this, mean_rows)


def _newton_direction(system, J: _NewtonBlocks, R: np.ndarray) -> np.ndarray:
    """Solve ``J delta = -R`` exactly by block elimination in time: no space-time factorisation.

    Method. Without the means, ``J`` is block lower triangular (see :class:`_NewtonBlocks`): a backward sweep
    through the HJB levels (``D_n dphi^n = r^n - E_n dphi^{n+1}``), then a forward sweep through the FP levels
    (``P_n dm^{n+1} = r^n - Q_n dm^n - T dphi``) solve it, with the level factorisations of the Jacobian. The
    ``N d`` means couple every cell of a level, so they are eliminated by their Schur complement: the sweeps run
    once with ``N d + 1`` right-hand sides together (the residual and the response to each mean unknown; the
    HJB sweep carries only the columns that are nonzero at a level, those of ``mbar^{n..N}``), which gives the
    means' dense ``N d x N d`` system ``(I - h^d sum x dm/dmbar) dmbar = -R_mean + h^d sum x dm_0``; then
    ``dphi`` and ``dm`` follow from one more pair of single right-hand-side sweeps.

    Cost per Newton step, ``S`` cells and banded (1D) levels: ``~3N`` level solves with up to ``N d + 1``
    columns, ``O(N^2 d S)`` flops, plus one dense ``N d`` solve, ``O((N d)^3)``; memory ``2 N S (N d + 1)``
    floats (HJB responses and their FP sources), freed before the last sweeps. Uncoupled: ``2N`` single
    right-hand-side level solves, the cost of one linear Picard sweep. (One ``splu`` of the whole space-time
    matrix instead, with the means by Woodbury, costs ``N d`` solves with that fill-heavy factorisation.)"""
    ops, N, S = system.ops, system.steps, system.ops.size
    d = ops.dim
    coupled = J.dh_next is not None
    cn = J.dh_this is not None
    nb = N * d if coupled else 0                 # mean unknowns; column nb carries the residual
    ncol = nb + 1
    dt = system.dt
    R_h, R_f = R[:N * S].reshape(N, S), R[N * S:2 * N * S].reshape(N, S)

    def hjb_sweep_lin(rhs, X, lo_of):
        for n in range(N - 1, -1, -1):
            lo = lo_of(n)
            B = rhs(n, lo)
            if n < N - 1:
                B -= (-X[n + 1, :, lo:] / dt) if J.hjb_next is None else J.hjb_next[n] @ X[n + 1, :, lo:]
            X[n, :, lo:] = J.hjb_diag.solve(n, B)
        return X

    def fp_sweep_lin(X, rhs, keep):
        Xf = X.reshape(N * S, -1)
        G = (J.fp_phi_this @ Xf).reshape(N, S, -1)                 # FP_n sources -T dphi, all levels at once
        if J.fp_phi_next is not None:
            G[:-1] += (J.fp_phi_next @ Xf[S:]).reshape(N - 1, S, -1)
        Y, kept = None, []
        for n in range(N):
            B = rhs(n) - G[n]
            if n > 0:
                B -= (-Y / dt) if J.fp_prev is None else J.fp_prev[n] @ Y
            Y = J.fp_diag.solve(n, B)
            kept.append(keep(Y))
        return kept

    def single_rhs(n, lo):
        return -R_h[n][:, None].copy()

    if not coupled:
        X = hjb_sweep_lin(single_rhs, np.empty((N, S, 1)), lambda n: 0)
        dm = fp_sweep_lin(X, lambda n: -R_f[n][:, None], lambda Y: Y[:, 0])
        return np.concatenate([X.ravel(), np.ravel(dm)])

    def all_rhs(n, lo):                          # columns lo..nb: unit mean responses, then the residual
        B = np.zeros((S, ncol - lo))
        B[:, -1] = -R_h[n]
        B[:, n * d - lo:(n + 1) * d - lo] = -J.dh_next[n]
        if cn and n > 0:
            B[:, (n - 1) * d - lo:n * d - lo] -= J.dh_this[n]
        return B

    lo_of = (lambda n: max(n - 1, 0) * d) if cn else (lambda n: n * d)
    X = hjb_sweep_lin(all_rhs, np.zeros((N, S, ncol)), lo_of)

    def fp_all_rhs(n):
        B = np.zeros((S, ncol))
        B[:, -1] = -R_f[n]
        return B

    means = np.concatenate(fp_sweep_lin(X, fp_all_rhs, lambda Y: J.mean_rows @ Y))   # (N d, ncol)
    del X
    dmbar = np.linalg.solve(np.eye(nb) - means[:, :nb], -R[2 * N * S:] + means[:, nb])
    dmb = dmbar.reshape(N, d)

    def solved_rhs(n, lo):                       # the HJB rows with the means known: one column
        B = -R_h[n] - J.dh_next[n] @ dmb[n]
        if cn and n > 0:
            B -= J.dh_this[n] @ dmb[n - 1]
        return B[:, None]

    dphi = hjb_sweep_lin(solved_rhs, np.empty((N, S, 1)), lambda n: 0)
    dm = fp_sweep_lin(dphi, lambda n: -R_f[n][:, None], lambda Y: Y[:, 0])
    return np.concatenate([dphi.ravel(), np.ravel(dm), dmbar])


def _newton_krylov(system, settings):
    """Spectral variant: Newton-Krylov (matrix-free, ``scipy.optimize.newton_krylov``) on the stacked residuals
    of the space-time system; the history records the residual norm after every Newton step."""
    from scipy.optimize import newton_krylov
    ops, N, S, dt = system.ops, system.steps, system.ops.size, system.dt
    m = np.broadcast_to(system.m0, (N + 1, S)).copy()
    phi, _ = hjb_sweep(system, system.means(m) if system.coupled else None)
    m = fp_sweep(system, phi)
    history = {k: [] for k in ("change", "hjb_residual", "fp_residual", "newton_residual")}

    def unpack(X):
        p, q = phi.copy(), m.copy()
        p[:N] = X[:N * S].reshape(N, S)
        q[1:] = X[N * S:].reshape(N, S)
        return p, q

    def F(X):
        p, q = unpack(X)
        mbar = system.means(q)
        parts = [ops.residual_pair(p[n], p[n + 1], q[n], q[n + 1], system.coupling(mbar[n + 1]), dt)
                 for n in range(N)]
        return np.concatenate([np.concatenate([r for r, _ in parts]), np.concatenate([f for _, f in parts])])

    def record(X, R):
        history["newton_residual"].append(float(np.linalg.norm(R)))
        _notify(settings, history)

    X0 = np.concatenate([phi[:N].ravel(), m[1:].ravel()])
    R0 = F(X0)
    f_tol = max(settings["tol"], 1e-12) * max(1.0, np.abs(R0).max())
    try:
        if np.abs(R0).max() <= f_tol:          # the first sweep already solves it (F = 0: decoupled)
            X = X0
            record(X0, R0)
        else:
            X = newton_krylov(F, X0, f_tol=f_tol, maxiter=settings["max_iterations"], callback=record,
                              method="lgmres")
    except Exception as exc:      # scipy raises NoConvergence
        history.setdefault("change", [np.nan])
        raise NumericalFailure(f"Newton-Krylov did not converge ({exc})", time=0.0,
                               step=settings["max_iterations"], where="space-time grid",
                               limit=f"|residual| <= {settings['tol']:g}") from None
    phi, m = unpack(X)
    hjb, fp = residuals(system, phi, m)
    n_it = max(1, len(history["newton_residual"]))
    history.update(change=[0.0] * n_it, hjb_residual=[hjb] * n_it, fp_residual=[fp] * n_it)
    return MFGSolution(phi, m, {k: np.array(v) for k, v in history.items()}, n_it)


@_register("newton", "Newton on the space-time system, step by block elimination in time (HJB sweep back, FP "
                     "sweep forward, means by Schur complement), backtracking line search (spectral: Newton-Krylov)")
def newton(system, settings):
    """Newton's method on the discrete HJB-FP system (all levels at once), from one Picard sweep from ``m_0``.

    Each iteration: the stacked residual (:func:`_newton_residual`, every level's operators applied in one
    sparse product), the Jacobian's level blocks (:func:`_newton_jacobian`), the exact Newton step by block
    elimination in time (:func:`_newton_direction`), then a backtracking line search on the residual's 2-norm
    (halving from the full step; near the solution the full step is taken and convergence is quadratic). The
    iteration is a deterministic function of ``(phi, m, mbar)`` at its start (restarts resume bit for bit).
    Cost per iteration, 1D (banded levels), ``S`` cells and ``N`` steps: ``O(N^2 d S + (N d)^3)`` flops for the
    step and ``O(N S)`` for residuals and Jacobian; the start costs one Picard sweep. Stops when the relative
    change of ``m`` is ``<= tol`` and the HJB/FP residuals are ``<= max(1e-9, 1e3 tol)``."""
    if getattr(system.ops, "spectral", False):
        return _newton_krylov(system, settings)
    tol, max_it = settings["tol"], settings["max_iterations"]
    ops, N, S = system.ops, system.steps, system.ops.size
    d = ops.dim
    # initial guess: one Picard sweep from m = m0
    m = np.broadcast_to(system.m0, (N + 1, S)).copy()
    phi, _ = hjb_sweep(system, system.means(m) if system.coupled else None)
    m = fp_sweep(system, phi)
    mbar = system.means(m)
    history = {k: [] for k in ("change", "hjb_residual", "fp_residual", "newton_residual")}
    first = 0
    saved = _resumed(settings)
    if saved is not None:       # a checkpoint: (phi, m, mbar) determine R and the Jacobian exactly
        first, phi, m, mbar, history = saved["iteration"], saved["phi"], saved["m"], saved["mbar"], saved["history"]
    R, grads = _newton_residual(system, phi, m, mbar)
    for k in range(first, max_it):
        J = _newton_jacobian(system, phi, m, mbar, grads)
        delta = _newton_direction(system, J, R)
        norm0 = np.linalg.norm(R)
        step = 1.0
        while True:
            phi_t = phi.copy(); m_t = m.copy(); mbar_t = mbar.copy()
            phi_t[:N] += step * delta[:N * S].reshape(N, S)
            m_t[1:] += step * delta[N * S:2 * N * S].reshape(N, S)
            if system.coupled:
                mbar_t[1:] += step * delta[2 * N * S:].reshape(N, d)
            R_t, grads_t = _newton_residual(system, phi_t, m_t, mbar_t)
            if np.linalg.norm(R_t) < (1 - 1e-4 * step) * norm0 or step < 1e-4:
                break
            step *= 0.5
        change = float(step * np.abs(delta[N * S:2 * N * S]).max() / np.abs(m_t).max())
        phi, m, mbar, R, grads = phi_t, m_t, mbar_t, R_t, grads_t
        hjb, fp = _history_residuals(system, phi, m, grads)
        for key, v in (("change", change), ("hjb_residual", hjb), ("fp_residual", fp),
                       ("newton_residual", float(np.linalg.norm(R)))):
            history[key].append(v)
        _notify(settings, history)
        if change <= tol and max(hjb, fp) <= max(1e-9, 1e3 * tol):
            return MFGSolution(phi, m, {k: np.array(v) for k, v in history.items()}, k + 1)
        _checkpoint(settings, k + 1, dict(phi=phi, m=m, mbar=mbar, history=history))
    _not_converged(history, tol, max_it)


def _w_diffusion(ops: MFGOperators, shift: float):
    """``nu Lap`` for ``w = exp(-(phi - shift)/(2 nu))``: the HJB's boundary kinds, exact wall values mapped."""
    from ..equations.heat import StencilDiffusion
    from ..equations.space import SPACE_SCHEMES
    values = None
    if ops.exact_walls:
        values = (lambda x, tt: np.exp(-(ops.phi_boundary(x, float(np.ravel(tt)[0])) - shift) / (2 * ops.nu)))
    return StencilDiffusion(ops.grid, ops.bcs, SPACE_SCHEMES.get("central2"), ops.nu, boundary_values=values)


@_register("cole_hopf", "F = 0: w = exp(-phi/(2 nu)) by backward heat steps, then the FP sweep", needs_uncoupled=True)
def cole_hopf(system, settings):
    ops, dt, N = system.ops, system.dt, system.steps
    nu = ops.nu
    shift = float(system.G.min())
    w = np.empty((N + 1, ops.size))
    w[N] = np.exp(-(system.G - shift) / (2 * nu))
    if getattr(ops, "spectral", False):
        heat = backward = (lambda v, t: ops.helmholtz_solve(v / dt, dt))
    else:
        eye = sp.identity(ops.size, format="csr")
        lu = spla.splu((eye / dt - ops.lap_fp).tocsc())       # forward heat (w_hat): the conservative closure
        # backward heat for w with the HJB's closure: 'exact' walls carry w = exp(-(phi - shift)/(2 nu))
        w_heat = _w_diffusion(ops, shift)
        lu_w = spla.splu((eye / dt - w_heat.matrix()).tocsc())
        heat = (lambda v, t: lu.solve(v / dt))
        backward = (lambda v, t: lu_w.solve(v / dt + w_heat.boundary_term(t)))
    for n in range(N - 1, -1, -1):
        w[n] = backward(w[n + 1], system.times[n])
    with np.errstate(divide="ignore"):
        phi = -2 * nu * np.log(np.maximum(w, np.finfo(float).tiny)) + shift
    m = fp_sweep(system, phi)
    w_hat = np.empty_like(w)
    w_hat[0] = system.m0 / np.maximum(w[0], np.finfo(float).tiny)
    for n in range(N):
        w_hat[n + 1] = heat(w_hat[n], system.times[n + 1])
    product = w * w_hat
    hjb, fp = residuals(system, phi, m)
    history = {"change": np.array([0.0]), "hjb_residual": np.array([hjb]), "fp_residual": np.array([fp])}
    diff = float(np.abs(product - m).max() / np.abs(m).max())
    return MFGSolution(phi, m, history, 1, extras={"cole_hopf_product_linf": diff})
