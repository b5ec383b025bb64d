"""Synthetic gridshock result files for the post-processing tests (built with h5py, never by the solvers).

The numbers are plausible (a symmetric binary Gaussian mixture, a = 1, s0 = 0.25, under the VE heat flow) but
only their layout matters: the tests check that what is written here is what the tables and plots show.
Every writer takes ``omit``, a list of HDF5 paths deleted after writing, to build files with missing parts,
and writes either to a path (returned as a ``Path``) or into an open, writable ``h5py.File`` (an in-memory one
included), which is left open and returned.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
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
#: Closed-form speciation = mode-merge time of the symmetric mixture: S = a^2, tau = a^2 - s0^2.
MERGE_TIME = A**2 - S0**2
#: Saves of ``/series/curl_linf`` in the 2D file (NaN elsewhere, as the solver stores it).
CURL_AT = np.array([0.5, 1.0])
CURL_MEASURED = np.array([4e-4, 2e-4])

#: Work-precision study: label -> (kind, space, time, order_space, order_time). Levels per method: WP_POINTS.
WP_METHODS = {
    "weno5+ssprk3": ("gridshock", "weno5", "ssprk3", 5.0, 3.0),
    "central2+rk4": ("gridshock", "central2", "rk4", 2.0, 4.0),
    "scipy-Radau": ("solve_ivp", "central2", "Radau", 2.0, np.inf),
}
WP_POINTS = np.array([64, 128, 256])
WP_MEASURES = ("score_l2_error", "score_linf_error")
WP_NOTE = "run time excludes numba compilation; solve_ivp peers on the same grids"


@pytest.fixture(autouse=True)
def strict_floats():
    """Floating-point errors raise inside the tests that import this fixture (as py-pde's suite does)."""
    old = np.seterr(all="raise")
    yield
    np.seterr(**old)


# --------------------------------------------------------------------------------------------------------------
# building blocks
# --------------------------------------------------------------------------------------------------------------
def _root_attrs(f: h5py.File, name: str, equation: str, dimension: int, status: str = "failed",
                schema_version: int | None = None) -> None:
    f.attrs.update(case_name=name, case_toml=f'name = "{name}"\nequation = "{equation}"\ndimension = {dimension}\n',
                   software_version="0.1.0", created="2024-05-01T12:00:00+00:00", status=status,
                   wall_time_s=1.2345678, conventions=CONVENTIONS, equation=equation, dimension=dimension)
    if schema_version is not None:
        f.attrs["schema_version"] = schema_version


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


@contextmanager
def _writing(target: str | Path | h5py.File) -> Iterator[h5py.File]:
    """``target`` itself when it is an open file (left open), else a new file at that path, closed after."""
    if isinstance(target, h5py.File):
        yield target
    else:
        with h5py.File(target, "w") as f:
            yield f


def _written(target: str | Path | h5py.File) -> Path | h5py.File:
    """What a writer returns: the open file it wrote into, or the path as a ``Path``."""
    return target if isinstance(target, h5py.File) else Path(target)


def _delete(f: h5py.File, omit: Iterable[str]) -> None:
    for path in omit:
        if path in f:
            del f[path]


# --------------------------------------------------------------------------------------------------------------
# files
# --------------------------------------------------------------------------------------------------------------
def write_result_1d(path: str | Path | h5py.File, omit: Iterable[str] = (),
                    name: str = "binary_1d") -> Path | h5py.File:
    """A 1D heat run: fields with closed forms, interface series and mode count, scalar/multi-time/note
    comparisons."""
    with _writing(path) as f:
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
        series["modes"] = np.where(ts < MERGE_TIME + 0.01, 2.0, 1.0)
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
    return _written(path)


def write_result_2d(path: str | Path | h5py.File, omit: Iterable[str] = (), name: str = "binary_2d",
                    curl_series: bool = False) -> Path | h5py.File:
    """A 2D Burgers run: density, vector score and its closed form; no series unless ``curl_series``: then
    ``/series/t`` and ``/series/curl_linf`` (finite at :data:`CURL_AT` only) and a multi-time ``curl_linf``
    comparison with a ``closed_form`` dataset replace the scalar one."""
    with _writing(path) as f:
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
        if curl_series:
            series = f.create_group("series")
            ts = np.linspace(0.0, 1.0, 11)
            curl = np.full_like(ts, np.nan)
            curl[np.searchsorted(ts, CURL_AT)] = CURL_MEASURED
            series["t"] = ts
            series["curl_linf"] = curl
            del comp["curl_linf"]
            g = comp.create_group("curl_linf")
            g["at"] = CURL_AT
            g["measured"] = CURL_MEASURED
            g["reference"] = np.zeros(2)
            g["abs_error"] = CURL_MEASURED
            g["rel_error"] = np.full(2, np.nan)
            g["closed_form"] = np.array([3e-13, 2e-13])
            g["passed"] = np.array([True, True])
            g.attrs.update(tolerance="atol=0.01", rtol=np.nan, atol=1e-2, passed=True,
                           method="max |D_x u_2 - D_y u_1| where p > 1e-8 max p")
        _delete(f, omit)
    return _written(path)


def write_convergence(path: str | Path | h5py.File, omit: Iterable[str] = (), name: str = "binary_1d",
                      refine: str = "both", wall_scale: float = 1.0) -> Path | h5py.File:
    """A convergence file: four levels, two error measures (one passing, one failing its order)."""
    with _writing(path) as f:
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
    return _written(path)


def write_minimal(path: str | Path | h5py.File, name: str = "bare") -> Path | h5py.File:
    """Only the root attributes: every optional group missing."""
    with _writing(path) as f:
        _root_attrs(f, name, "mfg", 1)
    return _written(path)


def wp_run_s(label: str) -> np.ndarray:
    """Run times per level of a work-precision method (distinct per method)."""
    scale = {"weno5+ssprk3": 1.0, "central2+rk4": 0.5, "scipy-Radau": 4.0}.get(label, 1.0)
    return scale * 1e-3 * (WP_POINTS / WP_POINTS[0]) ** 2


def write_work_precision(path: str | Path | h5py.File, omit: Iterable[str] = (), name: str = "binary_1d",
                         methods: dict | None = None, schema_version: int | None = 1) -> Path | h5py.File:
    """A work-precision study file (``gridshock study work-precision``): three methods, two measures, three
    levels; the finest level of ``scipy-Radau`` failed (NaN, exit code 1)."""
    methods = WP_METHODS if methods is None else methods
    with _writing(path) as f:
        _root_attrs(f, name, "heat", 1, status="passed", schema_version=schema_version)
        f.attrs["kind"] = "work_precision"
        g = f.create_group("work_precision")
        g.attrs.update(measures=",".join(WP_MEASURES), primary_measure=WP_MEASURES[0], workers=2, note=WP_NOTE)
        h = 8.0 / WP_POINTS
        for label, (kind, space, time, p_space, p_time) in methods.items():
            m = g.create_group(label)
            m.attrs.update(kind=kind, space=space, time=time, order_space=p_space, order_time=p_time)
            ivp = kind == "solve_ivp"
            m["points"] = WP_POINTS
            m["h"] = h
            m["dt"] = np.full(len(h), np.nan) if ivp else 0.4 * h
            m["steps"] = np.array([37.0, 52.0, 80.0]) if ivp else np.round(1.5 / (0.4 * h))
            m["run_s"] = wp_run_s(label)
            m["compile_s"] = np.zeros(3) if ivp else np.array([2.5, 0.0, 0.0])
            m["rtol"] = np.array([1e-4, 1e-6, 1e-8]) if ivp else np.full(3, np.nan)
            err = 0.3 * h ** min(p_space, 3.0)
            m["score_l2_error"] = err
            m["score_linf_error"] = 3 * err
            m["nfev"] = m["steps"][()] if ivp else np.full(3, np.nan)
            m["exit_code"] = np.array([0, 0, 1 if ivp else 0])
            if ivp:
                for key in ("run_s", "score_l2_error", "score_linf_error", "steps", "nfev"):
                    m[key][-1] = np.nan
        _delete(f, omit)
    return _written(path)
