"""Newton's method on the whole discrete HJB-FP space-time system (the ``newton`` outer solver).

Unknowns ``phi^0..N-1``, ``m^1..N`` and, when coupled, ``mbar^1..N`` (so the Jacobian stays sparse); a
backtracking line search on the residual norm (Achdou & Perez 2012). The Newton step is solved exactly by block
elimination in time (an HJB sweep backward, an FP sweep forward, level factorisations -- tridiagonal levels by
:mod:`solvers.kernels.batched_tridiagonal` --, the means by their dense Schur complement), never one space-time
factorisation. Matrix-free operators (``ops.matrix_free``: the spectral scheme) have no sparse Jacobian: there
``newton`` is Newton-Krylov on the stacked residuals (``scipy.optimize.newton_krylov``; Knoll & Keyes 2004).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..errors import NumericalFailure
from ..hooks import RunHooks
from ..kernels.batched_tridiagonal import tridiagonal_factor_batch, tridiagonal_solve_columns
from .mfg_system import (MFGSolution, OuterSettings, fp_sweep, hjb_sweep, not_converged, residuals,
                         stacked_gradients, stacked_residuals)


def _newton_residual(system, phi, m, mbar):
    """Stacked residual (HJB_0..N-1, FP_0..N-1, MEAN_1..N) of the full system, and every level's gradients
    (``[(P_a, Q_a)]`` per axis, arrays over the levels ``0..N``)."""
    grads = stacked_gradients(system, phi)
    R_h, R_f = stacked_residuals(system, phi, m, mbar, grads)
    parts = [R_h.ravel(), R_f.ravel()]
    if system.coupled:
        parts.append((mbar[1:] - system.means(m)[1:]).ravel())
    return np.concatenate(parts), grads


def _history_residuals(system, phi, m, grads) -> tuple[float, float]:
    """Max-norm HJB and FP residuals at ``(phi, m)`` with ``mbar`` the means of ``m`` (as :func:`residuals`)."""
    R_h, R_f = stacked_residuals(system, phi, m, system.means(m), grads)
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
                mult, inv_pivot = tridiagonal_factor_batch(lower, np.ascontiguousarray(ab[:, 2]), upper)
                self.solve = lambda n, B: tridiagonal_solve_columns(mult[n], inv_pivot[n], upper[n],
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


def newton_krylov(system, settings: OuterSettings, hooks: RunHooks) -> MFGSolution:
    """Newton-Krylov for matrix-free operators (spectral): ``scipy.optimize.newton_krylov`` on the stacked
    residuals of the space-time system; the history records the residual norm after every Newton step."""
    from scipy.optimize import newton_krylov as scipy_newton_krylov
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
        hooks.iteration_done(history)

    X0 = np.concatenate([phi[:N].ravel(), m[1:].ravel()])
    R0 = F(X0)
    f_tol = max(settings.tol, 1e-12) * max(1.0, np.abs(R0).max())
    try:
        if np.abs(R0).max() <= f_tol:          # the first sweep already solves it (F = 0: decoupled)
            X = X0
            record(X0, R0)
        else:
            X = scipy_newton_krylov(F, X0, f_tol=f_tol, maxiter=settings.max_iterations, callback=record,
                                    method="lgmres")
    except Exception as exc:      # scipy raises NoConvergence
        history.setdefault("change", [np.nan])
        raise NumericalFailure(f"Newton-Krylov did not converge ({exc})", time=0.0,
                               step=settings.max_iterations, where="space-time grid",
                               limit=f"|residual| <= {settings.tol:g}") from None
    phi, m = unpack(X)
    hjb, fp = residuals(system, phi, m)
    n_it = max(1, len(history["newton_residual"]))
    history.update(change=[0.0] * n_it, hjb_residual=[hjb] * n_it, fp_residual=[fp] * n_it)
    return MFGSolution(phi, m, {k: np.array(v) for k, v in history.items()}, n_it)


def newton(system, settings: OuterSettings, hooks: RunHooks) -> MFGSolution:
    """Newton's method on the discrete HJB-FP system (all levels at once), from one Picard sweep from ``m_0``.

    Each iteration: the stacked residual (:func:`_newton_residual`, every level's operators applied in one
    sparse product), the Jacobian's level blocks (:func:`_newton_jacobian`), the exact Newton step by block
    elimination in time (:func:`_newton_direction`), then a backtracking line search on the residual's 2-norm
    (halving from the full step; near the solution the full step is taken and convergence is quadratic). The
    iteration is a deterministic function of ``(phi, m, mbar)`` at its start (restarts resume bit for bit).
    Cost per iteration, 1D (banded levels), ``S`` cells and ``N`` steps: ``O(N^2 d S + (N d)^3)`` flops for the
    step and ``O(N S)`` for residuals and Jacobian; the start costs one Picard sweep. Stops when the relative
    change of ``m`` is ``<= tol`` and the HJB/FP residuals are ``<= max(1e-9, 1e3 tol)``."""
    if system.ops.matrix_free:
        return newton_krylov(system, settings, hooks)
    tol, max_it = settings.tol, settings.max_iterations
    ops, N, S = system.ops, system.steps, system.ops.size
    d = ops.dim
    # initial guess: one Picard sweep from m = m0
    m = np.broadcast_to(system.m0, (N + 1, S)).copy()
    phi, _ = hjb_sweep(system, system.means(m) if system.coupled else None)
    m = fp_sweep(system, phi)
    mbar = system.means(m)
    history = {k: [] for k in ("change", "hjb_residual", "fp_residual", "newton_residual")}
    first = 0
    saved = hooks.resumed_iteration()
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
        hooks.iteration_done(history)
        if change <= tol and max(hjb, fp) <= max(1e-9, 1e3 * tol):
            return MFGSolution(phi, m, {k: np.array(v) for k, v in history.items()}, k + 1)
        hooks.checkpoint_iteration(k + 1, dict(phi=phi, m=m, mbar=mbar, history=history))
    not_converged(history, tol, max_it)

