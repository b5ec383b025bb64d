"""The reference generator (solvers.storage.reference): layout, atomic write, and stored values against
independent 30-digit mpmath evaluations of ANALYTIC.md (never against the generator itself)."""
from __future__ import annotations

import h5py
import mpmath as mp
import numpy as np
import pytest

from solvers.storage.reference import default_reference_path, generate_reference

from .test_mp_reference import mp30, mp_log_density, mp_score  # noqa: F401

ROWS = {"a1_s0.25": (1.0, 0.25, "0.33069924112268250", "0.25284589088684021"),
        "a2_s0.5": (2.0, 0.5, "0.77907230902327492", "0.39073073464114591"),
        "a1.5_s0.3": (1.5, 0.3, "0.57528601379941037", "0.33506402672128597")}


@pytest.fixture(scope="module")
def ref_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("ref") / "ref.h5"
    out = generate_reference(path)
    assert out == path
    return path


def test_layout_and_size(ref_file):
    assert ref_file.stat().st_size < 1_000_000
    assert not ref_file.with_suffix(".h5.tmp").exists()
    with h5py.File(ref_file, "r") as f:
        assert f.attrs["generator"] == "gridshock reference"
        for key in ("software_version", "created", "conventions"):
            assert key in f.attrs
        for name in ["symmetric/" + k for k in ROWS] + [
                "weighted/w0.3_a1_s0.25", "double_well/eps0.1", "double_well/eps0.05", "vp/linear_0.1_20",
                "vp/constant_2", "mixture2d/three_components", "periodic/sample"]:
            assert name in f, name
        g = f["symmetric/a1_s0.25"]
        for key in ("a", "s0", "tau_S", "ell0", "ell_tau_S", "t_S_ou", "t_S_linear", "spectral_estimate_ou",
                    "spectral_estimate_linear"):
            assert key in g.attrs
        assert g["score"].shape == (g["tau"].shape[0], g["x"].shape[0])
        assert g["log_density"].shape == g["score"].shape
        for key in ("w", "a", "s0", "tau_S", "tau_M", "x_M"):
            assert key in f["weighted/w0.3_a1_s0.25"].attrs
        m2 = f["mixture2d/three_components"]
        assert m2["score"].shape == m2["log_density"].shape + (2,)


@pytest.mark.parametrize("label", list(ROWS))
def test_symmetric_rows_against_mpmath(ref_file, label):
    a, s0, t_ou, t_lin = ROWS[label]
    with h5py.File(ref_file, "r") as f:
        g = f["symmetric/" + label]
        tau_s_mp = mp.mpf(a) ** 2 - mp.mpf(s0) ** 2
        assert g.attrs["tau_S"] == pytest.approx(float(tau_s_mp), rel=1e-13)
        assert g.attrs["t_S_ou"] == pytest.approx(float(t_ou), rel=1e-13)
        assert g.attrs["t_S_linear"] == pytest.approx(float(t_lin), rel=1e-13)
        assert g.attrs["ell0"] == pytest.approx(s0 * s0 / a, rel=1e-13)
        assert g.attrs["ell_tau_S"] == pytest.approx(a, rel=1e-13)
        tau, x, score, logp = g["tau"][:], g["x"][:], g["score"][:], g["log_density"][:]
        width, d = g["width"][:], g["indicator_D"][:]
        for i in (0, 17, 40, 60):
            S = mp.mpf(s0) ** 2 + mp.mpf(float(tau[i]))
            assert width[i] == pytest.approx(float(S / a), rel=1e-13)
            assert abs(d[i] - float(-1 / S + a * a / S**2)) < 1e-13 * float(1 / S + a * a / S**2)
            for j in (0, 77, 100, 150, 200):
                xj = mp.mpf(float(x[j]))
                u_ref = -xj / S + (a / S) * mp.tanh(a * xj / S)           # ANALYTIC §3a
                assert abs(score[i, j] - float(u_ref)) < 1e-13 * float(abs(xj) / S + a / S)
                lp = mp_log_density(float(x[j]), float(tau[i]), [0.5, 0.5], [-a, a], [s0, s0])
                assert abs(logp[i, j] - float(lp)) < 1e-13 * max(1.0, abs(float(lp)))


def test_weighted_vp_and_2d_against_mpmath(ref_file):
    with h5py.File(ref_file, "r") as f:
        g = f["weighted/w0.3_a1_s0.25"]
        w, a, s0 = g.attrs["w"], g.attrs["a"], g.attrs["s0"]
        tau, pos = g["tau"][:], g["interface_position"][:]
        S = s0 * s0 + tau
        np.testing.assert_allclose(pos, -(S / (2 * a)) * np.log(w / (1 - w)), rtol=1e-12, atol=1e-15)
        assert g.attrs["tau_M"] < g.attrs["tau_S"]
        u = mp_score(float(g.attrs["x_M"]), float(g.attrs["tau_M"]), [w, 1 - w], [a, -a], [s0, s0])
        assert abs(u) < 1e-10
        for name, beta in (("vp/constant_2", None), ("vp/linear_0.1_20", None)):
            v = f[name]
            labels = [lab.decode() if isinstance(lab, bytes) else lab for lab in v["labels"][:]]
            for lab, ts in zip(labels, v["t_S"][:]):
                col = 2 if name.endswith("constant_2") else 3
                assert ts == pytest.approx(float(ROWS[lab][col]), rel=1e-13)
        m2 = f["mixture2d/three_components"]
        x, y, tau2 = m2["x"][:], m2["y"][:], m2["tau"][:]
        weights, means, stds = list(m2.attrs["weights"]), m2.attrs["means"].tolist(), list(m2.attrs["stds"])
        for it, i, j in ((1, 20, 20), (3, 5, 30), (0, 40, 0)):
            p = [float(x[i]), float(y[j])]
            lp = mp_log_density(p, float(tau2[it]), weights, means, stds)
            assert abs(m2["log_density"][it, i, j] - float(lp)) < 1e-13 * max(1.0, abs(float(lp)))
            us = mp_score(p, float(tau2[it]), weights, means, stds)
            np.testing.assert_allclose(m2["score"][it, i, j], [float(c) for c in us], rtol=1e-12, atol=1e-12)


def test_default_path_points_into_repo():
    p = default_reference_path()
    assert p.parts[-3:] == ("cases", "reference", "closed_forms.h5")
    assert (p.parents[2] / "solvers").is_dir()


def test_committed_reference_file():
    """The committed cases/reference/closed_forms.h5 (regenerate with `gridshock reference`)."""
    path = default_reference_path()
    assert path.exists(), "cases/reference/closed_forms.h5 is committed (regenerate with `gridshock reference`)"
    assert path.stat().st_size < 1_000_000
    with h5py.File(path, "r") as f:
        assert f.attrs["generator"] == "gridshock reference"
        for label, (a, s0, t_ou, t_lin) in ROWS.items():
            g = f["symmetric/" + label]
            assert g.attrs["tau_S"] == pytest.approx(float(mp.mpf(a) ** 2 - mp.mpf(s0) ** 2), rel=1e-13)
            assert g.attrs["t_S_ou"] == pytest.approx(float(t_ou), rel=1e-13)
            assert g.attrs["t_S_linear"] == pytest.approx(float(t_lin), rel=1e-13)
