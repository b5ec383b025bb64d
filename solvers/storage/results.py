"""The result file of one run (CONTRACT.md "Result file"), written atomically.

Layout: root attributes (``case_name``, ``case_toml``, ``software_version``, ``created``, ``status``,
``wall_time_s``, ``conventions``, ``equation``, ``dimension``); ``/grid`` (``x``, ``y``; bounds, points,
boundaries, centering); ``/method`` (schemes, orders, ``dt`` and how it was chosen, steps); ``/timings``
(``setup_s``, ``compile_s`` apart from ``run_s``, ``measure_s``, ``total_s``); ``/fields/t`` and
``/fields/<name>`` (time x space; 2D vector fields as ``<name>_x``, ``<name>_y``); ``/series`` (measurements at
every save, with ``/series/reference``); ``/comparison/<quantity>`` (measured, reference, abs_error,
rel_error, tolerance, passed, method, ``flags`` (a string list, empty when none); 1-D datasets aligned with ``at``
for multi-time comparisons); root ``under_resolved = 1`` and ``under_resolved_reason`` when the case opted out
of the resolution check (:mod:`solvers.config.resolution`) and its grid does not resolve the narrowest layer.

Every file gridshock writes (run results, ``<case>_convergence.h5``, ``<case>_sweep.h5``,
``<case>_work_precision.h5``) carries the root attribute ``schema_version`` (:data:`SCHEMA_VERSION`); a file
without it is version 0, the same layout. The full layout of every kind of file is in ``docs/results.md``.
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

import h5py
import numpy as np

from .. import __version__
from .atomic import atomic_h5
from .layout import SCHEMA_VERSION

CONVENTIONS = (
    "VE time tau is the added variance: p_tau = p_0 * N(0, tau I), dp/dtau = (1/2) Lap p (heat time t with "
    "diffusivity nu maps to tau = 2 nu t). Score u = grad log p obeys u_tau = (1/2) Lap u + (u.grad) u; v = -u "
    "obeys v_tau + v v_x = (1/2) v_xx. VP: dx = -(1/2) beta(t) x dt + sqrt(beta(t)) dW, tau(t) = exp(B(t)) - 1. "
    "Interface width ell: score = background + A tanh((x - x0)/ell); speciation time: sign change of the "
    "normal derivative of the score at the interface. Grid: cell-centred, x_i = lower + (i + 1/2) h.")

_COMPRESS = dict(compression="gzip", compression_opts=4, shuffle=True)
_STRINGS = h5py.string_dtype("utf-8")


def _store_field(group, name, values, dim):
    values = np.asarray(values)
    if dim == 2 and values.ndim == 4:         # (t, nx, ny, 2) vector field
        group.create_dataset(f"{name}_x", data=values[..., 0], **_COMPRESS)
        group.create_dataset(f"{name}_y", data=values[..., 1], **_COMPRESS)
    else:
        group.create_dataset(name, data=values, **_COMPRESS)


def _attr(value):
    return np.nan if value is None else value


def write_comparisons(f, comparisons) -> None:
    grp = f.create_group("comparison")
    for c in comparisons:
        g = grp.create_group(c.quantity)
        g.attrs.update(tolerance=c.tolerance, rtol=_attr(c.rtol), atol=_attr(c.atol), method=c.method,
                       passed=c.passed, note=c.note)
        g.attrs.create("flags", list(getattr(c, "flags", ())), dtype=_STRINGS)
        if c.multi:
            g.create_dataset("at", data=np.asarray(c.at, dtype=float))
            for key in ("measured", "reference"):
                g.create_dataset(key, data=np.asarray(getattr(c, key), dtype=float))
            g.create_dataset("abs_error", data=c.abs_error)
            g.create_dataset("rel_error", data=c.rel_error)
            g.create_dataset("passed", data=c.passed_each)
            if c.closed_form is not None:
                g.create_dataset("closed_form", data=np.asarray(c.closed_form, dtype=float))
        else:
            g.attrs.update(measured=_attr(c.measured), reference=_attr(c.reference), abs_error=c.abs_error,
                           rel_error=c.rel_error)


def write_root_attrs(f, case, status: str, wall_time_s: float) -> None:
    f.attrs.update(schema_version=SCHEMA_VERSION, case_name=case.name, case_toml=case.text,
                   software_version=__version__,
                   created=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"), status=status,
                   wall_time_s=float(wall_time_s), conventions=CONVENTIONS, equation=case[""]["equation"],
                   dimension=case.dim, case_file=str(case.path))
    finding = getattr(case, "under_resolved", None)
    if finding:             # the case opted out of the resolution check and its grid is too coarse
        f.attrs.update(under_resolved=1, under_resolved_reason=finding)


def write_run_result(path: str | Path, problem, integration, analysis, wall_time_s: float,
                     method_attrs: dict | None = None) -> Path:
    """The run's result file; ``method_attrs``: what the equation family adds to ``/method``."""
    with atomic_h5(path) as f:
        write_run(f, problem, integration, analysis, wall_time_s, method_attrs)
    return Path(path)


def write_run(f, problem, integration, analysis, wall_time_s: float, method_attrs: dict | None = None) -> None:
    """The run result layout into an open HDF5 file (a file on disk, or an in-memory one for the Python API)."""
    case, grid = problem.case, problem.grid
    status = "passed" if all(c.passed for c in analysis.comparisons) else "failed"
    write_root_attrs(f, case, status, wall_time_s)
    g = f.create_group("grid")
    for name, axis in zip("xy", grid.axes):
        g.create_dataset(name, data=axis)
    g.attrs.update(grid.describe())
    g.attrs["boundary"] = ", ".join(bc.kind for bc in problem.bcs)
    g.attrs["boundary_value"] = case["grid"]["boundary_value"]
    m = f.create_group("method")
    m.attrs.update(space=problem.space.name, time=problem.scheme.name, order_space=problem.space.order,
                   order_time=problem.scheme.order, nu=problem.nu, dt=problem.dt, dt_rule=problem.dt_rule,
                   steps=integration.steps, space_description=problem.space.description,
                   time_description=problem.scheme.description,
                   space_source=getattr(problem.space, "source", ""), time_source=getattr(problem.scheme, "source", ""))
    m.attrs.update(method_attrs or {})
    tm = f.create_group("timings")
    tm.attrs.update(setup_s=integration.setup_s, compile_s=integration.compile_s, run_s=integration.run_s,
                    measure_s=analysis.measure_s, sides_s=getattr(analysis, "sides_s", 0.0),
                    total_s=float(wall_time_s),
                    note="compile_s: first call of every kernel (numba compile or cache load), apart from run_s; "
                         "sides_s: integrating the two sides of the binary split (ANALYTIC §7), apart from "
                         "run_s and measure_s")
    fl = f.create_group("fields")
    for name, values in analysis.fields.items():
        if name == "t":
            fl.create_dataset("t", data=values)
        else:
            _store_field(fl, name, values, grid.dim)
    s = f.create_group("series")
    s.create_dataset("t", data=analysis.fields["t"])
    for name, values in analysis.series.items():
        s.create_dataset(name, data=values)
    r = s.create_group("reference")
    for name, values in analysis.reference_series.items():
        r.create_dataset(name, data=values)
    for name, datasets in getattr(analysis, "groups", {}).items():
        grp = f.create_group(name)
        for key, values in datasets.items():
            grp.create_dataset(key, data=np.asarray(values))
        grp.attrs.update(analysis.attrs.get(name, {}))
    write_comparisons(f, analysis.comparisons)
