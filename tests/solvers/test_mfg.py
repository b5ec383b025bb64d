"""The monotone HJB-Fokker-Planck solver (ANALYTIC.md §6; :mod:`solvers.equations.mfg`,
:mod:`solvers.integrators.mfg_solvers`).

* Structure: the FP transport is the exact adjoint of the linearised Godunov Hamiltonian (periodic and
  zero-flux, 1D and 2D, random ``phi``), the linearisation and the transport Jacobian are the derivatives of
  what they linearise (central differences), the FP step matrix is an M-matrix with zero column sums.
* Orders against the §6b closed form (:class:`~solvers.closed_forms.lq_mfg.LQMeanFieldGame`): the HJB alone
  (``F = 0``, quadratic terminal cost, exact walls) and the FP alone (``fp_sweep`` with the exact ``phi``) in
  space + time (``dt = h/4``), each in time alone (fixed grid, self-convergence under dt halving) and in space
  alone (Richardson extrapolation in time removes the ``O(dt)`` term); the coupled game with Newton. All
  first order (monotone upwind Hamiltonian, implicit Euler), least-squares slopes asserted within 0.2.
* Outer solvers: Newton converges quadratically, in fewer iterations than Picard; Picard, fictitious play and
  Newton reach the same discrete solution; every solver conserves mass to round-off and keeps ``m >= 0``;
  Cole-Hopf agrees with Newton to the discretisation error and its heat-product cross-check shrinks with h.
* Registries: every combination of registered space scheme, time scheme and outer solver that the entries allow
  (the validation's own rules) solves a small game, uncoupled and coupled, conserving mass and converging;
  every entry is exercised and names its source; the method checks keep their messages.
* The command line: non-convergence is exit 3 with the history tail and no result file; Cole-Hopf with a
  coupling and ``data_log_density`` with ``nu != 1/2`` are exit 2; the shipped 1D cases pass.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla

import solvers
from solvers.cli import main
from solvers.closed_forms.lq_mfg import LQMeanFieldGame
from solvers.closed_forms.mixture import GaussianMixture, PeriodicGaussianMixture
from solvers.equations.mfg import MFG_SPACE_SCHEMES, MFGOperators
from solvers.errors import InputError
from solvers.grids import BoundaryCondition, UniformGrid
from solvers.integrators.mfg_solvers import MFG_SOLVERS, MFG_TIME_SCHEMES, OuterSettings
from solvers.integrators.mfg_system import (MFGSystem, auto_step, fp_sweep, hjb_sweep, residuals,
                                            whole_steps)
from solvers.problems.mfg_checks import check_mfg_coupling, check_mfg_method
from solvers.runs.run import run_case

ROOT = Path(solvers.__file__).resolve().parent.parent
LQ_CASE = ROOT / "cases" / "mfg_lq_coupled_1d.toml"
GENERATIVE_CASE = ROOT / "cases" / "mfg_generative_1d.toml"
SPECTRAL_CASE = ROOT / "cases" / "mfg_generative_periodic_spectral_1d.toml"

NU = 0.5
MIX = GaussianMixture([0.5, 0.5], [-1.2, 1.2], [0.3, 0.3])
COUPLED = LQMeanFieldGame(MIX, T=1.0, nu=NU, kappa=1.0, c=0.5, x_T=0.4)      # cases/mfg_lq_coupled_1d.toml
UNCOUPLED = LQMeanFieldGame(MIX, T=1.0, nu=NU, kappa=0.0, c=1.0, x_T=0.4)    # F = 0: the HJB alone
STRONG = LQMeanFieldGame(MIX, T=1.0, nu=NU, kappa=4.0, c=2.0, x_T=1.0)       # Newton needs several steps
FLOOR = 1e-3            # "where m is resolved": m_exact > FLOOR max m_exact


def observed_order(h, err):
    return np.polyfit(np.log(h), np.log(err), 1)[0]


def lq_system(game: LQMeanFieldGame, n: int, N: int) -> MFGSystem:
    """§6b on [-5, 5] with ``n`` cells, ``N`` implicit-Euler steps and exact walls for phi."""
    grid = UniformGrid((-5.0,), (5.0,), (n,))
    ops = MFGOperators(grid, [BoundaryCondition("exact")], game.nu, phi_boundary=game.phi)
    times = np.linspace(0.0, game.T, N + 1)
    x = grid.axes[0]
    return MFGSystem(ops, times, MIX.density(x, 0.0), game.phi(x, game.T), kappa=game.kappa)


def exact_fields(game, system, what):
    x = system.ops.grid.axes[0]
    f = getattr(game, what)
    return np.stack([f(x, t) for t in system.times])


def settings(tol=1e-10, max_iterations=60, damping=1.0):
    return OuterSettings(tol=tol, max_iterations=max_iterations, damping=damping)


# ------------------------------------------------------------------------------------------ structure
def _operators(kinds, points):
    lower, upper = (0.0,) * len(points), tuple(1.0 + 0.3 * k for k in range(len(points)))
    grid = UniformGrid(lower, upper, points)
    return MFGOperators(grid, [BoundaryCondition(k) for k in kinds], NU)


STRUCTURE_CASES = {
    "1d-periodic": (("periodic",), (17,)),
    "1d-zero_flux": (("zero_flux",), (17,)),
    "2d-periodic": (("periodic", "periodic"), (9, 11)),
    "2d-zero_flux": (("zero_flux", "zero_flux"), (9, 11)),
    "2d-mixed": (("periodic", "zero_flux"), (10, 7)),
}


@pytest.mark.parametrize("name", list(STRUCTURE_CASES))
def test_fp_is_the_exact_adjoint_of_the_linearised_hjb(name):
    ops = _operators(*STRUCTURE_CASES[name])
    rng = np.random.default_rng(7)
    dt = 0.01
    eye = sp.identity(ops.size, format="csr")
    for _ in range(3):
        phi = rng.normal(size=ops.size)
        g = ops.gradients(phi, ops.phi_offsets(0.0)[0])
        L, A = ops.linearised(g), ops.transport(g)
        scale = abs(L).max()
        assert scale > 1.0                                 # the upwind coefficients are genuinely present
        assert abs(A - L.T).max() <= 1e-14 * scale
        hjb_step = eye / dt - ops.lap_hjb + L
        fp_step = eye / dt - ops.lap_fp + A
        assert abs(fp_step - hjb_step.T).max() <= 1e-14 * abs(hjb_step).max()
        # conservation and monotonicity: L 1 = 0 (column sums of the FP matrix are 1/dt), M-matrix sign pattern
        np.testing.assert_allclose(np.asarray(fp_step.sum(axis=0)).ravel(), 1.0 / dt, rtol=1e-12)
        off = (fp_step - sp.diags(fp_step.diagonal())).tocoo()
        assert off.data.max() <= 0.0 and fp_step.diagonal().min() > 0.0
        # the FP step keeps a positive density positive and conserves its mass
        m = rng.uniform(0.0, 1.0, ops.size)
        m_next = spla.spsolve(fp_step.tocsc(), m / dt)
        assert m_next.min() >= 0.0
        assert ops.mass(m_next) == pytest.approx(ops.mass(m), rel=1e-13)


@pytest.mark.parametrize("name", list(STRUCTURE_CASES) + ["1d-exact"])
def test_linearisation_and_transport_jacobian_are_derivatives(name):
    """``L_phi psi = d/de H_h(phi + e psi)`` and ``transport_jacobian(m) psi = d/de (L_{phi + e psi}^T m)``."""
    if name == "1d-exact":
        game = UNCOUPLED
        grid = UniformGrid((-2.0,), (2.0,), (23,))
        ops = MFGOperators(grid, [BoundaryCondition("exact")], NU, phi_boundary=game.phi)
        phi0 = game.phi(grid.axes[0], 0.3)
        offsets = ops.phi_offsets(0.3)[0]
    else:
        ops = _operators(*STRUCTURE_CASES[name])
        phi0 = None
        offsets = ops.phi_offsets(0.0)[0]
    rng = np.random.default_rng(11)
    phi = rng.normal(size=ops.size) if phi0 is None else phi0 + 0.05 * rng.normal(size=ops.size)
    psi, m = rng.normal(size=ops.size), rng.uniform(0.5, 1.5, ops.size)
    e = 1e-7
    H = lambda f: ops.hamiltonian(ops.gradients(f, offsets))                       # noqa: E731
    T = lambda f: ops.transport(ops.gradients(f, offsets)) @ m                     # noqa: E731
    g = ops.gradients(phi, offsets)
    dH = (H(phi + e * psi) - H(phi - e * psi)) / (2 * e)
    dT = (T(phi + e * psi) - T(phi - e * psi)) / (2 * e)
    np.testing.assert_allclose(ops.linearised(g) @ psi, dH, rtol=1e-6, atol=1e-6 * np.abs(dH).max())
    np.testing.assert_allclose(ops.transport_jacobian(g, m) @ psi, dT, rtol=1e-6, atol=1e-6 * np.abs(dT).max())
    if name == "1d-exact":
        # with exact walls the FP keeps zero-flux faces: still conservative, and the adjoint in the interior
        A, L = ops.transport(g), ops.linearised(g)
        np.testing.assert_allclose(np.asarray(A.sum(axis=0)).ravel(), 0.0, atol=1e-12 * abs(A).max())
        D = (A - L.T).toarray()
        D[[0, -1], :] = 0.0
        D[:, [0, -1]] = 0.0
        assert np.abs(D).max() <= 1e-14 * abs(L).max()


# ------------------------------------------------------------------------------------------ orders
def _hjb_alone(n, N):
    system = lq_system(UNCOUPLED, n, N)
    phi, _ = hjb_sweep(system, None)
    return system, phi


def _fp_alone(n, N):
    """The FP sweep driven by the exact phi of the coupled game."""
    system = lq_system(COUPLED, n, N)
    return system, fp_sweep(system, exact_fields(COUPLED, system, "phi"))


def _grad_phi_error(game, system, phi):
    """max over time levels < T of |centred D phi - (P x + Q)| where m is resolved."""
    x, h = system.ops.grid.axes[0], system.ops.grid.spacing[0]
    worst = 0.0
    for k, t in enumerate(system.times[:-1]):
        mex = game.density(x, t)
        region = mex > FLOOR * mex.max()
        worst = max(worst, np.abs(np.gradient(phi[k], h) - game.grad_phi(x, t))[region].max())
    return worst


def test_hjb_alone_first_order_in_space_and_time():
    hs, e_phi, e_grad = [], [], []
    for n in (96, 192, 384):
        system, phi = _hjb_alone(n, n // 4)
        hs.append(system.ops.grid.spacing[0])
        e_phi.append(np.abs(phi - exact_fields(UNCOUPLED, system, "phi")).max())
        e_grad.append(_grad_phi_error(UNCOUPLED, system, phi))
    p_phi, p_grad = observed_order(hs, e_phi), observed_order(hs, e_grad)
    assert abs(p_phi - 1.0) < 0.2, (e_phi, p_phi)
    assert abs(p_grad - 1.0) < 0.2, (e_grad, p_grad)


def test_fp_alone_first_order_in_space_and_time():
    hs, errs = [], []
    for n in (96, 192, 384):
        system, m = _fp_alone(n, n // 4)
        hs.append(system.ops.grid.spacing[0])
        errs.append(np.abs(m - exact_fields(COUPLED, system, "density")).max())
    p = observed_order(hs, errs)
    assert abs(p - 1.0) < 0.2, (errs, p)


def test_hjb_and_fp_alone_first_order_in_time():
    """Fixed grid, dt halving: differences of successive solutions at the common time levels."""
    dts, d_hjb = [], []
    prev = None
    for N in (16, 32, 64, 128):
        system, phi = _hjb_alone(192, N)
        if prev is not None:
            d_hjb.append(np.abs(phi[::2] - prev).max())
            dts.append(system.dt)
        prev = phi
    p_hjb = observed_order(dts, d_hjb)
    dts, d_fp = [], []
    prev = None
    for N in (32, 64, 128, 256):
        system, m = _fp_alone(96, N)
        if prev is not None:
            d_fp.append(np.abs(m[-1] - prev[-1]).max())        # at t = T (the start-up layer is pre-asymptotic)
            dts.append(system.dt)
        prev = m
    p_fp = observed_order(dts, d_fp)
    assert abs(p_hjb - 1.0) < 0.2, (d_hjb, p_hjb)
    assert abs(p_fp - 1.0) < 0.2, (d_fp, p_fp)


def test_hjb_and_fp_alone_first_order_in_space():
    """Richardson extrapolation in time, ``2 u(dt/2) - u(dt)``, leaves the spatial error (+ O(dt^2))."""
    hs, e_hjb, e_fp = [], [], []
    for n in (96, 192, 384):
        s1, phi1 = _hjb_alone(n, n // 4)
        _, phi2 = _hjb_alone(n, n // 2)
        e_hjb.append(np.abs(2 * phi2[::2] - phi1 - exact_fields(UNCOUPLED, s1, "phi")).max())
        s1, m1 = _fp_alone(n, n // 4)
        _, m2 = _fp_alone(n, n // 2)
        x = s1.ops.grid.axes[0]
        e_fp.append(np.abs(2 * m2[-1] - m1[-1] - COUPLED.density(x, COUPLED.T)).max())
        hs.append(s1.ops.grid.spacing[0])
    p_hjb, p_fp = observed_order(hs, e_hjb), observed_order(hs, e_fp)
    assert abs(p_hjb - 1.0) < 0.2, (e_hjb, p_hjb)
    assert abs(p_fp - 1.0) < 0.2, (e_fp, p_fp)


def test_coupled_game_first_order_with_newton():
    hs, e_m, e_mean, e_grad = [], [], [], []
    for n in (48, 96, 192):
        system = lq_system(COUPLED, n, n // 4)
        sol = MFG_SOLVERS.get("newton").solve(system, settings())
        hs.append(system.ops.grid.spacing[0])
        e_m.append(np.abs(sol.m - exact_fields(COUPLED, system, "density")).max())
        e_mean.append(max(abs(system.ops.mean(m)[0] - COUPLED.mbar(t)[0]) for m, t in zip(sol.m, system.times)))
        e_grad.append(_grad_phi_error(COUPLED, system, sol.phi))
    for errs in (e_m, e_mean, e_grad):
        p = observed_order(hs, errs)
        assert abs(p - 1.0) < 0.2, (e_m, e_mean, e_grad, p)
    assert e_m[-1] < 1.5e-2 and e_mean[-1] < 4e-3


# ------------------------------------------------------------------------------------------ outer solvers
def test_newton_converges_quadratically():
    system = lq_system(STRONG, 96, 24)
    sol = MFG_SOLVERS.get("newton").solve(system, settings(tol=1e-12))
    r = sol.history["newton_residual"]
    assert r[0] > 1.0 and r[-1] < 1e-9
    # the steps above the round-off floor: r_{k+1} / r_k^2 stays bounded while r falls by orders of magnitude,
    # and the convergence order log(r_{k+1}/r_k) / log(r_k/r_{k-1}) is 2
    above = np.nonzero(r > 20.0 * r[-1])[0]          # r[-1]: the round-off floor the last step reached
    tail = r[: above[-1] + 1]
    ratios = tail[1:] / tail[:-1] ** 2
    fast = ratios[-3:]
    assert tail.size >= 4 and tail[-1] < 1e-6 * tail[-4], r
    assert fast.max() < 3.0 * fast.min(), (r, ratios)
    q = np.log(tail[2:] / tail[1:-1]) / np.log(tail[1:-1] / tail[:-2])
    assert np.all(np.abs(q[-2:] - 2.0) < 0.2), (r, q)


@pytest.fixture(scope="module")
def coupled_solutions():
    """The coupled §6b game at n = 48, N = 12 by every solver that takes a coupling (wall times not asserted)."""
    system = lq_system(COUPLED, 48, 12)
    out = {"newton": MFG_SOLVERS.get("newton").solve(system, settings()),
           "picard": MFG_SOLVERS.get("picard").solve(system, settings(damping=0.7, max_iterations=100)),
           "fictitious_play": MFG_SOLVERS.get("fictitious_play").solve(system, settings(tol=1e-3, max_iterations=200))}
    return system, out


@pytest.fixture(scope="module")
def uncoupled_solutions():
    """The F = 0 game (kappa = 0) by every registered solver, at three resolutions (for Cole-Hopf's trend)."""
    out = {}
    for n in (48, 96, 192):
        system = lq_system(UNCOUPLED, n, n // 4)
        out[n] = (system, {name: MFG_SOLVERS.get(name).solve(system, settings(tol=1e-3 if name == "fictitious_play"
                                                                              else 1e-10, max_iterations=200))
                           for name in MFG_SOLVERS.names()})
    return out


def test_newton_fewer_iterations_and_solvers_agree(coupled_solutions):
    system, sols = coupled_solutions
    newton, picard, fp = sols["newton"], sols["picard"], sols["fictitious_play"]
    assert newton.iterations <= 6 and picard.iterations >= 2 * newton.iterations, \
        (newton.iterations, picard.iterations)
    scale = newton.m.max()
    err = np.abs(newton.m - exact_fields(COUPLED, system, "density")).max()
    assert np.abs(picard.m - newton.m).max() <= 1e-8 * scale
    assert np.abs(np.diff(picard.phi - newton.phi, axis=1)).max() <= 1e-8
    # fictitious play stops at a relative change of 1e-3: within that of Newton, far inside the
    # discretisation error
    d_fp = np.abs(fp.m - newton.m).max() / scale
    assert d_fp <= 1e-3 and d_fp < 0.1 * err / scale
    # all three satisfy the discrete equations (fictitious play to its stopping level)
    for name, sol in sols.items():
        hjb, fpr = residuals(system, sol.phi, sol.m)
        assert fpr < 1e-10, name
        assert hjb < (5e-2 if name == "fictitious_play" else 1e-7), (name, hjb)
    assert newton.history["hjb_residual"][-1] < 1e-9 and picard.history["change"][-1] <= 1e-10


@pytest.mark.parametrize("name", MFG_SOLVERS.names())
def test_mass_conservation_and_positivity(name, coupled_solutions, uncoupled_solutions):
    cases = [uncoupled_solutions[96]]
    if not MFG_SOLVERS.get(name).needs_uncoupled:
        system, sols = coupled_solutions
        cases.append((system, {name: sols[name]}))
    for system, sols in cases:
        m = sols[name].m
        mass = np.array([system.ops.mass(mi) for mi in m])
        assert mass[0] == pytest.approx(1.0, abs=1e-6)
        assert np.abs(mass - mass[0]).max() <= 1e-12, (name, np.abs(mass - mass[0]).max())
        assert m.min() >= 0.0, (name, m.min())
        np.testing.assert_array_equal(m[0], system.m0)


def test_cole_hopf_agrees_with_newton(uncoupled_solutions):
    diffs, products, d_phi, err = [], [], [], []
    for n, (system, sols) in sorted(uncoupled_solutions.items()):
        ch, newton, picard = sols["cole_hopf"], sols["newton"], sols["picard"]
        x = system.ops.grid.axes[0]
        assert np.abs(picard.m - newton.m).max() <= 1e-8
        diffs.append(np.abs(ch.m - newton.m).max())
        err.append(np.abs(newton.m - exact_fields(UNCOUPLED, system, "density")).max())
        products.append(ch.extras["cole_hopf_product_linf"])
        mex = UNCOUPLED.density(x, 0.0)
        region = mex > FLOOR * mex.max()
        d_phi.append(np.ptp((ch.phi[0] - newton.phi[0])[region]))      # phi up to an additive constant
    diffs, products, d_phi, err = map(np.array, (diffs, products, d_phi, err))
    # same limit: the two discrete solutions differ by less than either's error, and the gap closes at ~h
    assert np.all(diffs < err), (diffs, err)
    assert np.all(products < 5e-2) and np.all(d_phi < 0.1), (products, d_phi)
    hs = 10.0 / np.array(sorted(uncoupled_solutions))
    for v in (diffs, products, d_phi):
        assert np.all(v[1:] < 0.7 * v[:-1]), v
        assert abs(observed_order(hs, v) - 1.0) < 0.2, v


# ------------------------------------------------------------------------------------------ registries
def _plain_error(key, value, allowed, reason=""):
    return InputError(key, value, allowed, reason=reason)


def _allowed(space, scheme, solver, coupled) -> bool:
    """Whether the entries allow the combination on the registry test's problem (periodic walls and the
    generative terminal cost uncoupled, exact walls and the quadratic one coupled): the validation's rules."""
    mfg = {"solver": solver.name, "terminal": "quadratic" if coupled else "data_log_density"}
    boundary = "exact" if coupled else "periodic"
    try:
        check_mfg_method(_plain_error, {"space": space.name, "time": scheme.name}, mfg,
                         [BoundaryCondition(boundary)], boundary)
        check_mfg_coupling(_plain_error, solver, "mean_quadratic" if coupled else "none")
    except InputError:
        return False
    return True


COMBINATIONS = [(space.name, scheme.name, solver.name, coupled)
                for space in MFG_SPACE_SCHEMES for scheme in MFG_TIME_SCHEMES for solver in MFG_SOLVERS
                for coupled in (False, True) if _allowed(space, scheme, solver, coupled)]
PERIODIC_MIX = PeriodicGaussianMixture([0.5, 0.5], np.array([[-0.9], [0.9]]), [0.6, 0.6], (-np.pi,), (np.pi,))


def _registered_system(space, scheme, coupled: bool) -> MFGSystem:
    """A small game built through the entries (operators, ``theta``, the ``dt = "auto"`` bounds): the periodic
    §6a problem (``F = 0``, T = 0.25, 24 cells) or the coupled §6b game (T = 1, 32 cells, exact walls)."""
    if coupled:
        game, T = COUPLED, COUPLED.T
        grid = UniformGrid((-5.0,), (5.0,), (32,))
        ops = space.build_operators(grid, [BoundaryCondition("exact")], NU, game.phi)
        x = grid.axes[0]
        m0, G, kappa = MIX.density(x, 0.0), game.phi(x, T), game.kappa
    else:
        T = 0.25
        grid = UniformGrid((-np.pi,), (np.pi,), (24,))
        ops = space.build_operators(grid, [BoundaryCondition("periodic")], NU, None)
        x = grid.axes[0]
        m0, G, kappa = PERIODIC_MIX.density(x, T), -PERIODIC_MIX.log_density(x, 0.0), 0.0
    dt = auto_step(min(grid.spacing), 1.0)
    for limit, _ in (space.auto_dt_limit(ops, G, NU), scheme.auto_dt_limit(ops, G, T)):
        dt = min(dt, limit)
    steps = whole_steps(T, dt)
    return MFGSystem(ops, np.linspace(0.0, T, steps + 1), m0, G, kappa, theta=scheme.theta)


@pytest.mark.parametrize("space, scheme, solver, coupled", COMBINATIONS,
                         ids=[f"{a}-{b}-{c}-{'coupled' if d else 'F0'}" for a, b, c, d in COMBINATIONS])
def test_every_allowed_combination_conserves_mass_and_converges(space, scheme, solver, coupled):
    space, scheme, solver = MFG_SPACE_SCHEMES.get(space), MFG_TIME_SCHEMES.get(scheme), MFG_SOLVERS.get(solver)
    system = _registered_system(space, scheme, coupled)
    assert system.steps >= 2 and type(system.ops) is space.operators
    tol = 1e-3 if coupled else 1e-10
    sol = solver.solve(system, settings(tol=tol, max_iterations=200, damping=0.7))
    assert sol.phi.shape == sol.m.shape == (system.steps + 1, system.ops.size)
    assert np.all(np.isfinite(sol.phi)) and np.all(np.isfinite(sol.m))
    assert 1 <= sol.iterations <= 200 and sol.history["change"][-1] <= tol, sol.history["change"]
    mass = np.array([system.ops.mass(mi) for mi in sol.m])
    assert np.abs(mass - mass[0]).max() <= 1e-12 * mass[0], np.abs(mass - mass[0]).max()
    np.testing.assert_array_equal(sol.m[0], system.m0)
    assert residuals(system, sol.phi, sol.m)[1] < 1e-6        # the returned m solves the FP of the returned phi


@pytest.mark.parametrize("registry, position", [(MFG_SPACE_SCHEMES, 0), (MFG_TIME_SCHEMES, 1), (MFG_SOLVERS, 2)],
                         ids=["space", "time", "solver"])
def test_every_registered_entry_is_exercised_and_sourced(registry, position):
    assert {c[position] for c in COMBINATIONS} == set(registry.names())
    for entry in registry:
        assert entry.source.strip() and entry.description.strip(), entry.name


def test_entries_describe_their_behaviour():
    """Matrix-free operators (Newton-Krylov) are the ones Newton cannot restart; no space scheme whose operators
    are not finite differences admits a finite-differences-only time scheme; theta is 1 or 1/2."""
    for space in MFG_SPACE_SCHEMES:
        assert space.newton_krylov == space.operators.matrix_free
        assert MFG_SOLVERS.get("newton").restartable(space.operators) == (not space.newton_krylov)
        assert all(s.restartable(space.operators) for s in MFG_SOLVERS) == (not space.newton_krylov)
        if space.newton_krylov:
            assert space.time_schemes is not None
            assert not any(MFG_TIME_SCHEMES.get(t).finite_differences_only for t in space.time_schemes)
    assert {t.theta for t in MFG_TIME_SCHEMES} <= {1.0, 0.5}


@pytest.mark.parametrize("method, mfg, boundary, coupling, message", [
    ({"space": "spectral", "time": "implicit_euler"}, {"solver": "newton", "terminal": "data_log_density"},
     "zero_flux", "none", "key 'method.space' has invalid value 'spectral' (grid.boundary is 'zero_flux'); allowed: "
                          "godunov (spectral needs grid.boundary = \"periodic\")"),
    ({"space": "spectral", "time": "implicit_euler"}, {"solver": "newton", "terminal": "quadratic"},
     "periodic", "none", "key 'mfg.terminal' has invalid value 'quadratic'; allowed: data_log_density "
                         "(method.space = 'spectral' needs a periodic terminal cost: -log of the periodic data "
                         "mixture)"),
    ({"space": "spectral", "time": "crank_nicolson"}, {"solver": "newton", "terminal": "data_log_density"},
     "periodic", "none", "key 'method.time' has invalid value 'crank_nicolson'; allowed: implicit_euler "
                         "(method.space = 'spectral': IMEX Euler)"),
    ({"space": "godunov", "time": "implicit_euler"}, {"solver": "cole_hopf", "terminal": "quadratic"},
     "exact", "mean_quadratic", "key 'mfg.solver' has invalid value 'cole_hopf' (the Cole-Hopf transform needs "
                                "F = 0); allowed: picard, fictitious_play, newton (coupling = 'mean_quadratic')"),
    ({"space": "upwind", "time": "implicit_euler"}, {"solver": "newton", "terminal": "quadratic"},
     "exact", "none", "key 'method.space' has invalid value 'upwind'; allowed: godunov, spectral"),
    ({"space": "godunov", "time": "rk4"}, {"solver": "newton", "terminal": "quadratic"},
     "exact", "none", "key 'method.time' has invalid value 'rk4'; allowed: implicit_euler, crank_nicolson"),
    ({"space": "godunov", "time": "implicit_euler"}, {"solver": "sor", "terminal": "quadratic"},
     "exact", "none", "key 'mfg.solver' has invalid value 'sor'; allowed: picard, fictitious_play, newton, cole_hopf"),
])
def test_method_checks_keep_their_messages(method, mfg, boundary, coupling, message):
    with pytest.raises(InputError) as err:
        _, _, solver = check_mfg_method(_plain_error, method, mfg, [BoundaryCondition(boundary)], boundary)
        check_mfg_coupling(_plain_error, solver, coupling)
    assert str(err.value) == message


# ------------------------------------------------------------------------------------------ command line
def test_non_convergence_is_exit_3_with_history(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "solvers", "run", str(LQ_CASE), "--out", str(out),
                           "--set", "mfg.solver=picard", "--set", "mfg.max_iterations=2",
                           "--set", "grid.points=[100]", "--set", "measure.allow_under_resolved=true"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert "did not converge" in proc.stderr
    assert "it 2: change" in proc.stderr and "it 1: change" in proc.stderr      # the history tail
    assert "mfg.max_iterations = 2" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists() or not list(out.rglob("*.h5"))


@pytest.mark.parametrize("case,overrides,key", [
    (LQ_CASE, ["mfg.solver=cole_hopf"], "mfg.solver"),
    (GENERATIVE_CASE, ["mfg.nu=0.3"], "mfg.nu"),
    (GENERATIVE_CASE, ["mfg.solver=cole_hopf", "mfg.coupling=mean_quadratic"], "mfg.coupling"),
    (GENERATIVE_CASE, ["method.space=spectral"], "method.space"),          # spectral needs periodic walls
    (SPECTRAL_CASE, ["mfg.terminal=quadratic"], "mfg.terminal"),           # ... and a periodic terminal cost
])
def test_bad_input_is_exit_2(case, overrides, key, tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["run", str(case), "--out", str(out)]
    for item in overrides:
        argv += ["--set", item]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gridshock:") and f"'{key}'" in lines[0], err
    assert not out.exists() or not list(out.rglob("*.h5"))


@pytest.mark.parametrize("case", [GENERATIVE_CASE, LQ_CASE, SPECTRAL_CASE],
                         ids=["generative", "lq_coupled", "periodic_spectral"])
def test_shipped_cases_pass(case, tmp_path):
    outcome = run_case(case, [], tmp_path, progress=False)
    failed = [(c.quantity, c.measured, c.reference) for c in outcome.comparisons if not c.passed]
    assert outcome.passed, failed
    assert outcome.path.exists()
    names = {c.quantity for c in outcome.comparisons}
    assert {"mass_error", "negative_density"} <= names
