"""VP schedules, VP speciation times and the VP score PDE (ANALYTIC.md §4, §8) against the 17-digit table and
30-digit mpmath."""
from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest

from solvers.closed_forms import (ConstantSchedule, GaussianMixture, LinearSchedule, make_schedule,
                                  spectral_estimate, vp_density, vp_score, vp_speciation_time)

from .test_mp_reference import mp30, mp_B, mp_vp_score  # noqa: F401

# ANALYTIC §8: (a, s0) -> (t_S OU beta=2, t_S linear beta 0.1..20)
TABLE = {
    (1.0, 0.25): ("0.33069924112268250", "0.25284589088684021"),
    (2.0, 0.5): ("0.77907230902327492", "0.39073073464114591"),
    (1.5, 0.3): ("0.57528601379941037", "0.33506402672128597"),
}
SCHEDULES = {"constant": {"beta": 2.0}, "linear": {"beta_min": 0.1, "beta_max": 20.0}}


@pytest.mark.parametrize("a,s0", list(TABLE))
def test_vp_speciation_times_match_table_and_mpmath(a, s0):
    ou, lin = make_schedule("constant", beta=2.0), make_schedule("linear", beta_min=0.1, beta_max=20.0)
    t_ou, t_lin = vp_speciation_time(ou, a, s0), vp_speciation_time(lin, a, s0)
    assert t_ou == pytest.approx(float(TABLE[(a, s0)][0]), rel=1e-13)
    assert t_lin == pytest.approx(float(TABLE[(a, s0)][1]), rel=1e-13)
    target = mp.log(1 + mp.mpf(a) ** 2 - mp.mpf(s0) ** 2)
    for kind, t in (("constant", t_ou), ("linear", t_lin)):
        root = mp.findroot(lambda tt: mp_B(kind, SCHEDULES[kind], tt) - target, mp.mpf(t))
        assert t == pytest.approx(float(root), rel=1e-13)
        assert abs(root - mp.mpf(TABLE[(a, s0)][0 if kind == "constant" else 1])) < mp.mpf("1e-16")
    assert ou.tau(t_ou) == pytest.approx(a * a - s0 * s0, rel=1e-13)
    assert lin.tau(t_lin) == pytest.approx(a * a - s0 * s0, rel=1e-13)


def test_schedules_round_trip_and_small_tau():
    for sched in (ConstantSchedule(2.0), LinearSchedule(0.1, 20.0), LinearSchedule(0.0, 5.0)):
        t = np.linspace(0.0, 1.5, 31)
        np.testing.assert_allclose(sched.t_of_tau(sched.tau(t)), t, rtol=1e-14, atol=0)
        np.testing.assert_allclose(sched.B(t), [float(mp_B(sched.kind, sched.params, v)) for v in t], rtol=1e-15)
        assert sched.t_of_tau(0.0) == 0.0
    lin = LinearSchedule(0.1, 20.0)
    for tau in (1e-14, 1e-9, 1e-3):
        # mpmath solve of B(t) = log(1 + tau) at 30 digits
        root = mp.findroot(lambda tt: mp_B("linear", lin.params, tt) - mp.log1p(mp.mpf(tau)), mp.mpf(tau) / 10)
        assert float(lin.t_of_tau(tau)) == pytest.approx(float(root), rel=1e-14)
    np.testing.assert_allclose(lin.beta_at([0.0, 1.0]), [0.1, 20.0])
    with pytest.raises(ValueError):
        make_schedule("cosine")
    with pytest.raises(ValueError):
        ConstantSchedule(-1.0)


def test_no_speciation_and_spectral_estimate():
    ou, lin = ConstantSchedule(2.0), LinearSchedule(0.1, 20.0)
    assert vp_speciation_time(ou, 0.3, 0.5) is None
    lam = 1.5**2 + 0.3**2
    assert spectral_estimate(ou, lam) == pytest.approx(0.5 * np.log(lam), rel=1e-15)
    assert lin.B(spectral_estimate(lin, lam)) == pytest.approx(np.log(lam), rel=1e-14)
    assert spectral_estimate(ou, 0.9) is None
    # leading-order agreement as a^2 -> infinity (never a tight comparison)
    for a in (10.0, 100.0, 1000.0):
        ratio = spectral_estimate(ou, a * a + 0.25) / vp_speciation_time(ou, a, 0.5)
        assert abs(ratio - 1) < 2.0 / a**2


W1, M1, S1 = [0.3, 0.7], [-1.0, 1.5], [0.4, 0.6]


@pytest.mark.parametrize("kind", list(SCHEDULES))
def test_vp_score_solves_vp_burgers(kind):
    """s_t = (beta/2)(s_xx + 2 s s_x + x s_x + s): s from the library, derivatives by mpmath at 30 digits."""
    sched = make_schedule(kind, **SCHEDULES[kind])
    mix = GaussianMixture(W1, M1, S1)
    for t in (0.05, 0.3, 0.8):
        beta = float(sched.beta_at(t))
        for x in (-2.5, -0.4, 0.3, 1.7):
            s = float(vp_score(mix, sched, t, x))
            ref = mp_vp_score(kind, SCHEDULES[kind], t, x, W1, M1, S1)
            assert abs(s - float(ref)) < 1e-13 * max(abs(float(ref)), 1.0)

            def f(tt, xx):
                return mp_vp_score(kind, SCHEDULES[kind], tt, xx, W1, M1, S1)

            st = float(mp.diff(f, (t, x), (1, 0)))
            sx = float(mp.diff(f, (t, x), (0, 1)))
            sxx = float(mp.diff(f, (t, x), (0, 2)))
            terms = [sxx, 2 * s * sx, x * sx, s]
            resid = st - 0.5 * beta * sum(terms)
            assert abs(resid) < 1e-12 * max(abs(st), 0.5 * beta * max(abs(v) for v in terms))
    # also with a plain callable score(x, tau)
    np.testing.assert_array_equal(vp_score(mix.score, sched, 0.3, np.array([0.1, 0.2])),
                                  vp_score(mix, sched, 0.3, np.array([0.1, 0.2])))


@pytest.mark.parametrize("kind", list(SCHEDULES))
def test_vp_density_normalised_and_solves_fokker_planck(kind):
    sched = make_schedule(kind, **SCHEDULES[kind])
    mix = GaussianMixture(W1, M1, S1)
    x = np.linspace(-12, 12, 4001)
    for t in (0.0, 0.2, 0.7):
        assert np.trapezoid(vp_density(mix, sched, t, x), x) == pytest.approx(1.0, rel=1e-12)
    # p_t = (beta/2)(d_x(x p) + p_xx) = (beta/2) p (1 + x s + s_x + s^2): p_t by a central difference in t
    t, h = 0.3, 1e-6
    xs = np.linspace(-3, 3, 25)
    pt = (vp_density(mix, sched, t + h, xs) - vp_density(mix, sched, t - h, xs)) / (2 * h)
    eb = float(np.exp(sched.B(t)))
    s = vp_score(mix, sched, t, xs)
    sx = eb * mix.score_jacobian(np.sqrt(eb) * xs, float(sched.tau(t)))
    rhs = 0.5 * float(sched.beta_at(t)) * vp_density(mix, sched, t, xs) * (1 + xs * s + sx + s * s)
    assert np.max(np.abs(pt - rhs)) < 1e-7 * np.max(np.abs(rhs))


def test_vp_2d_shapes_and_density():
    mix = GaussianMixture([0.4, 0.6], [[-1.0, 0.0], [1.0, 0.5]], [0.3, 0.4])
    sched = ConstantSchedule(2.0)
    pts = np.random.default_rng(3).normal(size=(4, 2))
    s = vp_score(mix, sched, 0.4, pts)
    assert s.shape == (4, 2)
    b = 0.8
    np.testing.assert_allclose(s, np.exp(b / 2) * mix.score(np.exp(b / 2) * pts, np.expm1(b)), rtol=1e-15)
    np.testing.assert_allclose(vp_density(mix, sched, 0.4, pts),
                               np.exp(b) * mix.density(np.exp(b / 2) * pts, np.expm1(b)), rtol=1e-14)
