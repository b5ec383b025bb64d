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
                     when coupled, so the Jacobian stays sparse), ``scipy.sparse`` Jacobian, ``splu`` solve,
                     backtracking line search on the residual norm (Achdou & Perez 2012)
``cole_hopf``        ``F = 0`` only: ``w = exp(-phi/(2 nu))`` by backward implicit-Euler heat steps, ``phi =
                     -2 nu log w``, then the FP sweep (so mass stays conserved); the product ``w w_hat`` of the
                     forward heat solution is recorded as a cross-check of ``m``
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

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


def _newton_residual(system, phi, m, mbar):
    """Stacked residual (HJB_0..N-1, FP_0..N-1, MEAN_1..N) of the full system, and every level's gradients."""
    R_h, R_f, grads = level_residuals(system, phi, m, mbar)
    parts = [R_h.ravel(), R_f.ravel()]
    if system.coupled:
        parts.append((mbar[1:] - system.means(m)[1:]).ravel())
    return np.concatenate(parts), grads


def _newton_jacobian(system, phi, m, mbar, grads):
    ops, dt, N, S = system.ops, system.dt, system.steps, system.ops.size
    d = ops.dim
    eye = sp.identity(S, format="csr")
    th, j1 = system.theta, (1 if system.crank_nicolson else 0)
    A = [system.fp_matrix(g) for g in grads]                   # FP space operator per level
    rows = []   # (block row, block col, matrix); unknowns phi^0..N-1 (blocks 0..N-1), m^1..N (N..2N-1)
    for n in range(N):
        rows.append((n, n, eye / dt + th * (ops.linearised(grads[n]) - ops.lap_hjb)))
        if n + 1 < N:
            off_diag = -eye / dt
            if th < 1.0:
                off_diag = off_diag + (1 - th) * (ops.linearised(grads[n + 1]) - ops.lap_hjb)
            rows.append((n, n + 1, off_diag))
        # FP_n: m^{n+1} is block N + n, m^n block N + n - 1, phi^k block k
        rows.append((N + n, N + n, eye / dt + th * A[n + j1]))
        if n > 0:
            prev = -eye / dt
            if th < 1.0:
                prev = prev + (1 - th) * A[n]
            rows.append((N + n, N + n - 1, prev))
        if n + j1 < N:
            rows.append((N + n, n + j1, th * ops.transport_jacobian(grads[n + j1], m[n + 1])))
        if th < 1.0:
            rows.append((N + n, n, (1 - th) * ops.transport_jacobian(grads[n], m[n])))
    merged = {}
    for r, c, M in rows:                       # CN puts two terms into some blocks
        merged[(r, c)] = M if (r, c) not in merged else merged[(r, c)] + M
    rows = [(r, c, M) for (r, c), M in merged.items()]
    blocks = [[None] * (2 * N) for _ in range(2 * N)]
    for r, c, M in rows:
        blocks[r][c] = M
    J = sp.bmat(blocks, format="csr")
    if not system.coupled:
        return J, None, None
    # dHJB_n/dmbar^{n+1} = kappa (x - mbar) per coordinate; MEAN_n = mbar^{n+1} - h^d sum x m^{n+1}
    i = np.arange(S)
    r_h, c_h, v_h, r_m, c_m, v_m = [], [], [], [], [], []
    w1, w0 = (th, 1 - th) if th < 1.0 else (1.0, 0.0)
    for n in range(N):
        for a in range(d):
            r_h.append(n * S + i); c_h.append(np.full(S, n * d + a))
            v_h.append(w1 * system.kappa * (ops.x[a] - mbar[n + 1][a]))
            if w0 and n > 0:                   # CN: F^n of HJB_n depends on mbar^n (unknown n - 1)
                r_h.append(n * S + i); c_h.append(np.full(S, (n - 1) * d + a))
                v_h.append(w0 * system.kappa * (ops.x[a] - mbar[n][a]))
            r_m.append(np.full(S + 1, n * d + a))
            c_m.append(np.concatenate([N * S + n * S + i, [2 * N * S + n * d + a]]))
            v_m.append(np.concatenate([-ops.cell * ops.x[a], [1.0]]))
    cat = np.concatenate
    dh = sp.coo_matrix((cat(v_h), (cat(r_h), cat(c_h))), shape=(2 * N * S, N * d)).tocsr()
    dm = sp.csr_matrix((cat(v_m), (cat(r_m), cat(c_m))), shape=(N * d, 2 * N * S + N * d))
    return J, dh, dm[:, :2 * N * S]


def _newton_direction(J, U, V, R, n_local: int) -> np.ndarray:
    """Solve ``[[J, U], [V, I]] delta = -R``. The mean unknowns couple every cell of a time level (dense
    columns ``U``, rows ``V``): they are eliminated by the Woodbury identity, so only the sparse ``J`` is
    factored, ``(J - U V)^{-1} b = J^{-1} b + Z (I - V Z)^{-1} V J^{-1} b`` with ``Z = J^{-1} U``."""
    lu = spla.splu(J.tocsc(), permc_spec="MMD_AT_PLUS_A")     # least fill on the space-time pattern
    if U is None:
        return lu.solve(-R)
    r1, r2 = -R[:n_local], -R[n_local:]
    Z = lu.solve(U.toarray())
    C = np.eye(U.shape[1]) - V @ Z
    y0 = lu.solve(r1 - U @ r2)
    y = y0 + Z @ np.linalg.solve(C, V @ y0)
    return np.concatenate([y, r2 - V @ y])


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


@_register("newton", "Newton on the space-time system, sparse Jacobian, splu, backtracking line search "
                     "(spectral variant: Newton-Krylov)")
def newton(system, settings):
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
        J, U, V = _newton_jacobian(system, phi, m, mbar, grads)
        delta = _newton_direction(J, U, V, R, 2 * N * S)
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
        hjb, fp = residuals(system, phi, m)
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
