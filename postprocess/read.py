"""Reading gridshock result files (a path, or an open :class:`h5py.File`) into :mod:`postprocess.model`.

Only the HDF5 file is read: nothing here imports :mod:`solvers` or evaluates a closed form. Every group but the
root attributes is optional; a missing group or dataset gives ``None`` (or an empty container), never an error.

Layout read (CONTRACT.md "Result file", plus the solver's additions)::

    /                   attrs case_name, case_toml, software_version, created, status, wall_time_s,
                        conventions, equation, dimension, [kind = "convergence" | "work_precision"],
                        [schema_version] (int; absent in files written before it: read as version 0)
    /grid               datasets x [, y]; attrs lower, upper, points, boundary, centering
    /method             attrs space, time, dt, dt_rule, order_space, order_time, steps
    /timings            attrs compile_s, run_s, measure_s, total_s
    /fields             t, density, score | score_x, score_y, [density_exact, score_exact | score_exact_x/_y]
    /series             t, interface_width, interface_position, speciation_indicator, mass, min_density
    /series/reference   the closed form of the same series at the same t
    /comparison/<q>     scalar: attrs measured, reference, abs_error, rel_error, tolerance, rtol, atol,
                        passed, method [, note, at, flags]; multi-time: the same as 1-D datasets aligned with
                        `at`; flags: a string list (absent in older files: no flags)
    /convergence        attrs expected_order, refine; datasets levels, h, dt, wall_time_s;
                        /convergence/<measure>: datasets error, eoc; attrs observed_order, expected_order, passed
    /work_precision     attrs measures (comma-separated), primary_measure, workers, note;
                        /work_precision/<method label>: attrs kind ("gridshock" | "solve_ivp"), space, time,
                        order_space, order_time; 1-D datasets (one entry per level) points, h, dt, steps, run_s,
                        compile_s, rtol and one per measure

A file whose ``schema_version`` is not in :data:`SUPPORTED_SCHEMA_VERSIONS` is refused with a
:class:`ResultFileError` (a newer layout may mean something else under the same names).
"""
from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from postprocess._coerce import as_array, as_float, decode, finite, name_list, opt_bool, opt_str, safe_name
from postprocess.model import (COMPARISON_ARRAYS, WP_LEVEL_DATASETS, WP_OTHER_DATASETS, Comparison, Convergence,
                               ConvergenceMeasure, FieldStore, Grid, Result, Series, WorkPrecision,
                               WorkPrecisionMethod)

__all__ = ["ResultFileError", "SUPPORTED_SCHEMA_VERSIONS", "load_result", "looks_like_result", "schema_version_of"]

#: Result-file layout versions this package reads (root attribute ``schema_version``; a file without it is 0).
SUPPORTED_SCHEMA_VERSIONS = (0, 1)


class ResultFileError(ValueError):
    """A path that cannot be read as a gridshock result file (missing, not HDF5, unreadable, or written with
    a ``schema_version`` this package does not read)."""


def schema_version_of(attrs: Mapping[str, Any], path: str | Path) -> int:
    """The ``schema_version`` root attribute (0 when absent), checked against
    :data:`SUPPORTED_SCHEMA_VERSIONS`; raises :class:`ResultFileError` naming ``path`` otherwise."""
    raw = attrs.get("schema_version")
    if raw is None:
        return 0
    supported = f"{SUPPORTED_SCHEMA_VERSIONS[0]}..{SUPPORTED_SCHEMA_VERSIONS[-1]}"
    try:
        version = int(raw)
        exact = float(raw) == version
    except (TypeError, ValueError, OverflowError):
        exact = False
    if not exact:
        raise ResultFileError(f"{path}: result schema_version {raw!r} is not a version this postprocess reads "
                              f"({supported})")
    if version in SUPPORTED_SCHEMA_VERSIONS:
        return version
    if version > SUPPORTED_SCHEMA_VERSIONS[-1]:
        raise ResultFileError(f"{path}: result schema_version {version} is newer than this postprocess reads "
                              f"({supported}); upgrade gridshock")
    raise ResultFileError(f"{path}: result schema_version {version} is not a version this postprocess reads "
                          f"({supported})")


# --------------------------------------------------------------------------------------------------------------
# loading
# --------------------------------------------------------------------------------------------------------------
def load_result(source: str | Path | h5py.File, label: str | None = None) -> Result:
    """Read a gridshock result (run, convergence or work-precision) from a path or from an open
    :class:`h5py.File`.

    From a path, everything but the field snapshots is read now; the snapshots are read on first access
    (:class:`~postprocess.model.FieldStore`), so the file must stay where it is. From an open file (for instance
    one in memory, ``h5py.File(name, "w", driver="core", backing_store=False)``) the fields are read now as
    well, so the result outlives the file; the file is left open and ``Result.path`` is its ``filename``.
    ``label`` (made file-system safe) replaces the default label, the file stem.

    Raises :class:`ResultFileError` (a ``ValueError``) naming the path when it does not exist, is not HDF5, the
    file object is closed, or the file states a ``schema_version`` outside :data:`SUPPORTED_SCHEMA_VERSIONS`.
    Missing optional groups give ``None``/empty members.
    """
    is_open = isinstance(source, h5py.File)
    if is_open and not source:
        raise ResultFileError(f"{source!r}: cannot read a closed h5py.File")
    path = Path(source.filename if is_open else source)
    if not is_open and not path.is_file():
        raise ResultFileError(f"{path}: no such result file")
    try:
        with contextlib.nullcontext(source) if is_open else h5py.File(path, "r") as f:
            attrs = _attrs(f)
            schema_version_of(attrs, path)
            return Result(
                path=path,
                attrs=attrs,
                grid=_read_grid(f),
                method=_group_attrs(f, "method"),
                timings=_group_attrs(f, "timings"),
                t=_dataset(f, "fields/t"),
                fields=_read_fields(f, path, eager=is_open),
                series=_read_series(f),
                comparisons=_read_comparisons(f),
                convergence=_read_convergence(f),
                mfg_history=_read_datasets(f, "mfg"),
                mfg=_group_attrs(f, "mfg"),
                work_precision=_read_work_precision(f),
                label=safe_name(label) if label else "",
            )
    except OSError as exc:
        raise ResultFileError(f"{path}: not a readable HDF5 result file ({exc})") from exc


def _read_datasets(f: h5py.File, name: str) -> dict[str, np.ndarray]:
    """Every 1-D dataset directly in group ``name`` (empty when the group is absent)."""
    g = f.get(name)
    if not isinstance(g, h5py.Group):
        return {}
    return {k: np.asarray(v[()], dtype=float) for k, v in g.items() if isinstance(v, h5py.Dataset)}


def looks_like_result(path: str | Path) -> bool:
    """Cheap check that ``path`` is an HDF5 file with a ``case_name`` attribute or a result group."""
    try:
        with h5py.File(path, "r") as f:
            return "case_name" in f.attrs or any(g in f for g in ("fields", "comparison", "convergence",
                                                                  "work_precision"))
    except OSError:
        return False


def _read_grid(f: h5py.File) -> Grid | None:
    if "grid" not in f:
        return None
    g = f["grid"]
    attrs = _attrs(g)
    return Grid(
        x=_dataset(g, "x"),
        y=_dataset(g, "y"),
        lower=as_array(attrs.get("lower")),
        upper=as_array(attrs.get("upper")),
        points=as_array(attrs.get("points")),
        boundary=opt_str(attrs.get("boundary")),
        centering=opt_str(attrs.get("centering")),
        attrs=attrs,
    )


def _read_fields(f: h5py.File, path: Path, eager: bool) -> FieldStore:
    """The ``/fields`` datasets but ``t``: names and shapes, the data read on access; all of it now if ``eager``."""
    if "fields" not in f:
        return FieldStore(path)
    datasets = {name: obj for name, obj in f["fields"].items() if isinstance(obj, h5py.Dataset) and name != "t"}
    if eager:
        return FieldStore(path, arrays={name: np.asarray(obj[()]) for name, obj in datasets.items()})
    return FieldStore(path, {name: obj.shape for name, obj in datasets.items()})


def _read_series(f: h5py.File) -> Series | None:
    if "series" not in f:
        return None
    g = f["series"]
    values = {n: np.asarray(o[()]) for n, o in g.items() if isinstance(o, h5py.Dataset) and n != "t"}
    reference: dict[str, np.ndarray] = {}
    if isinstance(g.get("reference"), h5py.Group):
        reference = {n: np.asarray(o[()]) for n, o in g["reference"].items()
                     if isinstance(o, h5py.Dataset) and n != "t"}
    return Series(t=_dataset(g, "t"), values=values, reference=reference)


def _read_comparisons(f: h5py.File) -> list[Comparison]:
    if "comparison" not in f:
        return []
    return [_read_comparison(name, g) for name, g in f["comparison"].items() if isinstance(g, h5py.Group)]


def _read_comparison(name: str, g: h5py.Group) -> Comparison:
    """A comparison group: each number from a dataset if present (multi-time), else from the attribute."""
    attrs = _attrs(g)

    def value(key: str) -> float | np.ndarray:
        if isinstance(g.get(key), h5py.Dataset):
            data = np.asarray(g[key][()])
            return data.astype(float) if data.ndim else float(data)
        return as_float(attrs.get(key))

    at: float | np.ndarray | None = None
    if isinstance(g.get("at"), h5py.Dataset):
        at = np.atleast_1d(np.asarray(g["at"][()], dtype=float))
    elif "at" in attrs:
        at = as_float(attrs["at"])
    passed_each = None
    if isinstance(g.get("passed"), h5py.Dataset):
        passed_each = np.atleast_1d(np.asarray(g["passed"][()], dtype=bool))
    passed = opt_bool(attrs.get("passed"))
    if passed is None and passed_each is not None:
        passed = bool(passed_each.all())
    known = set(COMPARISON_ARRAYS) | {"at", "passed"}
    extra = {}
    for key, obj in g.items():
        if key not in known and isinstance(obj, h5py.Dataset) and obj.dtype.kind in "biuf":
            extra[key] = np.asarray(obj[()], dtype=float)
    return Comparison(
        name=name,
        measured=value("measured"),
        reference=value("reference"),
        abs_error=value("abs_error"),
        rel_error=value("rel_error"),
        at=at,
        passed=passed,
        passed_each=passed_each,
        tolerance=str(attrs.get("tolerance", "") or ""),
        rtol=as_float(attrs.get("rtol")),
        atol=as_float(attrs.get("atol")),
        method=str(attrs.get("method", "") or ""),
        note=str(attrs.get("note", "") or ""),
        flags=tuple(name_list(attrs.get("flags"))),
        attrs=attrs,
        extra=extra,
    )


def _read_convergence(f: h5py.File) -> Convergence | None:
    if "convergence" not in f:
        return None
    g = f["convergence"]
    attrs = _attrs(g)
    expected = as_float(attrs.get("expected_order"))
    measures = {}
    for name, sub in g.items():
        if not isinstance(sub, h5py.Group) or "error" not in sub:
            continue
        sattrs = _attrs(sub)
        sub_expected = as_float(sattrs.get("expected_order"))
        measures[name] = ConvergenceMeasure(
            name=name,
            error=np.asarray(sub["error"][()], dtype=float),
            eoc=_dataset(sub, "eoc", dtype=float),
            observed_order=as_float(sattrs.get("observed_order")),
            expected_order=sub_expected if finite(sub_expected) else expected,
            passed=opt_bool(sattrs.get("passed")),
        )
    return Convergence(
        expected_order=expected,
        refine=str(attrs.get("refine", "") or ""),
        levels=_dataset(g, "levels"),
        h=_dataset(g, "h", dtype=float),
        dt=_dataset(g, "dt", dtype=float),
        wall_time_s=_dataset(g, "wall_time_s", dtype=float),
        measures=measures,
    )


def _read_work_precision(f: h5py.File) -> WorkPrecision | None:
    if not isinstance(f.get("work_precision"), h5py.Group):
        return None
    g = f["work_precision"]
    attrs = _attrs(g)
    measures = name_list(attrs.get("measures"))
    primary = str(attrs.get("primary_measure") or "")
    methods: dict[str, WorkPrecisionMethod] = {}
    for label, sub in g.items():
        if isinstance(sub, h5py.Group):
            methods[label] = _read_wp_method(label, sub, measures)
    if not measures:   # no `measures` attribute: every per-level dataset that is not a cost is a measure
        extra = [k for m in methods.values() for k in m.errors]
        measures = list(dict.fromkeys(extra))
    if primary and primary not in measures:
        measures.insert(0, primary)
    workers = attrs.get("workers")
    try:
        workers = None if workers is None else int(workers)
    except (TypeError, ValueError):
        workers = None
    return WorkPrecision(measures=measures, primary_measure=primary or (measures[0] if measures else ""),
                         workers=workers, note=str(attrs.get("note", "") or ""), methods=methods, attrs=attrs)


def _read_wp_method(label: str, g: h5py.Group, measures: list[str]) -> WorkPrecisionMethod:
    """One method group; per-level arrays padded with NaN to a common length."""
    arrays: dict[str, np.ndarray] = {}
    for name, obj in g.items():
        if isinstance(obj, h5py.Dataset) and obj.dtype.kind in "biuf":
            arrays[name] = np.atleast_1d(np.asarray(obj[()], dtype=float)).ravel()
    n = max((len(a) for a in arrays.values()), default=0)

    def level(name: str) -> np.ndarray:
        data = arrays.get(name)
        out = np.full(n, math.nan)
        if data is not None:
            out[:len(data)] = data
        return out

    names = measures or [k for k in arrays if k not in WP_LEVEL_DATASETS + WP_OTHER_DATASETS]
    attrs = _attrs(g)
    return WorkPrecisionMethod(
        label=label,
        kind=str(attrs.get("kind", "") or ""),
        space=str(attrs.get("space", "") or ""),
        time=str(attrs.get("time", "") or ""),
        order_space=as_float(attrs.get("order_space")),
        order_time=as_float(attrs.get("order_time")),
        errors={m: level(m) for m in names if m in arrays},
        extra={k: level(k) for k in arrays if k not in WP_LEVEL_DATASETS and k not in names},
        attrs=attrs,
        **{k: level(k) for k in WP_LEVEL_DATASETS},
    )


# --------------------------------------------------------------------------------------------------------------
# HDF5 access
# --------------------------------------------------------------------------------------------------------------
def _attrs(obj: h5py.HLObject) -> dict[str, Any]:
    return {k: decode(v) for k, v in obj.attrs.items()}


def _group_attrs(f: h5py.File, name: str) -> dict[str, Any]:
    return _attrs(f[name]) if isinstance(f.get(name), h5py.Group) else {}


def _dataset(g: h5py.Group, name: str, dtype: Any = None) -> np.ndarray | None:
    obj = g.get(name)
    if not isinstance(obj, h5py.Dataset):
        return None
    data = np.asarray(obj[()])
    return data.astype(dtype) if dtype is not None else data

