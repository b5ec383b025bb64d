"""Observed orders of every registered Burgers scheme against exact solutions (ANALYTIC.md §1, §2, §5).

Exact solutions:

* the viscous travelling shock ``v = c - A tanh(A (x - c t - x0) / (2 nu))`` (score form ``w = -v``) with
  ``nu = 1, A = 1, c = 0.5`` on ``[-6, 6]`` and ``exact`` (time-dependent) boundaries; width ``2 nu / A = 2``;
* the periodic Gaussian-mixture score on ``[-pi, pi)`` (an exact periodic Burgers solution, §2).

Space: every 1D flux scheme with every diffusion stencil, RK4 at a fixed fraction of its diffusive limit (``dt``
proportional to ``h^2``, so the time error ``O(h^8)`` is negligible); the observed order is
``min(flux order, diffusion order)``. WENO5's fifth order is checked on the flux difference itself (the
semi-discrete advective term on exact data), because in the solution the fourth-order diffusion stencil limits it.
Time: every time scheme (a) with the spectral operator against the exact solution (spatial error at round-off),
(b) with finite differences (``exact`` boundaries: time-dependent boundary data, Thomas / splu implicit solves,
the diagonalised operator of ETDRK4; periodic: the cyclic solve) against an independent DOP853 solution of the
same semi-discrete system at tight tolerance, so a scheme that converges to another limit fails too.
Orders are least-squares slopes of log(error) over the levels, asserted two-sided within 0.2.
Also: TVD (no new extrema, TV non-increasing), discrete conservation, and score/textbook symmetry.
"""
from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from solvers.closed_forms.mixture import PeriodicGaussianMixture
from solvers.equations.advection import BURGERS_SPACE_SCHEMES
from solvers.equations.burgers import Coefficients, FluxBurgers1D, SpectralBurgers
from solvers.equations.space import SPACE_SCHEMES
from solvers.grids import BoundaryCondition, UniformGrid
from solvers.integrators.split_schemes import BURGERS_TIME_SCHEMES
from solvers.integrators.split_steppers import make_split_stepper
from solvers.problems.burgers_exact import MixtureScore, TravellingShock
from solvers.problems.exact import MixtureSolution

TOL = 0.2
FLUX_1D = [n for n in BURGERS_SPACE_SCHEMES.names()
           if BURGERS_SPACE_SCHEMES.get(n).kind == "flux" and 1 in BURGERS_SPACE_SCHEMES.get(n).dims]
SPACE_1D = [n for n in BURGERS_SPACE_SCHEMES.names() if 1 in BURGERS_SPACE_SCHEMES.get(n).dims]
SPECTRAL_1D = [n for n in SPACE_1D if BURGERS_SPACE_SCHEMES.get(n).kind == "spectral"]
TVD = [n for n in FLUX_1D if BURGERS_SPACE_SCHEMES.get(n).tvd]
DIFFUSION = [n for n in SPACE_SCHEMES.names() if SPACE_SCHEMES.get(n).kind == "stencil"]
TIME_NAMES = BURGERS_TIME_SCHEMES.names()

# travelling shock (width 2 nu / A = 2, resolved by 32 cells of [-6, 6])
NU, SPEED, AMP, X0 = 1.0, 0.5, 1.0, 0.0
DOMAIN = (-6.0, 6.0)
PERIOD = (-np.pi, np.pi)


def observed_order(h, err):
    return float(np.polyfit(np.log(h), np.log(err), 1)[0])


def shock(sign: float = 1.0, nu: float = NU) -> TravellingShock:
    return TravellingShock(SPEED, AMP, X0, nu, sign)


def mixture(stds, nu: float, sign: float = 1.0) -> MixtureScore:
    """Periodic two-component mixture on [-pi, pi) (weights 0.6/0.4, means -1.5/1.5): an exact periodic solution."""
    mix = PeriodicGaussianMixture([0.6, 0.4], np.array([[-1.5], [1.5]]), stds, (PERIOD[0],), (PERIOD[1],))
    return MixtureScore(MixtureSolution(mix, nu), sign)


# the smoother one is at round-off with 72 Fourier points (time-order tests); the sharper one spans ten decades
# between 12 and 84 points (exponential-convergence test)
SMOOTH_STDS, SHARP_STDS = [1.0, 0.9], [0.8, 0.7]


def flux_operator(adv, diff, n, exact, bc="exact", sign=1.0, nu=NU, domain=DOMAIN):
    grid = UniformGrid((domain[0],), (domain[1],), (n,))
    op = FluxBurgers1D(grid, [BoundaryCondition(bc)], BURGERS_SPACE_SCHEMES.get(adv), SPACE_SCHEMES.get(diff),
                       Coefficients(sign, nu), boundary_values=exact.state if bc == "exact" else None)
    return grid, op


def run(op, scheme: str, u0: np.ndarray, T: float, steps: int) -> np.ndarray:
    u = np.array(u0, dtype=float)
    make_split_stepper(op, BURGERS_TIME_SCHEMES.get(scheme), T / steps).advance(u, 0.0, steps)
    return u


def explicit_steps(op, scheme: str, T: float, fraction: float) -> int:
    """Steps so that ``dt`` is ``fraction`` of the diffusive stability limit of an explicit scheme."""
    limit = BURGERS_TIME_SCHEMES.get(scheme).stability_interval / op.diffusive_radius(0.0)
    return int(np.ceil(T / (fraction * limit)))


def semi_discrete_reference(op, u0: np.ndarray, T: float) -> np.ndarray:
    """The semi-discrete system ``w' = full_rhs(w, t)`` (boundary data at the exact time ``t``) integrated by
    scipy's DOP853 at tight tolerance: independent of the split steppers."""
    n = u0.size

    def rhs(t, w):
        out = np.empty(n)
        off = op.boundary_table(np.array(t)) if op.time_dependent else None
        op.full_rhs(np.ascontiguousarray(w), t, off, out)
        return out

    sol = solve_ivp(rhs, (0.0, T), u0, method="DOP853", rtol=1e-13, atol=1e-14)
    assert sol.success, sol.message
    return sol.y[:, -1]


# ---------------------------------------------------------------------------------------------------------------
# 1. space orders of the finite-difference schemes
# ---------------------------------------------------------------------------------------------------------------

def test_registries_are_covered():
    """The parametrisations below see every registered scheme (no scheme escapes its order test)."""
    assert set(FLUX_1D) | set(SPECTRAL_1D) == set(SPACE_1D)
    assert FLUX_1D and SPECTRAL_1D and TVD and DIFFUSION and TIME_NAMES
    assert {"central2", "central4"} <= set(DIFFUSION)


@pytest.mark.parametrize("name", TIME_NAMES)
def test_shu_osher_rows_are_the_butcher_tableau(name):
    """A registered two-register form ``(a_i, b_i, c_i)`` is the scheme's own tableau: ``a_i + b_i = 1`` and the
    Butcher ``(A, b)`` it implies equals the registered one (so the weno5 loop that runs it has the scheme's
    order, which the weno5 case of test_time_order_finite_differences measures)."""
    from solvers.integrators.split_schemes import butcher_from_shu_osher
    scheme = BURGERS_TIME_SCHEMES.get(name)
    if not scheme.shu_osher.size:
        assert name not in ("euler", "ssprk3")            # the two the weno5 loop is meant for declare theirs
        return
    assert scheme.explicit and scheme.shu_osher.shape == (scheme.b.size, 3)
    np.testing.assert_allclose(scheme.shu_osher[:, 0] + scheme.shu_osher[:, 1], 1.0, rtol=0, atol=1e-15)
    A, b = butcher_from_shu_osher(scheme.shu_osher)
    np.testing.assert_allclose(A, scheme.A, rtol=0, atol=1e-15)
    np.testing.assert_allclose(b, scheme.b, rtol=0, atol=1e-15)


@pytest.mark.parametrize("diff", DIFFUSION)
@pytest.mark.parametrize("adv", FLUX_1D)
def test_space_order_flux_schemes(adv, diff):
    """Solution error at T = 1 on the travelling shock, ``exact`` boundaries: order ``min(flux, diffusion)``.

    RK4 at 45% of its diffusive limit (dt ~ h^2: time error O(h^8)). The MUSCL schemes are at their formal
    order in the max norm here: the shock profile is monotone (no extrema for the limiters to clip).
    WENO5 with central4 is fourth order; its WENO (h^5) part has the opposite sign and a large constant,
    so the local slope approaches 4 from below (3.5 at h ~ 0.1, 3.9 at h ~ 0.02): it is measured on
    256-1024 cells (h = 0.047 to 0.012; 2048 cells reach the round-off floor of ~1e-11)."""
    flux_order = BURGERS_SPACE_SCHEMES.get(adv).order
    expected = min(flux_order, SPACE_SCHEMES.get(diff).order)
    levels = [64, 128, 256, 512] if expected <= 2 else [256, 512, 1024]
    ex, T = shock(), 1.0
    hs, errs = [], []
    for n in levels:
        grid, op = flux_operator(adv, diff, n, ex)
        x = grid.axes[0]
        u = run(op, "rk4", ex.state(x, 0.0), T, explicit_steps(op, "rk4", T, 0.45))
        hs.append(grid.spacing[0])
        errs.append(np.abs(u - ex.state(x, T)).max())
    p = observed_order(hs, errs)
    assert abs(p - expected) <= TOL, (adv, diff, errs, p)


@pytest.mark.parametrize("adv", FLUX_1D)
def test_flux_difference_order(adv):
    """The advective term alone, ``-(F_{i+1/2} - F_{i-1/2}) / h`` on the exact shock at t = 0.3, against the
    exact ``w w_x``: the formal order of every flux (WENO5: 5, in its asymptotic range)."""
    order = BURGERS_SPACE_SCHEMES.get(adv).order
    levels = [32, 64, 128, 256] if order <= 2 else [64, 128, 256]
    ex, t = shock(), 0.3
    hs, errs = [], []
    for n in levels:
        grid, op = flux_operator(adv, "central4", n, ex)
        x = grid.axes[0]
        w, out = ex.state(x, t), np.empty(n)
        op.nonlinear(w, t, op.boundary_table(np.array(t)), out)
        # score form: -d/dx (c2 w^2) = w w_x, with w = -v = A tanh(A (x - c t - x0)/(2 nu)) - c
        w_x = AMP ** 2 / (2 * NU) / np.cosh(AMP * (x - SPEED * t - X0) / (2 * NU)) ** 2
        hs.append(grid.spacing[0])
        errs.append(np.abs(out - w * w_x).max())
    p = observed_order(hs, errs)
    assert abs(p - order) <= TOL, (adv, errs, p)


# ---------------------------------------------------------------------------------------------------------------
# 2. spectral: exponential convergence
# ---------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("space", SPECTRAL_1D)
def test_spectral_space_converges_exponentially(space):
    """Periodic mixture score, T = 0.5, ETDRK4 with dt = 1e-3 (time error ~1e-13): every 12 more points
    (4 more retained modes under the 2/3 rule) divide the error by at least 10 until round-off."""
    ex, T, steps = mixture(SHARP_STDS, 0.5), 0.5, 500
    ns = np.arange(12, 85, 12)
    errs = []
    for n in ns:
        grid = UniformGrid((PERIOD[0],), (PERIOD[1],), (int(n),))
        op = SpectralBurgers(grid, Coefficients(1.0, 0.5))
        x = grid.axes[0]
        errs.append(np.abs(run(op, "etdrk4", ex.state(x, 0.0), T, steps) - ex.state(x, T)).max())
    errs = np.array(errs)
    assert errs[0] > 1e-3 and errs[-1] < 1e-11, errs
    above = errs[1:] > 1e-11                      # pairs whose finer error is still above round-off
    assert np.all(errs[1:][above] <= errs[:-1][above] / 10.0), errs


# ---------------------------------------------------------------------------------------------------------------
# 3. time orders
# ---------------------------------------------------------------------------------------------------------------

def _time_levels(op, name: str, T: float, explicit_fraction: float, implicit_base: int, count: int):
    scheme = BURGERS_TIME_SCHEMES.get(name)
    base = explicit_steps(op, name, T, explicit_fraction) if scheme.explicit else implicit_base
    return [base * 2 ** k for k in range(count)]


@pytest.mark.parametrize("name", TIME_NAMES)
def test_time_order_spectral(name):
    """Spectral operator on the smooth periodic mixture (N = 72: spatial error ~1e-15 at T = 1) against the
    exact solution. Explicit schemes start at 90% of the diffusive limit (3 levels: RK4 reaches 5e-14);
    the others at 8 steps."""
    scheme = BURGERS_TIME_SCHEMES.get(name)
    ex, T = mixture(SMOOTH_STDS, 0.5), 1.0
    grid = UniformGrid((PERIOD[0],), (PERIOD[1],), (72,))
    op = SpectralBurgers(grid, Coefficients(1.0, 0.5))
    x = grid.axes[0]
    u0, uT = ex.state(x, 0.0), ex.state(x, T)
    levels = _time_levels(op, name, T, 0.9, 8, 3 if scheme.explicit else 4)
    errs = [np.abs(run(op, name, u0, T, s) - uT).max() for s in levels]
    p = observed_order([T / s for s in levels], errs)
    assert abs(p - scheme.order) <= TOL, (name, errs, p)


FD_TIME_CASES = {
    # name: (flux, bc, diffusion, n, exact)
    "exact-central2": ("central2", "exact", "central2", 32, lambda: shock()),
    "exact-central4": ("central2", "exact", "central4", 32, lambda: shock()),
    "periodic-central2": ("central2", "periodic", "central2", 32, lambda: mixture(SMOOTH_STDS, NU)),
    # weno5: euler and ssprk3 run the two-register Shu-Osher loop (solvers/kernels/burgers_lowstorage.py)
    "exact-weno5": ("weno5", "exact", "central4", 32, lambda: shock()),
}


@pytest.mark.parametrize("case", list(FD_TIME_CASES))
@pytest.mark.parametrize("name", TIME_NAMES)
def test_time_order_finite_differences(name, case):
    """central2 (and weno5) flux, on one grid, against a DOP853 solution of the same semi-discrete system
    (rtol 1e-13).

    ``exact-*``: the travelling shock with time-dependent boundary data (Thomas solve for central2, splu for
    central4, the dense diagonalisation for ETDRK4); ``periodic``: the mixture (cyclic tridiagonal solve).
    Explicit levels start at 22.5% of the diffusive limit (RK4's stiff modes make its slope approach 4 from
    above: 4.7 at the limit); implicit ones at 16 steps. 32 cells keep ``dt * |lambda_max| <= 2`` at 16 steps:
    ETDRK4 with the boundary data as a forcing shows the order reduction of exponential integrators under
    time-dependent Dirichlet data on finer grids (local slopes down to 3.5 on 48 cells and 2.2 on 96, the error
    at the boundary cells; 4 again once ``dt * |lambda_max|`` is small; none with constant boundary data)."""
    scheme = BURGERS_TIME_SCHEMES.get(name)
    flux, bc, diff, n, make_exact = FD_TIME_CASES[case]
    ex, T = make_exact(), 1.0
    domain = DOMAIN if bc == "exact" else PERIOD
    grid, op = flux_operator(flux, diff, n, ex, bc=bc, domain=domain)
    x = grid.axes[0]
    u0 = ex.state(x, 0.0)
    ref = semi_discrete_reference(op, u0, T)
    # the semi-discrete solution is the exact one up to the O(h^2) spatial error
    assert np.abs(ref - ex.state(x, T)).max() < 1e-2
    levels = _time_levels(op, name, T, 0.225, 16, 3 if scheme.explicit else 4)
    errs = [np.abs(run(op, name, u0, T, s) - ref).max() for s in levels]
    assert min(errs) > 5e-13, errs                # 10x above the reference's own error (<= 5e-14)
    p = observed_order([T / s for s in levels], errs)
    assert abs(p - scheme.order) <= TOL, (name, case, errs, p)


# ---------------------------------------------------------------------------------------------------------------
# 4. TVD
# ---------------------------------------------------------------------------------------------------------------

def _square_wave_run(adv, steps=120, n=100, courant=0.4):
    """Forward Euler, nu = 1e-6, periodic square wave with values 1 and -0.5 (a shock and a transonic
    rarefaction: f'(w) = -w changes sign), Courant number ``max|f'| dt / h = 0.4``. Yields each state."""
    grid, op = flux_operator(adv, "central2", n, None, bc="periodic", nu=1e-6, domain=PERIOD)
    x = grid.axes[0]
    u = np.where(np.abs(x) < np.pi / 2, 1.0, -0.5)
    dt = courant * grid.spacing[0] / np.abs(u).max()        # max|f'(w)| = |2 c2 w| = |w|
    st = make_split_stepper(op, BURGERS_TIME_SCHEMES.get("euler"), dt)
    yield u.copy()
    for k in range(steps):
        st.advance(u, k * dt, 1)
        yield u.copy()


def _tv(u):
    return float(np.abs(np.diff(np.append(u, u[0]))).sum())


def _tvd_violations(adv):
    states = list(_square_wave_run(adv))
    u0 = states[0]
    hi, lo = u0.max(), u0.min()
    new_extrema = max(max(s.max() - hi, lo - s.min()) for s in states)
    tv = [_tv(s) for s in states]
    tv_growth = max(b - a for a, b in zip(tv[:-1], tv[1:]))
    return new_extrema, tv_growth, states[-1]


@pytest.mark.parametrize("adv", TVD)
def test_tvd_forward_euler(adv):
    new_extrema, tv_growth, last = _tvd_violations(adv)
    assert new_extrema <= 1e-12, (adv, new_extrema)
    assert tv_growth <= 1e-12, (adv, tv_growth)
    assert np.ptp(last) > 0.5                   # the run did something (no trivial pass on a flat state)


def test_tvd_check_detects_oscillations():
    """Control: the non-TVD centred flux fails the same checks (so they can fail)."""
    assert not BURGERS_SPACE_SCHEMES.get("central2").tvd
    new_extrema, tv_growth, _ = _tvd_violations("central2")
    assert new_extrema > 1e-3 and tv_growth > 1e-3, (new_extrema, tv_growth)


# ---------------------------------------------------------------------------------------------------------------
# 5. conservation
# ---------------------------------------------------------------------------------------------------------------

CONSERVATION_CASES = [(s, d) for s in FLUX_1D for d in DIFFUSION] + [(s, None) for s in SPECTRAL_1D]


@pytest.mark.parametrize("space,diff", CONSERVATION_CASES)
def test_periodic_conservation(space, diff):
    """Periodic boundaries, c1 = 0: ``h * sum(w)`` is conserved to 1e-12 relative over 50 SSP-RK3 steps
    (a shifted mixture score, so the mean is not zero). The spectral operator has its own diffusion."""
    ex, n = mixture(SHARP_STDS, 0.5), 64
    grid = UniformGrid((PERIOD[0],), (PERIOD[1],), (n,))
    coefs = Coefficients(1.0, 0.5)
    if diff is None:
        op = SpectralBurgers(grid, coefs)
    else:
        op = FluxBurgers1D(grid, [BoundaryCondition("periodic")], BURGERS_SPACE_SCHEMES.get(space),
                           SPACE_SCHEMES.get(diff), coefs)
    x, h = grid.axes[0], grid.spacing[0]
    u = ex.state(x, 0.0) + 0.7
    limit = BURGERS_TIME_SCHEMES.get("ssprk3").stability_interval / op.diffusive_radius(0.0)
    dt = 0.4 * min(h / np.abs(u).max(), limit)
    mass0 = h * u.sum()
    u1 = run(op, "ssprk3", u, 50 * dt, 50)
    assert np.abs(u1 - u).max() > 1e-2                 # the state moved
    assert abs(h * u1.sum() - mass0) <= 1e-12 * abs(mass0), (space, diff, h * u1.sum() - mass0)


# ---------------------------------------------------------------------------------------------------------------
# 6. score form vs textbook form
# ---------------------------------------------------------------------------------------------------------------

def _score_and_textbook(space, time_name, T=0.5, steps=200):
    results = []
    for sign in (1.0, -1.0):
        if BURGERS_SPACE_SCHEMES.get(space).kind == "spectral":
            ex = mixture(SHARP_STDS, 0.5, sign)
            grid = UniformGrid((PERIOD[0],), (PERIOD[1],), (64,))
            op = SpectralBurgers(grid, Coefficients(sign, 0.5))
        else:
            ex = shock(sign)
            grid, op = flux_operator(space, "central2", 48, ex, sign=sign)
        x = grid.axes[0]
        u = run(op, time_name, ex.state(x, 0.0), T, steps)
        results.append((u, ex.state(x, T)))
    return results


@pytest.mark.parametrize("space", SPACE_1D)
def test_textbook_is_minus_score(space):
    """sign = -1 (``v_t + v v_x = nu v_xx``) from ``-w0`` with its own boundary data gives ``-w`` of the score
    form (sign = +1) to 1e-12; and the exact textbook state is minus the exact score state."""
    (w, w_exact), (v, v_exact) = _score_and_textbook(space, "ssprk3")
    np.testing.assert_allclose(v_exact, -w_exact, rtol=0, atol=1e-14)
    assert np.abs(w - w_exact).max() < 0.1                # a real solution, not noise
    assert np.abs(v + w).max() <= 1e-12, (space, np.abs(v + w).max())


@pytest.mark.parametrize("name", TIME_NAMES)
def test_textbook_is_minus_score_every_time_scheme(name):
    (w, _), (v, _) = _score_and_textbook("godunov", name)
    assert np.abs(v + w).max() <= 1e-12, (name, np.abs(v + w).max())


# ------------------------------------------------------------------------ 7. 2/3-rule dealiasing
def test_spectral_nonlinear_term_is_alias_free():
    """The spectral advective term equals the exact Fourier projection of ``-d/dx (c2 w^2)`` of the
    dealiased field, computed on a 3/2-padded grid (Orszag 1971): a field with energy in the top third of the
    modes must not alias back. Without the mask the retained modes differ by O(1)."""
    n = 48
    grid = UniformGrid((0.0,), (2 * np.pi,), (n,))
    op = SpectralBurgers(grid, Coefficients(1.0, 0.5))
    rng = np.random.default_rng(3)
    w_hat = (rng.standard_normal(n // 2 + 1) + 1j * rng.standard_normal(n // 2 + 1))
    w_hat[0] = w_hat[0].real
    w_hat[-1] = 0.0
    out = np.empty_like(w_hat)
    op.nonlinear(w_hat.copy(), 0.0, None, out)
    # exact product of the dealiased field by zero padding to 3n/2 (no aliasing of a quadratic term)
    kept = w_hat * op.mask
    m = 3 * n // 2
    padded = np.zeros(m // 2 + 1, dtype=complex)
    padded[:n // 2 + 1] = kept * (m / n)
    w_fine = np.fft.irfft(padded, n=m)
    q_hat = np.fft.rfft(-0.5 * w_fine ** 2)[:n // 2 + 1] * (n / m)
    k = np.arange(n // 2 + 1)
    expected = -1j * k * q_hat * op.mask
    assert np.abs(out - expected).max() < 1e-11 * np.abs(expected).max()
    # the same term without the mask on the input aliases: the check above can fail
    phys = np.fft.irfft(w_hat, n=n)
    aliased = -1j * k * np.fft.rfft(-0.5 * phys ** 2) * op.mask
    assert np.abs(aliased - expected).max() > 1e-3 * np.abs(expected).max()
