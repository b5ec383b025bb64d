"""Flux kernels of :mod:`solvers.kernels.fluxes` against exact derivatives and independent Riemann solutions.

* Order: ``-dF/dx`` of every scheme against the exact ``-d/dx f(u(x), x)`` on smooth monotone profiles with
  ``f'`` bounded away from 0 (Burgers ``c2 = 1/2`` and VP-like ``c2 = c1 = -1/2``), max norm, last log2 ratio
  within 0.2 of the formal order (two-sided). Diffusion stencils of the fused RHS likewise (orders 2 and 4).
* Conservation with periodic ghosts, consistency of the fused RHS with the separate operators.
* TVD / maximum principle under forward Euler (all the TVD schemes; central2 as the negative control), bounded
  overshoot for WENO5 with SSP-RK3.
* Godunov flux against a brute-force min/max of f, Engquist-Osher against ``scipy.integrate.quad``.

The schemes are the registered ones with a 1D flux kernel (:data:`solvers.equations.advection.BURGERS_SPACE_SCHEMES`,
kind ``"flux"``): their kernel id, ghost width (``reach``) and formal order come from the entry.
"""
from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad

from solvers.equations.advection import BURGERS_SPACE_SCHEMES
from solvers.equations.space import SPACE_SCHEMES
from solvers.kernels import fluxes
from solvers.kernels.fluxes import (burgers_rhs_1d, engquist_osher_flux, flux_divergence_1d, godunov_flux,
                                    max_wave_speed_1d)
from solvers.kernels.stencils import apply_stencil_1d

FLUX = {s.name: s for s in BURGERS_SPACE_SCHEMES if s.kind == "flux" and 1 in s.dims}   # the 1D flux kernels
FLUX_SCHEMES = list(FLUX)
TVD_SCHEMES = [name for name, s in FLUX.items() if s.tvd]


def kernel(scheme: str) -> tuple[int, int]:
    """``(scheme_id, reach)`` of a registered flux scheme: the kernel arguments the entry states."""
    return FLUX[scheme].kernel_id, FLUX[scheme].ghost_layers


def second_derivative(stencil: str) -> np.ndarray:
    return SPACE_SCHEMES.get(stencil).second_derivative

NS = (40, 80, 160, 320)

# (c2, c1, A, B): u = A + B tanh(x) on [-3, 3]. Burgers: f' = u in [0.5, 2.5]. VP-like: f' = -(u + x/2) in
# [-6, -2]; B = 0.5 also keeps both WENO splittings f+- = (f +- alpha u)/2 free of critical points (with B = 1
# d/dx f+ vanishes inside the domain, where WENO-JS leaves its asymptotic regime late: ratios 4.1, 5.5, 5.4).
PROFILES = {"burgers": (0.5, 0.0, 1.5, 1.0), "vp": (-0.5, -0.5, 4.0, 0.5)}


def centres(n, a, b, g):
    h = (b - a) / n
    return h, a + (np.arange(-g, n + g) + 0.5) * h


def log2_ratios(err):
    err = np.asarray(err)
    return np.log2(err[:-1] / err[1:])


def periodic_fill(ue, g, n):
    ue[:g] = ue[n:n + g]
    ue[g + n:] = ue[g:2 * g]


def total_variation(u):
    return np.sum(np.abs(np.diff(np.concatenate([u, u[:1]]))))   # periodic


def flux_divergence_error(scheme, profile, n):
    c2, c1, A, B = PROFILES[profile]
    g = FLUX[scheme].ghost_layers
    h, x = centres(n, -3.0, 3.0, g)
    ue = A + B * np.tanh(x)                                   # ghosts from the exact function
    out = np.full(n, np.nan)
    flux_divergence_1d(ue, g, n, h, -3.0, *kernel(scheme), c2, c1, out, False)
    xi, u = x[g:g + n], ue[g:g + n]
    exact = -((2 * c2 * u + c1 * xi) * B / np.cosh(xi) ** 2 + c1 * u)
    return np.max(np.abs(out - exact))


def test_scheme_tables_are_consistent():
    """Every 1D flux scheme names a distinct kernel id, the ids are those of the dispatch (0 .. WENO5 in
    registry order), and each states its ghost width and order."""
    assert FLUX_SCHEMES and all(s.kernel_id is not None for s in FLUX.values())
    assert [FLUX[s].kernel_id for s in FLUX_SCHEMES] == list(range(len(FLUX_SCHEMES)))
    assert FLUX["weno5"].kernel_id == fluxes.WENO5 == len(FLUX_SCHEMES) - 1
    assert all(s.ghost_layers >= 1 and s.order >= 1 for s in FLUX.values())
    assert all(s.kernel_id is None for s in BURGERS_SPACE_SCHEMES if s.name not in FLUX)


@pytest.mark.parametrize("scheme", FLUX_SCHEMES)
def test_kernel_refuses_fewer_ghosts_than_the_entry_states(scheme):
    """The entry's ghost width is what the kernel checks ``g`` against."""
    n, reach = 20, FLUX[scheme].ghost_layers
    g = reach - 1
    ue, out = np.zeros(n + 2 * g), np.empty(n)
    with pytest.raises(ValueError):
        flux_divergence_1d(ue, g, n, 0.1, 0.0, *kernel(scheme), 0.5, 0.0, out, False)


# Observed max-norm orders (n = 40..320, last ratio), both profiles: central2 2.00/2.00, upwind1, godunov,
# engquist_osher 1.00/1.00, rusanov 1.01/1.00, muscl_minmod 1.96/2.00, muscl_mc 2.01/2.01, weno5 4.91/4.99.
# MUSCL keeps its order in the max norm here because f' and u' never vanish (the limiter never clips to 0).
@pytest.mark.parametrize("profile", sorted(PROFILES))
@pytest.mark.parametrize("scheme", FLUX_SCHEMES)
def test_flux_divergence_order(scheme, profile):
    err = [flux_divergence_error(scheme, profile, n) for n in NS]
    assert min(err) > 1e-12                                    # far above round-off
    observed = log2_ratios(err)
    assert abs(observed[-1] - FLUX[scheme].order) <= 0.2, (scheme, profile, observed, err)


@pytest.mark.parametrize("stencil, order", [("central2", 2), ("central4", 4)])
def test_fused_rhs_diffusion_order(stencil, order):
    """``burgers_rhs_1d`` with weno5 (error O(h^5)) on Burgers: the diffusion stencil sets the order."""
    nu, c2 = 1.0, 0.5
    err = []
    for n in NS:
        g = 3
        h, x = centres(n, -3.0, 3.0, g)
        ue = 1.5 + np.tanh(x)
        out = np.full(n, np.nan)
        burgers_rhs_1d(ue, g, n, h, -3.0, *kernel("weno5"), c2, 0.0, nu / h**2 * second_derivative(stencil), out)
        xi = x[g:g + n]
        t, s2 = np.tanh(xi), 1 / np.cosh(xi) ** 2
        exact = nu * (-2 * t * s2) - 2 * c2 * (1.5 + t) * s2
        err.append(np.max(np.abs(out - exact)))
    observed = log2_ratios(err)
    assert min(err) > 1e-12
    assert abs(observed[-1] - order) <= 0.2, (stencil, observed, err)


@pytest.mark.parametrize("stencil", ["central2", "central4"])
@pytest.mark.parametrize("scheme", FLUX_SCHEMES)
def test_fused_rhs_equals_separate_operators(scheme, stencil):
    """One fused sweep == stencil sweep + flux divergence (accumulated onto it), on random data."""
    rng = np.random.default_rng(3)
    n, g = 57, 3
    h, x0, c2, c1 = 0.07, -1.3, -0.5, 0.8
    ue = rng.normal(size=n + 2 * g)
    coef = 0.3 / h**2 * second_derivative(stencil)
    fused = np.full(n, np.nan)
    burgers_rhs_1d(ue, g, n, h, x0, *kernel(scheme), c2, c1, coef, fused)
    separate = np.empty(n)
    apply_stencil_1d(ue, g, coef, separate)
    flux_divergence_1d(ue, g, n, h, x0, *kernel(scheme), c2, c1, separate, True)
    np.testing.assert_allclose(fused, separate, rtol=1e-12, atol=1e-12 * np.max(np.abs(separate)))
    alone = np.full(n, np.nan)
    flux_divergence_1d(ue, g, n, h, x0, *kernel(scheme), c2, c1, alone, False)
    apply_stencil_1d(ue, g, coef, separate)
    np.testing.assert_allclose(fused - separate, alone, rtol=1e-9, atol=1e-10 * np.max(np.abs(fused)))


@pytest.mark.parametrize("scheme", FLUX_SCHEMES)
def test_conservation_with_periodic_ghosts(scheme):
    rng = np.random.default_rng(FLUX[scheme].kernel_id)
    n = 101
    g = FLUX[scheme].ghost_layers + 1
    for c2 in (0.5, -0.5, 1.7):
        ue = rng.normal(size=n + 2 * g) + 0.3
        periodic_fill(ue, g, n)
        out = np.empty(n)
        flux_divergence_1d(ue, g, n, 0.01, -0.5, *kernel(scheme), c2, 0.0, out, False)
        assert abs(out.sum()) <= 1e-12 * np.abs(out).sum()
        burgers_rhs_1d(ue, g, n, 0.01, -0.5, *kernel(scheme), c2, 0.0, 0.2 * second_derivative("central4"), out)
        assert abs(out.sum()) <= 1e-12 * np.abs(out).sum()


def test_max_wave_speed():
    rng = np.random.default_rng(5)
    n, g, h, x0, c2, c1 = 40, 2, 0.1, -2.0, -0.5, -0.7
    ue = rng.normal(size=n + 2 * g)
    ue[0] = ue[-1] = 100.0                                     # ghosts must not count
    xi = x0 + (np.arange(n) + 0.5) * h
    expected = np.max(np.abs(2 * c2 * ue[g:g + n] + c1 * xi))
    assert max_wave_speed_1d(ue, g, n, h, x0, c2, c1) == pytest.approx(expected, rel=1e-14)


# ---------------------------------------------------------------------------------------------------------------
# Face fluxes written out in numpy from their definitions (the two-state Riemann fluxes are checked on their own
# below): catches stencil offsets, the face / centre positions of x, the limiters and the WENO weights.
# ---------------------------------------------------------------------------------------------------------------

def _weno5_plus(a, b, c, d, e):
    q = [(2 * a - 7 * b + 11 * c) / 6, (-b + 5 * c + 2 * d) / 6, (2 * c + 5 * d - e) / 6]
    beta = [13 / 12 * (a - 2 * b + c) ** 2 + 1 / 4 * (a - 4 * b + 3 * c) ** 2,
            13 / 12 * (b - 2 * c + d) ** 2 + 1 / 4 * (b - d) ** 2,
            13 / 12 * (c - 2 * d + e) ** 2 + 1 / 4 * (3 * c - 4 * d + e) ** 2]
    alpha = [dk / (1e-6 + bk) ** 2 for dk, bk in zip((0.1, 0.6, 0.3), beta)]
    return sum(ak * qk for ak, qk in zip(alpha, q)) / sum(alpha)


def reference_face_fluxes(scheme, ue, g, n, h, x0, c2, c1):
    """``F_{j-1/2}``, j = 0..n, straight from the definitions in the module docstring."""
    xc = x0 + (np.arange(-g, n + g) + 0.5) * h
    f = c2 * ue**2 + c1 * xc * ue
    j = np.arange(n + 1)
    L, R = g + j - 1, g + j                                   # cells left / right of face j - 1/2
    xf = x0 + j * h
    uL, uR = ue[L], ue[R]
    fL, fR = c2 * uL**2 + c1 * xf * uL, c2 * uR**2 + c1 * xf * uR
    godunov = np.vectorize(godunov_flux)
    if scheme == "central2":
        return 0.5 * (f[L] + f[R])
    if scheme == "upwind1":
        return np.where(c2 * (uL + uR) + c1 * xf >= 0, fL, fR)
    if scheme == "rusanov":
        speed = np.maximum(np.abs(2 * c2 * uL + c1 * xf), np.abs(2 * c2 * uR + c1 * xf))
        return 0.5 * (fL + fR) - 0.5 * speed * (uR - uL)
    if scheme == "godunov":
        return godunov(uL, uR, xf, c2, c1)
    if scheme == "engquist_osher":
        return np.vectorize(engquist_osher_flux)(uL, uR, xf, c2, c1)
    if scheme.startswith("muscl"):
        dl, dr = ue[1:-1] - ue[:-2], ue[2:] - ue[1:-1]        # slopes of cells 1 .. n+2g-2 of ue
        if scheme == "muscl_minmod":
            s = np.where(dl * dr > 0, np.sign(dl) * np.minimum(np.abs(dl), np.abs(dr)), 0.0)
        else:
            s = np.where(dl * dr > 0, np.sign(dl) * np.minimum.reduce([2 * np.abs(dl), np.abs(dl + dr) / 2,
                                                                        2 * np.abs(dr)]), 0.0)
        return godunov(uL + 0.5 * s[L - 1], uR - 0.5 * s[R - 1], xf, c2, c1)
    alpha = np.max(np.abs(2 * c2 * ue + c1 * xc))
    fp, fm = 0.5 * (f + alpha * ue), 0.5 * (f - alpha * ue)
    return (_weno5_plus(fp[L - 2], fp[L - 1], fp[L], fp[R], fp[R + 1])
            + _weno5_plus(fm[R + 2], fm[R + 1], fm[R], fm[L], fm[L - 1]))


@pytest.mark.parametrize("scheme", FLUX_SCHEMES)
def test_flux_divergence_matches_reference(scheme):
    rng = np.random.default_rng(7 + FLUX[scheme].kernel_id)
    n, h, x0 = 64, 0.05, -1.7
    g = FLUX[scheme].ghost_layers + 1                                # extra ghosts: alpha of weno5 must see them all
    for c2, c1 in ((0.5, 0.0), (-0.5, -0.5), (-0.8, 1.3)):
        ue = rng.normal(size=n + 2 * g) + rng.choice([-1.0, 0.0, 1.0])
        F = reference_face_fluxes(scheme, ue, g, n, h, x0, c2, c1)
        out = np.full(n, np.nan)
        flux_divergence_1d(ue, g, n, h, x0, *kernel(scheme), c2, c1, out, False)
        np.testing.assert_allclose(out, -np.diff(F) / h, rtol=1e-11, atol=1e-11 * np.max(np.abs(F)) / h)


# ---------------------------------------------------------------------------------------------------------------
# Non-oscillation: a shock (x = 0, 1 -> -0.5) and, through the periodic wrap, a transonic rarefaction
# ---------------------------------------------------------------------------------------------------------------

def step_problem(g, n=200):
    h, x = centres(n, -1.0, 1.0, g)
    ue = np.where(x < 0.0, 1.0, -0.5)
    periodic_fill(ue, g, n)
    return h, ue


def euler_history(scheme, steps=100, cfl=0.4):
    g, n, c2 = FLUX[scheme].ghost_layers, 200, 0.5
    h, ue = step_problem(g, n)
    dt = cfl * h / max_wave_speed_1d(ue, g, n, h, -1.0, c2, 0.0)
    rhs = np.empty(n)
    history = [ue[g:g + n].copy()]
    for _ in range(steps):
        flux_divergence_1d(ue, g, n, h, -1.0, *kernel(scheme), c2, 0.0, rhs, False)
        ue[g:g + n] += dt * rhs
        periodic_fill(ue, g, n)
        history.append(ue[g:g + n].copy())
    return history


@pytest.mark.parametrize("scheme", TVD_SCHEMES)
def test_tvd_forward_euler(scheme):
    history = euler_history(scheme)
    u0 = history[0]
    tv = [total_variation(u) for u in history]
    for u in history:
        assert u.max() <= u0.max() + 1e-12 and u.min() >= u0.min() - 1e-12
    assert np.all(np.diff(tv) <= 1e-12), (scheme, max(np.diff(tv)))
    assert np.ptp(history[-1] - u0) > 0.5                      # the solution did move


def test_central2_violates_the_tvd_checks():
    """Negative control: the same harness flags the oscillating centred flux."""
    history = euler_history("central2", steps=20)
    tv = [total_variation(u) for u in history]
    assert history[-1].max() > history[0].max() + 1e-2 and max(np.diff(tv)) > 1e-2


def test_weno5_ssp_rk3_overshoot_is_small():
    scheme, c2, n = "weno5", 0.5, 200
    g = FLUX[scheme].ghost_layers
    h, ue = step_problem(g, n)
    u0 = ue[g:g + n].copy()
    jump = np.ptp(u0)
    dt = 0.4 * h / max_wave_speed_1d(ue, g, n, h, -1.0, c2, 0.0)
    k, se = np.empty(n), ue.copy()

    def L(v):                                                  # v: ghosted, ghosts filled here
        periodic_fill(v, g, n)
        flux_divergence_1d(v, g, n, h, -1.0, *kernel(scheme), c2, 0.0, k, False)
        return k

    for _ in range(100):                                       # Shu-Osher SSP-RK3, stages combined in numpy
        u = ue[g:g + n]
        se[g:g + n] = u + dt * L(ue)
        se[g:g + n] = 0.75 * u + 0.25 * (se[g:g + n] + dt * L(se))
        ue[g:g + n] = u / 3.0 + 2.0 / 3.0 * (se[g:g + n] + dt * L(se))
    u = ue[g:g + n]
    overshoot = max(u.max() - u0.max(), u0.min() - u.min())
    assert overshoot <= 1e-2 * jump, overshoot
    assert np.ptp(u - u0) > 0.5


# ---------------------------------------------------------------------------------------------------------------
# Riemann solutions
# ---------------------------------------------------------------------------------------------------------------

def riemann_cases(count, seed):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        uL, uR, x = rng.uniform(-2, 2, 3)
        c2 = rng.choice([-1, 1]) * rng.uniform(0.1, 1.5)
        c1 = rng.uniform(-1, 1)
        yield uL, uR, x, c2, c1


def test_godunov_flux_is_the_riemann_extremum():
    interior = 0
    for uL, uR, x, c2, c1 in riemann_cases(400, 11):
        w = np.linspace(min(uL, uR), max(uL, uR), 40001)
        f = c2 * w**2 + c1 * x * w
        expected = f.min() if uL <= uR else f.max()
        interior += int(min(abs(expected - f[0]), abs(expected - f[-1])) > 1e-6)
        assert godunov_flux(uL, uR, x, c2, c1) == pytest.approx(expected, abs=1e-8)
    assert interior > 20                                       # transonic cases (extremum inside) were exercised
    # the zero-range and linear-flux limits
    assert godunov_flux(0.7, 0.7, 0.3, -0.5, 0.2) == pytest.approx(-0.5 * 0.49 + 0.2 * 0.3 * 0.7, rel=1e-15)
    assert godunov_flux(-1.0, 2.0, 0.5, 0.0, 0.8) == pytest.approx(0.4 * -1.0, rel=1e-15)
    assert godunov_flux(2.0, -1.0, 0.5, 0.0, 0.8) == pytest.approx(0.4 * 2.0, rel=1e-15)


def test_engquist_osher_flux_against_quadrature():
    for uL, uR, x, c2, c1 in riemann_cases(200, 12):
        fprime = lambda w: abs(2 * c2 * w + c1 * x)             # noqa: E731
        root = -c1 * x / (2 * c2)
        points = [root] if min(uL, uR) < root < max(uL, uR) else None
        integral = quad(fprime, uL, uR, points=points, epsabs=1e-13, epsrel=1e-13)[0]
        fL, fR = c2 * uL**2 + c1 * x * uL, c2 * uR**2 + c1 * x * uR
        expected = 0.5 * (fL + fR) - 0.5 * integral
        assert engquist_osher_flux(uL, uR, x, c2, c1) == pytest.approx(expected, abs=1e-11)
