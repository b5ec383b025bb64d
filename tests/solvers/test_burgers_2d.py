"""The 2D vector Burgers system (score form ``u_t = (1/2) Lap u + (u . grad) u``, ANALYTIC.md §1-§2) on its own
operators: irrotationality, observed space orders against the exact mixture score, time orders.

Data: a weighted, asymmetric two-component Gaussian mixture in 2D (nothing aligned with the axes). Non-periodic
grids use ``exact`` (time-dependent) boundary data from the closed form; periodic grids use the periodic images
of ANALYTIC §2 (an exact periodic heat solution, so its score is an exact periodic Burgers solution).

* Gradient form: the centred (or Fourier) differences commute, so the discrete curl ``D_x u_2 - D_y u_1`` of a
  field that starts as a discrete gradient stays at round-off however far it evolves.
* Upwind form: the curl is a truncation error; it converges to 0 under refinement.
* Orders are least-squares slopes of ``log(error)`` against ``log(h)`` (or ``log(dt)``), asserted two-sided.
"""
from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from solvers.closed_forms.mixture import GaussianMixture, PeriodicGaussianMixture
from solvers.equations.advection import BURGERS_SPACE_SCHEMES
from solvers.equations.burgers import Coefficients, SpectralBurgers, VectorBurgers2D
from solvers.equations.space import SPACE_SCHEMES
from solvers.grids import BoundaryCondition, UniformGrid
from solvers.integrators.split_schemes import BURGERS_TIME_SCHEMES
from solvers.integrators.split_steppers import make_split_stepper
from solvers.measurements.derivatives import derivative
from solvers.problems.burgers_exact import MixtureScore
from solvers.problems.exact import MixtureSolution

NU = 0.5                      # VE convention: the state is w = 2 nu grad log p = the score itself
WEIGHTS = [0.4, 0.6]
MEANS = [[-1.0, 0.4], [1.1, -0.3]]
PERIODIC_BOX = ((-np.pi, -np.pi), (np.pi, np.pi))
# non-periodic box (exact ghost data from the closed form): the layer between the components away from the walls
BOX = ((-3.2, -2.6), (3.4, 2.8))
RK4 = BURGERS_TIME_SCHEMES.get("rk4")

SCHEMES_2D = [n for n in BURGERS_SPACE_SCHEMES.names() if 2 in BURGERS_SPACE_SCHEMES.get(n).dims]
FD_SCHEMES_2D = [n for n in SCHEMES_2D if BURGERS_SPACE_SCHEMES.get(n).kind == "flux"]
UPWIND_SCHEMES_2D = [n for n in FD_SCHEMES_2D if "upwind" in BURGERS_SPACE_SCHEMES.get(n).forms_2d]


def observed_order(x, err):
    return float(np.polyfit(np.log(x), np.log(err), 1)[0])


def form_of(space: str) -> str:
    return BURGERS_SPACE_SCHEMES.get(space).forms_2d[0]


def diffusion_for(space: str) -> str:
    """The diffusion stencil paired with an advective scheme: central4 for order > 2 (the best available)."""
    return "central2" if BURGERS_SPACE_SCHEMES.get(space).order <= 2 else "central4"


def mixture_problem(n: int, stds, periodic: bool):
    lo, hi = PERIODIC_BOX if periodic else BOX
    grid = UniformGrid(lo, hi, (n, n))
    mixture = (PeriodicGaussianMixture(WEIGHTS, MEANS, stds, lo, hi) if periodic
               else GaussianMixture(WEIGHTS, MEANS, stds))
    return grid, MixtureScore(MixtureSolution(mixture, NU), 1.0)


def state(exact, grid, t) -> np.ndarray:
    """The exact state at ``t`` in the operator layout ``(2, nx, ny)``."""
    return np.ascontiguousarray(np.moveaxis(exact.state(grid.coordinates(), t), -1, 0))


def fd_operator(grid, exact, space: str, diffusion: str | None = None, form: str | None = None,
                periodic: bool = False):
    bcs = [BoundaryCondition("periodic" if periodic else "exact")] * 2
    return VectorBurgers2D(grid, bcs, BURGERS_SPACE_SCHEMES.get(space),
                           SPACE_SCHEMES.get(diffusion or diffusion_for(space)), Coefficients(1.0, NU),
                           form or form_of(space), boundary_values=None if periodic else exact.state)


def curl(u: np.ndarray, grid, scheme: str) -> np.ndarray:
    """``D_x u_2 - D_y u_1`` on a fully periodic grid, ``u`` of shape (2, nx, ny)."""
    hx, hy = grid.spacing
    return derivative(u[1], 0, hx, scheme, True) - derivative(u[0], 1, hy, scheme, True)


def rk4_steps(op, T: float, fraction: float = 0.5) -> tuple[int, float]:
    """Steps of RK4 at ``fraction`` of its diffusive limit (time error O(h^8): negligible)."""
    n = int(np.ceil(T / (fraction * RK4.stability_interval / op.diffusive_radius(0.0))))
    return n, T / n


# ------------------------------------------------------------------------- 1. gradient form: curl round-off

# smooth enough on the period 2 pi that the spectral curl of the *sampled* closed form is already round-off
SMOOTH_STDS = [1.2, 1.3]


@pytest.mark.parametrize("space", ["central2", "central4"])
def test_gradient_form_keeps_the_discrete_curl_at_round_off(space):
    """u0 = D(log p) (the scheme's own centred difference), RK4 with the diffusion stencil of the same order:
    the same-stencil discrete curl stays at round-off while the field changes by O(1). The upwind form from
    the same u0 builds a curl many orders above that (so the measurement can fail)."""
    grid, exact = mixture_problem(48, [0.8, 0.9], periodic=True)
    h = grid.spacing
    logp = exact.base.log_density(grid.coordinates(), 0.0)
    u0 = np.stack([derivative(logp, a, h[a], space, True) for a in range(2)])
    scale0 = np.abs(u0).max()
    assert np.abs(curl(u0, grid, space)).max() < 1e-12 * scale0

    op = fd_operator(grid, exact, space, diffusion=space, periodic=True)
    assert op.form == "gradient"
    nsteps, dt = rk4_steps(op, 0.5)
    u = u0.copy()
    make_split_stepper(op, RK4, dt).advance(u, 0.0, nsteps)
    scale = np.abs(u).max()
    assert np.abs(u - u0).max() > 0.2 * scale0                  # it really evolved
    assert np.abs(u - state(exact, grid, 0.5)).max() < 0.1 * scale  # and it is the Burgers score
    c = np.abs(curl(u, grid, space)).max()
    assert c < 1e-11 * scale, (space, c, scale)

    upwind = fd_operator(grid, exact, "upwind1", diffusion=space, periodic=True)
    v = u0.copy()
    make_split_stepper(upwind, RK4, dt).advance(v, 0.0, nsteps)
    assert np.abs(curl(v, grid, space)).max() > 1e-5 * scale


def test_spectral_operator_keeps_the_spectral_curl_at_round_off():
    """Sampled exact score on a periodic grid, spectral operator (2/3 dealiasing), RK4: the Fourier curl of
    the state is zero mode by mode (i k_x (i k_y q) - i k_y (i k_x q) = 0), so it stays at round-off."""
    grid, exact = mixture_problem(96, SMOOTH_STDS, periodic=True)
    u0 = state(exact, grid, 0.0)
    scale0 = np.abs(u0).max()
    assert np.abs(curl(u0, grid, "spectral")).max() < 1e-12 * scale0   # the samples resolve the field
    op = SpectralBurgers(grid, Coefficients(1.0, NU))
    nsteps, dt = rk4_steps(op, 0.5)
    u = u0.copy()
    make_split_stepper(op, RK4, dt).advance(u, 0.0, nsteps)
    scale = np.abs(u).max()
    assert np.abs(u - u0).max() > 0.1 * scale0
    assert np.abs(u - state(exact, grid, 0.5)).max() < 1e-8 * scale
    c = np.abs(curl(u, grid, "spectral")).max()
    assert c < 1e-11 * scale, (c, scale)


# ------------------------------------------------------------------------ 2. upwind form: curl converges to 0

# Measured on the runs below (T = 0.2 and 0.5, three data sets, levels 32..128, max / L2 / L1 norms): the
# curl of the WENO5 upwind form converges at 4.5 .. 4.8, not at the registry order 5. It is neither the
# diffusion stencil (central2 diffusion gives the same curl to three digits while the field error drops to
# O(h^2)) nor the time scheme (rk4, etdrk4 and imex_ars222 agree to four digits). It is the Jiang-Shu
# nonlinear weights: the advective truncation error jumps by O(h^5) across the lines where the upwind side
# flips (a_x = 0, a_y = 0), and the curl differentiates those jumps (max norm O(h^4)). The same stencil with
# the linear (optimal) weights gives a curl of order 5.0 (checked with a numpy emulation); in the mean (L1)
# norm the operator-level curl is order 5 (test below), because the jumps live on O(h)-wide strips.
CURL_ORDER_OF_RUN = {"upwind1": BURGERS_SPACE_SCHEMES.get("upwind1").order, "weno5": 4.6}
CURL_RUNS = {"upwind1": ((64, 96, 128), 0.5), "weno5": ((48, 64, 96, 128), 0.2)}


@pytest.mark.parametrize("space", UPWIND_SCHEMES_2D)
def test_upwind_form_curl_converges_under_refinement(space):
    """From the sampled exact score (periodic mixture), RK4 at half its limit (the time error does not
    enter the curl), central4 diffusion for weno5; curl by Fourier differences (exact for the sampled closed
    form: round-off at these resolutions), so what is measured is the curl the scheme created."""
    levels, T = CURL_RUNS[space]
    hs, curls = [], []
    for n in levels:
        grid, exact = mixture_problem(n, SMOOTH_STDS, periodic=True)
        op = fd_operator(grid, exact, space, periodic=True)
        u = state(exact, grid, 0.0)
        nsteps, dt = rk4_steps(op, T, 0.45)
        make_split_stepper(op, RK4, dt).advance(u, 0.0, nsteps)
        hs.append(grid.spacing[0])
        curls.append(np.abs(curl(u, grid, "spectral")).max())
        # the yardstick: the Fourier curl of the sampled closed form is far below what is measured
        assert np.abs(curl(state(exact, grid, T), grid, "spectral")).max() < 1e-2 * curls[-1]
    p = observed_order(hs, curls)
    assert abs(p - CURL_ORDER_OF_RUN[space]) <= 0.2, (space, curls, p)


@pytest.mark.parametrize("space", UPWIND_SCHEMES_2D)
def test_upwind_advection_curl_of_an_exact_gradient_at_the_registry_order(space):
    """Operator level: the upwind advective term applied to the sampled exact score; the mean of |curl| of
    the result converges at the registry order (upwind1: 1, weno5: 5)."""
    hs, means = [], []
    for n in (96, 128, 192, 256):
        grid, exact = mixture_problem(n, SMOOTH_STDS, periodic=True)
        op = fd_operator(grid, exact, space, periodic=True)
        u = state(exact, grid, 0.0)
        out = np.zeros_like(u)      # (not empty_like: see test_advective_term_overwrites_its_output_buffer)
        op.nonlinear(u, 0.0, None, out)
        hs.append(grid.spacing[0])
        means.append(np.abs(curl(out, grid, "spectral")).mean())
    p = observed_order(hs, means)
    assert abs(p - BURGERS_SPACE_SCHEMES.get(space).order) <= 0.2, (space, means, p)


# ------------------------------------------------------------------------ 3. observed space orders

def advective_term(exact, grid, t) -> np.ndarray:
    """``(u . grad) u = (grad u) u`` of the closed form (equal to ``(1/2) grad |u|^2``: grad u is symmetric)."""
    X = grid.coordinates()
    tau = exact.tau(t)
    u = exact.base.mixture.score(X, tau)
    return np.moveaxis(np.einsum("...ij,...j->...i", exact.base.mixture.score_jacobian(X, tau), u), -1, 0)


TRUNCATION_LEVELS = {"central2": (48, 64, 96, 128), "central4": (64, 96, 128, 192),
                     "upwind1": (96, 128, 192, 256), "weno5": (128, 192, 256, 384)}


@pytest.mark.parametrize("space", FD_SCHEMES_2D)
def test_advective_operator_truncation_order(space):
    """Operator level, every 2D finite-difference scheme in its own form, exact ghost data at t = 0.3: the
    advective term of the sampled exact score against ``(u . grad) u`` of the closed form, max norm, at the
    registry order."""
    hs, errs = [], []
    for n in TRUNCATION_LEVELS[space]:
        grid, exact = mixture_problem(n, [0.7, 0.8], periodic=False)
        op = fd_operator(grid, exact, space)
        t = 0.3
        u = state(exact, grid, t)
        out = np.zeros_like(u)      # (not empty_like: see test_advective_term_overwrites_its_output_buffer)
        op.nonlinear(u, t, op.boundary_table(np.asarray(t)), out)
        hs.append(grid.spacing[0])
        errs.append(np.abs(out - advective_term(exact, grid, t)).max())
    p = observed_order(hs, errs)
    assert abs(p - BURGERS_SPACE_SCHEMES.get(space).order) <= 0.2, (space, errs, p)


# (data stds, levels) per scheme. weno5 runs on wider data: the run's error is the diffusion's h^4 (central4) plus
# WENO's h^5 term, whose ratio is about 3 |u| h (|u| the score); on the [0.7, 0.8] data the WENO term is not yet
# small on affordable grids (local slopes 4.4 .. 4.2 between 32 and 128 cells per axis), on [1.6, 1.7] the
# slopes are 3.76, 3.89, 3.91 (24 .. 64) and the order is the theory's min(5, 4) = 4.
RUN_CASES = {"central2": ([0.7, 0.8], (24, 32, 48, 64)), "central4": ([0.7, 0.8], (32, 48, 64, 96)),
             "upwind1": ([0.7, 0.8], (48, 64, 96, 128)), "weno5": ([1.6, 1.7], (32, 48, 64))}


@pytest.mark.parametrize("space", FD_SCHEMES_2D)
def test_space_order_of_runs_with_exact_boundaries(space):
    """Whole runs from the exact score at t = 0 to T = 0.2 with exact time-dependent ghost data, RK4 at half
    its limit (time error O(h^8)); max error against the closed form. The run's order is that of the least
    accurate of the advective scheme and the diffusion stencil (central4 for weno5): central2 2, central4 4,
    upwind1 1, weno5 4, asserted two-sided."""
    stds, levels = RUN_CASES[space]
    hs, errs = [], []
    for n in levels:
        grid, exact = mixture_problem(n, stds, periodic=False)
        op = fd_operator(grid, exact, space)
        u = state(exact, grid, 0.0)
        nsteps, dt = rk4_steps(op, 0.2)
        make_split_stepper(op, RK4, dt).advance(u, 0.0, nsteps)
        hs.append(grid.spacing[0])
        errs.append(np.abs(u - state(exact, grid, 0.2)).max())
    p = observed_order(hs, errs)
    expected = min(BURGERS_SPACE_SCHEMES.get(space).order, SPACE_SCHEMES.get(diffusion_for(space)).order)
    assert abs(p - expected) <= 0.2, (space, errs, p)


def test_spectral_space_converges_exponentially():
    """Periodic mixture, spectral operator, ETDRK4 with a small step (time error below 1e-9): about a decade
    per 8 more points per axis, and algebraic rates that keep growing (faster than any power of h)."""
    ns = np.arange(16, 65, 8)
    errs = []
    for n in ns:
        grid, exact = mixture_problem(int(n), SMOOTH_STDS, periodic=True)
        op = SpectralBurgers(grid, Coefficients(1.0, NU))
        u = state(exact, grid, 0.0)
        make_split_stepper(op, BURGERS_TIME_SCHEMES.get("etdrk4"), 0.005).advance(u, 0.0, 40)
        errs.append(np.abs(u - state(exact, grid, 0.2)).max())
    errs = np.array(errs)
    decades_per_8 = -8 * np.polyfit(ns, np.log10(errs), 1)[0]
    assert 0.8 <= decades_per_8 <= 1.2, (errs, decades_per_8)
    assert np.all(errs[:-2] / errs[2:] > 30), errs          # every +16 points: more than 1.5 decades
    rate = lambda i, j: np.log(errs[i] / errs[j]) / np.log(ns[j] / ns[i])   # noqa: E731
    assert rate(2, 6) > 1.5 * rate(0, 2), errs                # 32 -> 64 vs 16 -> 32


@pytest.mark.parametrize("space", FD_SCHEMES_2D)
def test_advective_term_overwrites_its_output_buffer(space):
    """``nonlinear(w, t, off, out)`` must not read ``out``: the steppers pass uninitialised buffers."""
    grid, exact = mixture_problem(16, [0.7, 0.8], periodic=True)
    op = fd_operator(grid, exact, space, periodic=True)
    u = state(exact, grid, 0.0)
    clean, dirty = np.zeros_like(u), np.full_like(u, np.nan)
    op.nonlinear(u, 0.0, None, clean)
    op.nonlinear(u, 0.0, None, dirty)
    np.testing.assert_array_equal(dirty, clean)


# ------------------------------------------------------------------------ 4. time orders on the 2D operators

TIME_T = 0.4


def _time_levels(name: str) -> tuple[int, ...]:
    s = BURGERS_TIME_SCHEMES.get(name)
    if s.order == 1:
        return (64, 128, 256)
    return (16, 32, 64) if s.explicit else (8, 16, 32)


def semi_discrete_reference(op, u0: np.ndarray, T: float) -> np.ndarray:
    """The operator's semi-discrete system ``w' = full_rhs(w, t)`` (wall data at the exact time ``t``; the
    spectral state is complex) integrated by scipy's DOP853 at rtol 1e-13: independent of the split steppers."""
    w0 = np.asarray(op.to_state(u0))
    shape = w0.shape

    def rhs(t, y):
        w = np.ascontiguousarray(y.reshape(shape))
        out = np.empty_like(w)
        off = op.boundary_table(np.array(t)) if getattr(op, "time_dependent", False) else None
        op.full_rhs(w, t, off, out)
        return out.ravel()

    sol = solve_ivp(rhs, (0.0, T), w0.ravel(), method="DOP853", rtol=1e-13, atol=1e-14)
    assert sol.success, sol.message
    return np.asarray(op.to_physical(sol.y[:, -1].reshape(shape)))


@pytest.mark.parametrize("operator", ["central2", "central4", "spectral"])
@pytest.mark.parametrize("name", BURGERS_TIME_SCHEMES.names())
def test_time_order_on_the_2d_operator(name, operator):
    """Every time scheme on a fixed 16 x 16 grid against an independent DOP853 solution of the same
    semi-discrete system (rtol 1e-13; the split steppers' RK4 with 1024 steps agrees with it to 4e-13).
    Finite differences: gradient form with exact, time-dependent ghost data (boundary offsets at every stage,
    folded into the sparse 2D implicit solves of IMEX / CNAB and into the forcing of ETDRK4 with its per-axis
    eigen-decomposition). Spectral: periodic, Fourier-diagonal. (The upwind form's right-hand side is only
    Lipschitz where the transport velocity changes sign: RK4 falls to order ~2 there on coarse grids, a property
    of the space scheme; its time orders are measured against the exact score on a fine grid below.)"""
    periodic = operator == "spectral"
    grid, exact = mixture_problem(16, [1.0, 1.1] if periodic else [0.6, 0.7], periodic=periodic)

    def make():
        if periodic:
            return SpectralBurgers(grid, Coefficients(1.0, NU))
        return fd_operator(grid, exact, operator, diffusion=operator)

    u0 = state(exact, grid, 0.0)

    def solve(scheme, nsteps):
        u = u0.copy()
        make_split_stepper(make(), BURGERS_TIME_SCHEMES.get(scheme), TIME_T / nsteps).advance(u, 0.0, nsteps)
        return u

    ref = semi_discrete_reference(make(), u0, TIME_T)
    exact_T = state(exact, grid, TIME_T)
    assert np.abs(ref - exact_T).max() < 0.1 * np.abs(exact_T).max()    # the system is the Burgers one
    levels = _time_levels(name)
    errs = [np.abs(solve(name, n) - ref).max() for n in levels]
    assert min(errs) > 1e-11, errs                    # far above the reference's own error
    p = observed_order([TIME_T / n for n in levels], errs)
    assert abs(p - BURGERS_TIME_SCHEMES.get(name).order) <= 0.2, (name, operator, errs, p)


# Against the exact 2D mixture score with the spatial error negligible: Fourier on the periodic mixture with
# wide components (48^2 points: the spatial error is 3e-14, ETDRK4 with 200 and 400 steps agree to 3e-14).
EXACT_STDS, EXACT_N, EXACT_T = [1.8, 2.0], 48, 0.5


def test_spectral_2d_spatial_error_is_at_round_off():
    grid, exact = mixture_problem(EXACT_N, EXACT_STDS, periodic=True)
    op = SpectralBurgers(grid, Coefficients(1.0, NU))
    u0 = state(exact, grid, 0.0)
    u = u0.copy()
    make_split_stepper(op, BURGERS_TIME_SCHEMES.get("etdrk4"), EXACT_T / 400).advance(u, 0.0, 400)
    exact_T = state(exact, grid, EXACT_T)
    assert np.abs(u - exact_T).max() < 1e-13, np.abs(u - exact_T).max()
    assert np.abs(exact_T - u0).max() > 0.2 * np.abs(u0).max()             # the field evolves (by 26%)


@pytest.mark.parametrize("name", BURGERS_TIME_SCHEMES.names())
def test_time_order_against_the_exact_2d_score(name):
    """Every registered time scheme (all run in 2D: none declares otherwise) on the spectral 2D operator
    against the exact periodic mixture score (ANALYTIC §2), spatial error 3e-14: the observed order is the
    registry order. Explicit schemes from 90% of their diffusive limit, three halvings; the others from 4 steps,
    four. A fourth-order explicit scheme cannot be measured this way: at 90% of its limit on this grid (the
    largest step it can take) its error is already ~1e-12, the round-off floor; that is asserted instead (its
    order is measured against DOP853 in test_time_order_on_the_2d_operator)."""
    scheme = BURGERS_TIME_SCHEMES.get(name)
    grid, exact = mixture_problem(EXACT_N, EXACT_STDS, periodic=True)
    op = SpectralBurgers(grid, Coefficients(1.0, NU))
    u0, exact_T = state(exact, grid, 0.0), state(exact, grid, EXACT_T)
    if scheme.explicit:
        base = int(np.ceil(EXACT_T / (0.9 * scheme.stability_interval / op.diffusive_radius(0.0))))
        levels = [base, 2 * base, 4 * base]
    else:
        levels = [4, 8, 16, 32]
    errs = []
    for n in levels:
        u = u0.copy()
        make_split_stepper(op, scheme, EXACT_T / n).advance(u, 0.0, n)
        errs.append(np.abs(u - exact_T).max())
    if scheme.explicit and scheme.order >= 4:
        assert errs[0] < 1e-11, (name, errs)           # at its largest stable step: round-off accuracy
        return
    assert min(errs) > 100 * 3e-14, errs               # far above the spatial error
    p = observed_order([EXACT_T / n for n in levels], errs)
    assert abs(p - scheme.order) <= 0.2, (name, errs, p)


# Finite differences against the exact (non-periodic) mixture score: 96^2 cells (spatial error far below the
# time errors, whose slopes stay at 2.00 .. 2.05 down to 9e-5), large steps. Only schemes whose diffusion is
# implicit can take steps that large: an explicit scheme's limit dt <= I / rho(L) ~ h^2 keeps its time error
# below the spatial one.
IMPLICIT_DIFFUSION = [n for n in BURGERS_TIME_SCHEMES.names()
                      if not BURGERS_TIME_SCHEMES.get(n).explicit and BURGERS_TIME_SCHEMES.get(n).family != "etd"]
FINE_FORMS = {"gradient": "central4", "upwind": "weno5"}


def _fine_grid_errors(name: str, space: str, steps) -> list[float]:
    grid, exact = mixture_problem(96, [0.7, 0.8], periodic=False)
    op = fd_operator(grid, exact, space)
    u0, exact_T = state(exact, grid, 0.0), state(exact, grid, TIME_T)
    errs = []
    for n in steps:
        u = u0.copy()
        make_split_stepper(op, BURGERS_TIME_SCHEMES.get(name), TIME_T / n).advance(u, 0.0, n)
        errs.append(np.abs(u - exact_T).max())
    return errs


def test_fine_grid_schemes_are_the_implicit_ones():
    """Which entries the fine-grid test leaves out, and why: the explicit ones (a diffusive limit), and ETDRK4
    (exponential integrators lose order with time-dependent wall data on fine grids, the next test)."""
    left_out = set(BURGERS_TIME_SCHEMES.names()) - set(IMPLICIT_DIFFUSION)
    for name in left_out:
        s = BURGERS_TIME_SCHEMES.get(name)
        assert (s.explicit and np.isfinite(s.stability_interval)) or s.family == "etd", name
    assert IMPLICIT_DIFFUSION and {form_of(s) for s in FINE_FORMS.values()} == set(FINE_FORMS)


@pytest.mark.parametrize("form", list(FINE_FORMS))
@pytest.mark.parametrize("name", IMPLICIT_DIFFUSION)
def test_time_order_against_the_exact_2d_score_with_exact_walls(name, form):
    """IMEX and CNAB with exact time-dependent walls on 96^2 cells (gradient form: central4; upwind form:
    WENO5 with central4 diffusion), 16 / 32 / 64 steps to T = 0.4, against the exact mixture score: order 2
    (measured 2.00 .. 2.07)."""
    steps = (16, 32, 64)
    errs = _fine_grid_errors(name, FINE_FORMS[form], steps)
    p = observed_order([TIME_T / n for n in steps], errs)
    assert abs(p - BURGERS_TIME_SCHEMES.get(name).order) <= 0.2, (name, form, errs, p)


def test_etdrk4_with_exact_walls_loses_order_on_fine_grids():
    """A known limitation, pinned so that the documentation stays true (solvers/integrators/split_steppers.py:
    the wall data enters ETDRK4 as a stiff forcing ``b(t)``; Hochbruck & Ostermann, Acta Numerica 19, 2010):
    with the same exact walls on the same 96^2 grid, ETDRK4 does not reach its order 4 against the exact score
    (measured local slopes 2.07, 2.23, 2.78 from 8 to 64 steps), while on the periodic mixture it does
    (test_time_order_against_the_exact_2d_score: 3.94 .. 3.99). Asserted: at most 3 and at least 1.8."""
    steps = (8, 16, 32, 64)
    errs = _fine_grid_errors("etdrk4", "central4", steps)
    p = observed_order([TIME_T / n for n in steps], errs)
    assert 1.8 <= p <= 3.0, (errs, p)


@pytest.mark.parametrize("space", UPWIND_SCHEMES_2D)
def test_upwind_form_case_builds_the_operator_under_test(space):
    """``[method] advection_form = "upwind"`` assembles the operator the upwind-form orders above measure: the
    same right-hand side (wall data included) as :func:`fd_operator` on the case's grid and closed form."""
    from solvers.families import load_case
    from solvers.problems.burgers_problem import build_burgers_problem
    case = {"name": "upwind_form", "equation": "burgers", "dimension": 2,
            "data": {"weights": WEIGHTS, "means": MEANS, "stds": [0.5, 0.55]},
            "grid": {"lower": [-3.2, -2.6], "upper": [3.4, 2.8], "points": [96, 80], "boundary": "exact"},
            "time": {"stop": 0.2, "saves": 2},
            "method": {"space": space, "time": "rk4", "diffusion": diffusion_for(space),
                       "advection_form": "upwind"}}
    problem = build_burgers_problem(load_case(case))
    assert isinstance(problem.operator, VectorBurgers2D) and problem.operator.form == "upwind"
    grid = problem.grid
    exact = MixtureScore(MixtureSolution(GaussianMixture(WEIGHTS, MEANS, [0.5, 0.55]), NU), 1.0)
    op = fd_operator(grid, exact, space)
    for t in (0.0, 0.2):
        w = state(exact, grid, t)
        np.testing.assert_array_equal(w, problem.exact_state(t))
        a, b = np.empty_like(w), np.empty_like(w)
        problem.operator.full_rhs(w, t, problem.operator.boundary_table(np.array(t)), a)
        op.full_rhs(w, t, op.boundary_table(np.array(t)), b)
        np.testing.assert_array_equal(a, b)
