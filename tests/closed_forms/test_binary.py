"""Binary splits, interface layer, speciation and mode merging (ANALYTIC.md §3, §3a, §3b, §8) against closed
forms written out here and 30-digit mpmath evaluations."""
from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest

from solvers.closed_forms import BinarySplit, GaussianMixture, count_modes, mode_merge

from .test_mp_reference import mp30, mp_score  # noqa: F401

# ANALYTIC §8: (a, s0) -> (tau_S, ell(0), ell(tau_S))
TABLE = {(1.0, 0.25): (0.9375, 0.0625, 1.0), (2.0, 0.5): (3.75, 0.125, 2.0), (1.5, 0.3): (2.16, 0.06, 1.5)}


def _symmetric(a, s0):
    return GaussianMixture([0.5, 0.5], [a, -a], [s0, s0])


@pytest.mark.parametrize("a,s0", list(TABLE))
def test_symmetric_rows_of_table(a, s0):
    tau_s_table, ell0_table, ell_s_table = TABLE[(a, s0)]
    split = BinarySplit(_symmetric(a, s0))
    tau_s = split.speciation_time()
    exact = float(mp.mpf(a) ** 2 - mp.mpf(s0) ** 2)
    assert tau_s == pytest.approx(exact, rel=1e-13)
    assert tau_s == pytest.approx(tau_s_table, rel=1e-13)
    assert split.width(0.0) == pytest.approx(ell0_table, rel=1e-13)
    assert split.width(tau_s) == pytest.approx(ell_s_table, rel=1e-13)
    # the generic root finder agrees with the closed form
    assert split._speciation_time_numeric() == pytest.approx(exact, rel=1e-12)


@pytest.mark.parametrize("a,s0", list(TABLE))
def test_symmetric_interface_width_amplitude_indicator(a, s0):
    split = BinarySplit(_symmetric(a, s0))
    for tau in (0.0, 0.1, 0.5 * (a * a - s0 * s0), a * a - s0 * s0, 3.0):
        S = s0 * s0 + tau
        x0 = split.interface_point(tau)
        assert isinstance(x0, float) and abs(x0) < 1e-14 * a
        assert split.normal(tau, x0) == 1.0                 # grad r points to group A (at +a)
        assert split.width(tau) == pytest.approx(S / a, rel=1e-13)
        assert split.amplitude(tau) == pytest.approx(a / S, rel=1e-13)
        assert split.amplitude(tau) * split.width(tau) == pytest.approx(1.0, rel=1e-14)
        d_exact = -1.0 / S + a * a / S**2
        assert abs(split.indicator(tau) - d_exact) < 1e-13 * (1.0 / S + a * a / S**2)
    # ANALYTIC §3a closed form of the score, in mpmath
    mix = _symmetric(a, s0)
    for tau in (0.0, 0.7):
        S = mp.mpf(s0) ** 2 + tau
        for x in (-3.0, -0.2, 0.01, 1.4):
            ref = -x / S + (a / S) * mp.tanh(a * x / S)
            assert abs(float(mix.score(x, tau)) - float(ref)) < 1e-13 * float(abs(x) / S + a / S)


def test_split_identity_and_section3_indicator():
    """u = (u_A + u_B)/2 + ((u_A - u_B)/2) tanh(r/2) exactly; D = n.((grad u_A + grad u_B)/2)n + |u_A - u_B|^2/4
    on the interface (ANALYTIC §3), for a three-component split."""
    mix = GaussianMixture([0.2, 0.5, 0.3], [-2.0, 0.3, 2.5], [0.3, 0.5, 0.2])
    split = BinarySplit(mix, [0, 1], [2])
    x = np.linspace(-4, 4, 81)
    for tau in (0.0, 0.3, 1.5):
        ua, ub = split.part_a.score(x, tau), split.part_b.score(x, tau)
        r = split.log_ratio(x, tau)
        u = 0.5 * (ua + ub) + 0.5 * (ua - ub) * np.tanh(0.5 * r)
        scale = np.maximum(np.abs(ua) + np.abs(ub), 1.0)
        assert np.max(np.abs(u - mix.score(x, tau)) / scale) < 1e-13
        x0 = split.interface_point(tau)
        assert abs(split.log_ratio(x0, tau)) < 1e-12
        ja, jb = split.part_a.score_jacobian(x0, tau), split.part_b.score_jacobian(x0, tau)
        dua = split.part_a.score(x0, tau) - split.part_b.score(x0, tau)
        d3 = 0.5 * (ja + jb) + 0.25 * dua**2
        assert abs(split.indicator(tau, x0) - d3) < 1e-12 * (abs(ja) + abs(jb) + dua**2)


def test_general_speciation_root():
    mix = GaussianMixture([0.2, 0.5, 0.3], [-2.0, 0.3, 2.5], [0.3, 0.5, 0.2])
    split = BinarySplit(mix, [0, 1], [2])
    tau_s = split.speciation_time()
    assert tau_s is not None and tau_s > 0
    S = float(np.max(mix.variances(tau_s)))
    assert abs(split.indicator(tau_s)) < 1e-11 / S
    assert split.indicator(0.99 * tau_s) > 0 > split.indicator(1.01 * tau_s)
    assert split.speciation_time(tau_max=0.5 * tau_s) is None


def test_no_speciation():
    assert BinarySplit(_symmetric(0.3, 0.5)).speciation_time() is None
    assert BinarySplit(_symmetric(0.5, 0.5)).speciation_time() is None
    assert mode_merge(_symmetric(0.3, 0.5), 5.0) is None
    unimodal = GaussianMixture([0.3, 0.7], [-0.2, 0.3], [0.6, 0.6])
    assert BinarySplit(unimodal).speciation_time() is None
    assert BinarySplit(unimodal)._speciation_time_numeric() is None
    assert mode_merge(unimodal, 5.0) is None
    no_interface = GaussianMixture([0.3, 0.7], [-0.2, 0.3], [0.6, 0.8])     # p_A < p_B everywhere
    assert BinarySplit(no_interface).speciation_time() is None


# ---------------------------------------------------------------------- weighted binary (§3b)
W, A, S0 = 0.3, 1.0, 0.25


def _weighted():
    return GaussianMixture([W, 1 - W], [A, -A], [S0, S0])


def test_weighted_interface_moves_and_indicator():
    mix = _weighted()
    split = BinarySplit(mix)
    lw = np.log(W / (1 - W))
    for tau in (0.0, 0.3, 0.9375, 2.0, 5.0, 20.0):   # at large tau the interface leaves [-a, a]
        S = S0 * S0 + tau
        x0 = split.interface_point(tau)
        assert abs(x0 - (-(S / (2 * A)) * lw)) < 1e-13 * max(1.0, S / A)
        assert split.width(tau, x0) == pytest.approx(S / A, rel=1e-13)
        assert abs(split.indicator(tau, x0) - (-1 / S + A * A / S**2)) < 1e-13 * (1 / S + A * A / S**2)
        # §3b closed form of the score (mpmath)
        Sm, half_lw = mp.mpf(S), mp.log(mp.mpf(W) / (1 - mp.mpf(W))) / 2
        for x in (-2.0, x0, 1.3):
            ref = -x / Sm + (A / Sm) * mp.tanh(A * x / Sm + half_lw)
            assert abs(float(mix.score(x, tau)) - float(ref)) < 1e-13 * (abs(x) / S + A / S)
    assert split.speciation_time() == pytest.approx(A * A - S0 * S0, rel=1e-13)
    assert split._speciation_time_numeric() == pytest.approx(A * A - S0 * S0, rel=1e-12)


def test_weighted_mode_merge_is_a_fold_before_speciation():
    w, m, s = [W, 1 - W], [A, -A], [S0, S0]
    mix = GaussianMixture(w, m, s)
    x_m, tau_m = mode_merge(mix, 2.0)
    assert 0 < tau_m < A * A - S0 * S0
    u = mp_score(x_m, tau_m, w, m, s)
    ux = mp.diff(lambda y: mp_score(y, tau_m, w, m, s), x_m)
    assert abs(u) < 1e-10 and abs(ux) < 1e-10
    # the fold solved independently at 30 digits
    fold = mp.findroot(lambda xx, tt: [mp_score(xx, tt, w, m, s), mp.diff(lambda y: mp_score(y, tt, w, m, s), xx)],
                       (mp.mpf(x_m) + mp.mpf("1e-4"), mp.mpf(tau_m) - mp.mpf("1e-4")))
    assert abs(x_m - float(fold[0])) < 1e-12 and abs(tau_m - float(fold[1])) < 1e-12
    lo, hi = -A - 0.1, A + 0.1
    assert count_modes(mix, tau_m - 1e-3, lo, hi) == 2
    assert count_modes(mix, tau_m + 1e-3, lo, hi) == 1


def test_three_component_mode_merge():
    w, m, s = [0.2, 0.5, 0.3], [-2.0, 0.3, 2.5], [0.3, 0.5, 0.2]
    mix = GaussianMixture(w, m, s)
    x_m, tau_m = mode_merge(mix, 10.0)
    u = mp_score(x_m, tau_m, w, m, s)
    ux = mp.diff(lambda y: mp_score(y, tau_m, w, m, s), x_m)
    assert abs(u) < 1e-10 and abs(ux) < 1e-10
    assert count_modes(mix, 0.0, -3, 3) == 3
    assert count_modes(mix, tau_m * (1 - 1e-4), -3, 3) == 2
    assert count_modes(mix, tau_m * (1 + 1e-4), -3, 3) == 1
    assert mode_merge(mix, 0.5 * tau_m) is None          # still multimodal at tau_max


@pytest.mark.parametrize("a,s0", list(TABLE))
def test_symmetric_mode_merge_is_the_pitchfork(a, s0):
    x_m, tau_m = mode_merge(GaussianMixture([0.5, 0.5], [-a + 0.5, a + 0.5], [s0, s0]), 10.0)
    assert x_m == 0.5 and tau_m == pytest.approx(a * a - s0 * s0, rel=1e-15)


# ---------------------------------------------------------------------- 2D
def test_symmetric_2d_split():
    mu = np.array([0.6, 0.8]) * 1.5
    s0 = 0.4
    mix = GaussianMixture([0.5, 0.5], [mu, -mu], [s0, s0])
    split = BinarySplit(mix)
    norm = float(np.linalg.norm(mu))
    assert split.speciation_time() == pytest.approx(norm**2 - s0**2, rel=1e-13)
    for tau in (0.0, 0.5, 3.0):
        S = s0 * s0 + tau
        p = split.interface_point(tau)
        assert p.shape == (2,) and np.max(np.abs(p)) < 1e-14
        np.testing.assert_allclose(split.normal(tau, p), mu / norm, rtol=1e-14)
        assert split.width(tau) == pytest.approx(S / norm, rel=1e-13)
        assert abs(split.indicator(tau) - (-1 / S + norm**2 / S**2)) < 1e-13 * (1 / S + norm**2 / S**2)
    assert split._speciation_time_numeric() == pytest.approx(norm**2 - s0**2, rel=1e-12)


def test_2d_three_component_interface():
    mix = GaussianMixture([0.4, 0.3, 0.3], [[-1.0, 0.0], [1.0, 0.0], [0.0, 1.5]], [0.3, 0.3, 0.35])
    split = BinarySplit(mix, [0, 1], [2])
    for tau in (0.0, 0.4, 2.0):
        p = split.interface_point(tau)
        assert abs(split.log_ratio(p, tau)) < 1e-12
        ma, mb = split.part_a.mean(), split.part_b.mean()
        cross = (p - ma)[0] * (mb - ma)[1] - (p - ma)[1] * (mb - ma)[0]
        assert abs(cross) < 1e-13                                # on the line between the group means
        n = split.normal(tau, p)
        assert np.linalg.norm(n) == pytest.approx(1.0, rel=1e-15)
        p_near = split.interface_point(tau, near=p + np.array([0.05, 0.0]))
        assert abs(split.log_ratio(p_near, tau)) < 1e-12
    tau_s = split.speciation_time()
    assert tau_s is not None and abs(split.indicator(tau_s)) < 1e-10
