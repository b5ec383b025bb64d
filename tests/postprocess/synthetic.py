"""Synthetic gridshock result files for the post-processing tests (built with h5py, never by the solvers).

The numbers are plausible (a symmetric binary Gaussian mixture, a = 1, s0 = 0.25, under the VE heat flow) but
only their layout matters: the tests check that what is written here is what the tables and plots show.
Every writer takes ``omit``, a list of HDF5 paths deleted after writing, to build files with missing parts.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import h5py
import numpy as np
import pytest

A, S0 = 1.0, 0.25
CONVENTIONS = "VE time tau = added variance; score u = grad log p; ell = S/a"

#: Scalar comparison written into the 1D file (checked against the tables).
SPECIATION = dict(measured=0.937512345678, reference=0.9375, abs_error=1.2345678e-5, rel_error=1.3168723e-5,
                  tolerance="rtol=1e-3", rtol=1e-3, atol=np.nan, passed=True, method="cubic root of D(t)")
#: Multi-time comparison written into the 1D file: the last time fails.
WIDTH_AT = np.array([0.25, 0.5, 0.75])
WIDTH_REF = (S0**2 + WIDTH_AT) / A
WIDTH_MEASURED = WIDTH_REF * np.array([1.0 + 1e-4, 1.0 - 2e-4, 1.0 + 5e-3])
WIDTH_PASSED = np.array([True, True, False])
NOTE = "no mode merge in the time range"
#: Convergence data: second order in h, errors per level.
CONV_H = np.array([0.1, 0.05, 0.025, 0.0125])
CONV_DT = CONV_H**2 / 4
CONV_ERROR = 3.0 * CONV_H**2 * np.array([1.0, 1.01, 1.005, 1.002])
CONV_WALL = np.array([0.01, 0.03, 0.11, 0.42])


@pytest.fixture(autouse=True)
def strict_floats():
    """Floating-point errors raise inside the tests that import this fixture (as py-pde's suite does)."""
    old = np.seterr(all="raise")
    yield
    np.seterr(**old)


# --------------------------------------------------------------------------------------------------------------
# building blocks
# --------------------------------------------------------------------------------------------------------------
def _root_attrs(f: h5py.File, name: str, equation: str, dimension: int, status: str = "failed") -> None:
    f.attrs.update(case_name=name, case_toml=f'name = "{name}"\nequation = "{equation}"\ndimension = {dimension}\n',
                   software_version="0.1.0", created="2024-05-01T12:00:00+00:00", status=status,
                   wall_time_s=1.2345678, conventions=CONVENTIONS, equation=equation, dimension=dimension)


def _method(f: h5py.File, space: str = "fd2", time: str = "rk3", steps: int = 400) -> None:
    g = f.create_group("method")
    g.attrs.update(space=space, time=time, dt=2.5e-3, dt_rule="cfl 0.4", order_space=2, order_time=3,
                   steps=steps)
    t = f.create_group("timings")
    t.attrs.update(compile_s=0.5, run_s=0.6, measure_s=0.1, total_s=1.2)


def _grid(f: h5py.File, lower: list[float], upper: list[float], points: list[int]) -> list[np.ndarray]:
    g = f.create_group("grid")
    coords = []
    for name, lo, hi, n in zip("xy", lower, upper, points):
        h = (hi - lo) / n
        coords.append(lo + h * (np.arange(n) + 0.5))
        g.create_dataset(name, data=coords[-1])
    g.attrs.update(lower=np.array(lower, float), upper=np.array(upper, float), points=np.array(points),
                   boundary="neumann", centering="cell")
    return coords


def _mixture(x: np.ndarray, tau: float) -> tuple[np.ndarray, np.ndarray]:
    """Density and score of 0.5 N(-A, S) + 0.5 N(A, S) with S = S0^2 + tau."""
    s = S0**2 + tau
    density = 0.5 * (np.exp(-(x - A) ** 2 / (2 * s)) + np.exp(-(x + A) ** 2 / (2 * s))) / np.sqrt(2 * np.pi * s)
    score = -x / s + (A / s) * np.tanh(A * x / s)
    return density, score


def _scalar_comparison(parent: h5py.Group, name: str, **attrs) -> None:
    parent.create_group(name).attrs.update(attrs)


def _delete(f: h5py.File, omit: Iterable[str]) -> None:
    for path in omit:
        if path in f:
            del f[path]


# --------------------------------------------------------------------------------------------------------------
# files
# --------------------------------------------------------------------------------------------------------------
def write_result_1d(path: str | Path, omit: Iterable[str] = (), name: str = "binary_1d") -> Path:
    """A 1D heat run: fields with closed forms, interface series, scalar/multi-time/note comparisons."""
    path = Path(path)
    with h5py.File(path, "w") as f:
        _root_attrs(f, name, "heat", 1)
        _method(f)
        (x,) = _grid(f, [-4.0], [4.0], [160])
        t = np.linspace(0.0, 1.5, 7)
        exact = [_mixture(x, tau) for tau in t]
        dens_exact = np.array([d for d, _ in exact])
        score_exact = np.array([s for _, s in exact])
        fields = f.create_group("fields")
        fields["t"] = t
        fields["density"] = dens_exact * (1 + 1e-4 * np.sin(x))
        fields["density_exact"] = dens_exact
        fields["score"] = score_exact + 1e-4 * np.cos(3 * x)
        fields["score_exact"] = score_exact

        ts = np.linspace(0.0, 1.5, 61)
        s = S0**2 + ts
        series = f.create_group("series")
        series["t"] = ts
        series["interface_width"] = s / A * (1 + 1e-4)
        series["interface_position"] = 1e-6 * np.ones_like(ts)
        series["speciation_indicator"] = (-1 / s + A**2 / s**2) * (1 + 1e-4)
        series["mass"] = np.ones_like(ts)
        ref = series.create_group("reference")
        ref["interface_width"] = s / A
        ref["interface_position"] = np.zeros_like(ts)
        ref["speciation_indicator"] = -1 / s + A**2 / s**2

        comp = f.create_group("comparison")
        _scalar_comparison(comp, "speciation_time", **SPECIATION)
        g = comp.create_group("interface_width")
        g["at"] = WIDTH_AT
        g["measured"] = WIDTH_MEASURED
        g["reference"] = WIDTH_REF
        g["abs_error"] = np.abs(WIDTH_MEASURED - WIDTH_REF)
        g["rel_error"] = np.abs(WIDTH_MEASURED - WIDTH_REF) / WIDTH_REF
        g["passed"] = WIDTH_PASSED
        g.attrs.update(tolerance="rtol=1e-3", rtol=1e-3, atol=np.nan, method="tanh fit", passed=False)
        _scalar_comparison(comp, "mode_merge_time", measured=np.nan, reference=np.nan, abs_error=np.nan,
                           rel_error=np.nan, tolerance="rtol=1e-2", rtol=1e-2, atol=np.nan, passed=True,
                           method="zeros of u", note=NOTE)
        _scalar_comparison(comp, "score_linf_error", measured=2.5e-4, reference=0.0, abs_error=2.5e-4,
                           rel_error=np.nan, tolerance="atol=1e-3", rtol=np.nan, atol=1e-3, passed=True,
                           method="max |u - u_exact| at t=1.5")
        _delete(f, omit)
    return path


def write_result_2d(path: str | Path, omit: Iterable[str] = (), name: str = "binary_2d") -> Path:
    """A 2D Burgers run: density, vector score and its closed form; no series."""
    path = Path(path)
    with h5py.File(path, "w") as f:
        _root_attrs(f, name, "burgers", 2, status="passed")
        _method(f, space="weno5", time="ssprk3")
        x, y = _grid(f, [-3.0, -2.5], [3.0, 2.5], [24, 20])
        t = np.array([0.0, 0.5, 1.0])
        xx, yy = np.meshgrid(x, y, indexing="ij")
        dens, sx, sy = [], [], []
        for tau in t:
            d, u = _mixture(xx, tau)
            dens.append(d * np.exp(-(yy**2) / (2 * (S0**2 + tau))))
            sx.append(u)
            sy.append(-yy / (S0**2 + tau))
        fields = f.create_group("fields")
        fields["t"] = t
        fields["density"] = np.array(dens)
        fields["score_x"] = np.array(sx) + 1e-5 * np.sin(xx)
        fields["score_y"] = np.array(sy)
        fields["score_exact_x"] = np.array(sx)
        fields["score_exact_y"] = np.array(sy)
        comp = f.create_group("comparison")
        _scalar_comparison(comp, "curl_linf", measured=3.2e-13, reference=0.0, abs_error=3.2e-13,
                           rel_error=np.nan, tolerance="atol=1e-10", rtol=np.nan, atol=1e-10, passed=True,
                           method="max |d_x u_y - d_y u_x|")
        g = comp.create_group("score_linf_error")
        at = np.array([0.5, 1.0])
        g["at"] = at
        g["measured"] = np.array([1e-5, 1e-5])
        g["reference"] = np.zeros(2)
        g["abs_error"] = np.array([1e-5, 1e-5])
        g["rel_error"] = np.full(2, np.nan)
        g["passed"] = np.array([True, True])
        g.attrs.update(tolerance="atol=1e-4", rtol=np.nan, atol=1e-4, method="max norm", passed=True)
        _delete(f, omit)
    return path


def write_convergence(path: str | Path, omit: Iterable[str] = (), name: str = "binary_1d",
                      refine: str = "both", wall_scale: float = 1.0) -> Path:
    """A convergence file: four levels, two error measures (one passing, one failing its order)."""
    path = Path(path)
    with h5py.File(path, "w") as f:
        _root_attrs(f, name, "heat", 1)
        f.attrs["kind"] = "convergence"
        _method(f)
        g = f.create_group("convergence")
        g.attrs.update(expected_order=2.0, refine=refine)
        g["levels"] = np.arange(len(CONV_H))
        g["h"] = CONV_H
        g["dt"] = CONV_DT
        g["wall_time_s"] = CONV_WALL * wall_scale
        eoc = np.concatenate([[np.nan], np.log(CONV_ERROR[:-1] / CONV_ERROR[1:]) / np.log(2.0)])
        m = g.create_group("score_linf_error")
        m["error"] = CONV_ERROR
        m["eoc"] = eoc
        m.attrs.update(observed_order=float(eoc[-1]), expected_order=2.0, passed=True)
        err1 = 0.5 * CONV_H**1.5
        eoc1 = np.concatenate([[np.nan], np.log(err1[:-1] / err1[1:]) / np.log(2.0)])
        m = g.create_group("density_l1_error")
        m["error"] = err1
        m["eoc"] = eoc1
        m.attrs.update(observed_order=1.5, expected_order=2.0, passed=False)
        _delete(f, omit)
    return path


def write_minimal(path: str | Path, name: str = "bare") -> Path:
    """Only the root attributes: every optional group missing."""
    path = Path(path)
    with h5py.File(path, "w") as f:
        _root_attrs(f, name, "mfg", 1)
    return path
