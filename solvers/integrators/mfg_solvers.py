"""The registered MFG time schemes and outer solvers (``[method] time``, ``[mfg] solver``) of the discrete
HJB-FP system (:mod:`solvers.integrators.mfg_system`).

Time schemes (:data:`MFG_TIME_SCHEMES`): ``implicit_euler`` (``theta = 1``) and ``crank_nicolson``
(``theta = 1/2``, finite differences only, its ``dt = "auto"`` bound the positivity of the explicit half).

Outer solvers (:data:`MFG_SOLVERS`), each ``solve(system, settings, hooks)`` with the case's
:class:`OuterSettings` and the run's :class:`~solvers.hooks.RunHooks` (progress and the extra callback after every
iteration, checkpoints of the iterate, the iterate of a resumed run):

``picard``           ``m <- (1 - theta) m + theta FP(HJB(m))`` (``damping = theta``)
``fictitious_play``  ``m <- (k m + FP(HJB(m)))/(k + 1)`` (Cardaliaguet & Hadikhanloo 2017)
``newton``           Newton on the whole space-time system (unknowns ``phi^0..N-1``, ``m^1..N`` and ``mbar^1..N``
                     when coupled, so the Jacobian stays sparse), backtracking line search on the residual norm
                     (Achdou & Perez 2012); the Newton step is solved exactly by block elimination in time (an HJB
                     sweep backward, an FP sweep forward, level factorisations, the means by their dense Schur
                     complement), never one space-time factorisation (:mod:`solvers.integrators.mfg_newton`)
``cole_hopf``        ``F = 0`` only: ``w = exp(-phi/(2 nu))`` by backward implicit-Euler heat steps, ``phi =
                     -2 nu log w``, then the FP sweep (so mass stays conserved); the product ``w w_hat`` of the
                     forward heat solution is recorded as a cross-check of ``m``
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..equations.mfg import MFGOperators, no_dt_limit
from ..hooks import RunHooks
from ..registry import Registry
from .mfg_newton import newton
from .mfg_system import MFGSolution, MFGSystem, OuterSettings, fp_sweep, hjb_sweep, not_converged, residuals

__all__ = ["MFG_SOLVERS", "MFG_TIME_SCHEMES", "MFGTimeScheme", "OuterSettings", "OuterSolver"]


# ------------------------------------------------------------------ time schemes
@dataclass(frozen=True)
class MFGTimeScheme:
    """One registered ``method.time`` of ``equation = "mfg"``: ``theta`` weights the new level of every step (1:
    implicit Euler, 1/2: Crank-Nicolson); ``finite_differences_only``: needs the sparse (monotone) operators;
    ``auto_dt_limit(ops, G, T)``: the bound of ``dt = "auto"`` from the scheme, ``(dt or inf, rule text)`` (the
    text may name the resulting step as ``{dt}``)."""

    name: str
    order: float
    description: str
    source: str
    theta: float
    finite_differences_only: bool = False
    auto_dt_limit: Callable[..., tuple[float, str]] = no_dt_limit


def crank_nicolson_positivity(ops: MFGOperators, G: np.ndarray, T: float) -> tuple[float, str]:
    """Positivity of the explicit half ``I/dt - A/2`` at the terminal cost: ``dt <= 0.9 x 2 / max diag A``,
    ``A = -nu Lap_h + L_G^T`` (a parabolic ``dt ~ h^2 / nu``: the price of second order in time with a
    monotone space scheme)."""
    grads = ops.gradients(G, ops.phi_offsets(T)[0])
    A = (ops.transport(grads) - ops.lap_fp).diagonal()
    return 0.9 * 2.0 / float(A.max()), "; Crank-Nicolson positivity dt <= 0.9 x 2/max diag(-nu Lap + L_G^T) = {dt:.4g}"


MFG_TIME_SCHEMES: Registry[MFGTimeScheme] = Registry("time")
MFG_TIME_SCHEMES.add(MFGTimeScheme(
    "implicit_euler", 1, "implicit Euler for HJB (backward) and FP (forward): M-matrix steps, monotone",
    "Y. Achdou & I. Capuzzo-Dolcetta, Mean field games: numerical methods, SIAM J. Numer. Anal. 48 (2010) "
    "1136-1162, scheme (9)-(10)", theta=1.0))
MFG_TIME_SCHEMES.add(MFGTimeScheme(
    "crank_nicolson", 2, "Crank-Nicolson (theta = 1/2) for HJB and FP at integer levels; positive only for "
    "dt <= 2 / max diag(-nu Lap_h + L_phi^T) (checked by dt = 'auto'); finite differences only",
    "J. Crank & P. Nicolson, A practical method for numerical evaluation of solutions of partial differential "
    "equations of the heat-conduction type, Proc. Cambridge Philos. Soc. 43 (1947) 50-67", theta=0.5,
    finite_differences_only=True, auto_dt_limit=crank_nicolson_positivity))


# ------------------------------------------------------------------ outer solvers
@dataclass(frozen=True)
class OuterSolver:
    """One registered ``mfg.solver``: ``algorithm(system, settings, hooks) -> MFGSolution``; ``needs_uncoupled``:
    only for ``F = 0`` (and why); ``matrix_free_restartable``: a checkpoint of its iterate resumes it bit for bit
    also with matrix-free operators."""

    name: str
    description: str
    source: str
    algorithm: Callable[[MFGSystem, OuterSettings, RunHooks], MFGSolution]
    needs_uncoupled: bool = False
    uncoupled_why: str = ""
    matrix_free_restartable: bool = True

    def solve(self, system: MFGSystem, settings: OuterSettings, hooks: RunHooks | None = None) -> MFGSolution:
        return self.algorithm(system, settings, RunHooks() if hooks is None else hooks)

    def restartable(self, ops) -> bool:
        """Whether ``--checkpoint-every`` / ``--resume`` reproduce the uninterrupted run with these operators."""
        return self.matrix_free_restartable or not ops.matrix_free


MFG_SOLVERS: Registry[OuterSolver] = Registry("mfg solver")


def _register(name, description, source, **options):
    def deco(fn):
        MFG_SOLVERS.add(OuterSolver(name, description, source, fn, **options))
        return fn
    return deco


def _fixed_point(system: MFGSystem, settings: OuterSettings, hooks: RunHooks, weight) -> MFGSolution:
    """Shared loop of Picard and fictitious play: ``m <- (1 - w_k) m + w_k FP(HJB(m))``."""
    tol, max_it = settings.tol, settings.max_iterations
    N = system.steps
    m = np.broadcast_to(system.m0, (N + 1, system.ops.size)).copy()
    history = {k: [] for k in ("change", "hjb_residual", "fp_residual")}
    newton_steps = 0
    phi = None
    first = 0
    saved = hooks.resumed_iteration()
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
        hooks.iteration_done(history)
        if change <= tol:
            return MFGSolution(phi, m_new, {k: np.array(v) for k, v in history.items()}, k + 1, newton_steps)
        hooks.checkpoint_iteration(k + 1, dict(m=m, phi=phi, history=history, newton_steps=newton_steps))
    not_converged(history, tol, max_it)


@_register("picard", "damped fixed point m <- (1 - theta) m + theta FP(HJB(m)), theta = mfg.damping",
           "Y. Achdou & M. Laurière, Mean field games and applications: numerical aspects, in: Mean Field Games, "
           "Lecture Notes in Math. 2281, Springer (2020) 249-307 (damped fixed-point iterations)")
def picard(system, settings, hooks):
    return _fixed_point(system, settings, hooks, lambda k: settings.damping if k > 0 else 1.0)


@_register("fictitious_play", "fictitious play: m <- (k m + FP(HJB(m)))/(k + 1)",
           "P. Cardaliaguet & S. Hadikhanloo, Learning in mean field games: the fictitious play, ESAIM: COCV 23 "
           "(2017) 569-591")
def fictitious_play(system, settings, hooks):
    return _fixed_point(system, settings, hooks, lambda k: 1.0 / (k + 1.0))


_register("newton", "Newton on the space-time system, step by block elimination in time (HJB sweep back, FP "
                    "sweep forward, means by Schur complement), backtracking line search (spectral: Newton-Krylov)",
          "Y. Achdou & V. Perez, Iterative strategies for solving linearized discrete mean field games systems, "
          "Netw. Heterog. Media 7 (2012) 197-217; matrix-free: D. A. Knoll & D. E. Keyes, Jacobian-free "
          "Newton-Krylov methods, J. Comput. Phys. 193 (2004) 357-397",
          matrix_free_restartable=False)(newton)        # scipy's newton_krylov keeps its Krylov state inside


def _w_diffusion(ops: MFGOperators, shift: float):
    """``nu Lap`` for ``w = exp(-(phi - shift)/(2 nu))``: the HJB's boundary kinds, exact wall values mapped."""
    from ..equations.heat import StencilDiffusion
    from ..equations.space import SPACE_SCHEMES
    values = None
    if ops.exact_walls:
        values = (lambda x, tt: np.exp(-(ops.phi_boundary(x, float(np.ravel(tt)[0])) - shift) / (2 * ops.nu)))
    return StencilDiffusion(ops.grid, ops.bcs, SPACE_SCHEMES.get("central2"), ops.nu, boundary_values=values)


@_register("cole_hopf", "F = 0: w = exp(-phi/(2 nu)) by backward heat steps, then the FP sweep",
           "O. Guéant, Mean field games equations with quadratic Hamiltonian: a specific approach, Math. Models "
           "Methods Appl. Sci. 22 (2012) 1250022; E. Hopf (1950), J. D. Cole (1951)",
           needs_uncoupled=True, uncoupled_why="the Cole-Hopf transform needs F = 0")
def cole_hopf(system, settings, hooks):
    ops, dt, N = system.ops, system.dt, system.steps
    nu = ops.nu
    shift = float(system.G.min())
    w = np.empty((N + 1, ops.size))
    w[N] = np.exp(-(system.G - shift) / (2 * nu))
    if ops.matrix_free:
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
