"""Reading gridshock result files into plain dataclasses.

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
                        passed, method [, note, at]; multi-time: the same as 1-D datasets aligned with `at`
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

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np

__all__ = [
    "Comparison",
    "Convergence",
    "ConvergenceMeasure",
    "FieldStore",
    "Grid",
    "Result",
    "ResultFileError",
    "SUPPORTED_SCHEMA_VERSIONS",
    "Series",
    "WorkPrecision",
    "WorkPrecisionMethod",
    "is_convergence",
    "is_work_precision",
    "load_result",
    "looks_like_result",
    "schema_version_of",
]

#: Result-file layout versions this package reads (root attribute ``schema_version``; a file without it is 0).
SUPPORTED_SCHEMA_VERSIONS = (0, 1)

#: Per-quantity datasets of a multi-time comparison (aligned with ``at``).
_COMPARISON_ARRAYS = ("measured", "reference", "abs_error", "rel_error")


class ResultFileError(ValueError):
    """A path that cannot be read as a gridshock result file (missing, not HDF5, unreadable, or written with
    a ``schema_version`` this package does not read)."""


# --------------------------------------------------------------------------------------------------------------
# dataclasses
# --------------------------------------------------------------------------------------------------------------
class FieldStore(Mapping):
    """The ``/fields`` datasets (all but ``t``), read from the file on first access and then kept.

    Snapshot arrays of a 2D run can be large, so nothing is read at load time; :meth:`snapshot` reads a single
    save without keeping the whole array. The file must still exist when a field is first accessed.
    """

    def __init__(self, path: Path | None = None, shapes: dict[str, tuple[int, ...]] | None = None,
                 arrays: dict[str, np.ndarray] | None = None):
        self._path = path
        self._cache: dict[str, np.ndarray] = dict(arrays or {})
        self.shapes: dict[str, tuple[int, ...]] = dict(shapes or {})
        self.shapes.update({k: v.shape for k, v in self._cache.items()})

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self.shapes:
            raise KeyError(name)
        if name not in self._cache:
            with h5py.File(self._path, "r") as f:
                self._cache[name] = np.asarray(f["fields"][name][()])
        return self._cache[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.shapes)

    def __len__(self) -> int:
        return len(self.shapes)

    def __repr__(self) -> str:
        return f"FieldStore({self.shapes!r})"

    def snapshot(self, name: str, index: int) -> np.ndarray | None:
        """Save ``index`` (negative counts from the end) of field ``name``; ``None`` if absent or out of range."""
        shape = self.shapes.get(name)
        if not shape or not -shape[0] <= index < shape[0]:
            return None
        if name in self._cache:
            return self._cache[name][index]
        with h5py.File(self._path, "r") as f:
            return np.asarray(f["fields"][name][index % shape[0]])


@dataclass
class Grid:
    """The ``/grid`` group: coordinates (cell centres) and the grid's attributes."""

    x: np.ndarray | None = None
    y: np.ndarray | None = None
    lower: np.ndarray | None = None
    upper: np.ndarray | None = None
    points: np.ndarray | None = None
    boundary: str | None = None
    centering: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Series:
    """The ``/series`` group: time series of measured quantities and their closed form (``reference``)."""

    t: np.ndarray | None = None
    values: dict[str, np.ndarray] = field(default_factory=dict)
    reference: dict[str, np.ndarray] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        """Whether the measured series ``name`` is stored (and aligned with ``t``)."""
        return self.t is not None and name in self.values and self.values[name].shape == self.t.shape

    def reference_of(self, name: str) -> np.ndarray | None:
        """The closed-form series ``name`` if stored and aligned with ``t``, else ``None``."""
        ref = self.reference.get(name)
        if ref is None or self.t is None or ref.shape != self.t.shape:
            return None
        return ref


@dataclass
class Comparison:
    """One ``/comparison/<quantity>`` group (scalar or multi-time).

    For a scalar comparison the numbers are floats and ``at`` is ``None`` (or a float when the group stores an
    ``at`` attribute); for a multi-time comparison they are 1-D arrays aligned with ``at`` and ``passed_each``
    holds the per-time verdicts. ``passed`` is the overall verdict (``None`` when the file does not say).
    """

    name: str
    measured: float | np.ndarray = math.nan
    reference: float | np.ndarray = math.nan
    abs_error: float | np.ndarray = math.nan
    rel_error: float | np.ndarray = math.nan
    at: float | np.ndarray | None = None
    passed: bool | None = None
    passed_each: np.ndarray | None = None
    tolerance: str = ""
    rtol: float = math.nan
    atol: float = math.nan
    method: str = ""
    note: str = ""
    attrs: dict[str, Any] = field(default_factory=dict)
    #: Further datasets of the group (e.g. ``closed_form`` of ``curl_linf``), as float arrays.
    extra: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def is_multi(self) -> bool:
        """True for a comparison made at several times (one row per entry of ``at``)."""
        return isinstance(self.at, np.ndarray) and self.at.ndim == 1

    @property
    def tolerance_text(self) -> str:
        """The stored tolerance string, or one built from ``rtol``/``atol``; ``""`` when neither is set."""
        if self.tolerance:
            return self.tolerance
        parts = [f"{k}={v:g}" for k, v in (("rtol", self.rtol), ("atol", self.atol)) if _finite(v)]
        return ", ".join(parts)

    def rows(self) -> list[dict[str, Any]]:
        """One dict per compared time: ``at, measured, reference, abs_error, rel_error, passed``."""
        if not self.is_multi:
            return [dict(at=self.at, measured=self.measured, reference=self.reference,
                         abs_error=self.abs_error, rel_error=self.rel_error, passed=self.passed)]
        n = len(self.at)
        rows = []
        for i in range(n):
            row: dict[str, Any] = {"at": float(self.at[i])}
            for name in _COMPARISON_ARRAYS:
                row[name] = _entry(getattr(self, name), i, n)
            if self.passed_each is not None and len(self.passed_each) == n:
                row["passed"] = bool(self.passed_each[i])
            else:
                row["passed"] = self.passed
            rows.append(row)
        return rows


@dataclass
class ConvergenceMeasure:
    """One error measure of a convergence study: error and EOC per level and the verdict."""

    name: str
    error: np.ndarray
    eoc: np.ndarray | None = None
    observed_order: float = math.nan
    expected_order: float = math.nan
    passed: bool | None = None


@dataclass
class Convergence:
    """The ``/convergence`` group of a convergence result file."""

    expected_order: float = math.nan
    refine: str = ""
    levels: np.ndarray | None = None
    h: np.ndarray | None = None
    dt: np.ndarray | None = None
    wall_time_s: np.ndarray | None = None
    measures: dict[str, ConvergenceMeasure] = field(default_factory=dict)

    @property
    def n_levels(self) -> int:
        """Number of refinement levels (from ``levels``, else the longest error array)."""
        if self.levels is not None:
            return len(self.levels)
        return max((len(m.error) for m in self.measures.values()), default=0)


#: The per-level datasets of a work-precision method (besides one per error measure).
WP_LEVEL_DATASETS = ("points", "h", "dt", "steps", "run_s", "compile_s", "rtol")
#: Optional per-level datasets that are not error measures either (kept in ``WorkPrecisionMethod.extra``).
WP_OTHER_DATASETS = ("nfev", "exit_code")


@dataclass
class WorkPrecisionMethod:
    """One ``/work_precision/<label>`` group: a method's cost and errors per refinement level.

    Every per-level array has length :attr:`n_levels` (shorter or missing datasets are padded with NaN); an
    entry is NaN where that level failed. ``errors`` maps each error measure to its per-level array.
    """

    label: str
    kind: str = ""
    space: str = ""
    time: str = ""
    order_space: float = math.nan
    order_time: float = math.nan
    points: np.ndarray = field(default_factory=lambda: np.empty(0))
    h: np.ndarray = field(default_factory=lambda: np.empty(0))
    dt: np.ndarray = field(default_factory=lambda: np.empty(0))
    steps: np.ndarray = field(default_factory=lambda: np.empty(0))
    run_s: np.ndarray = field(default_factory=lambda: np.empty(0))
    compile_s: np.ndarray = field(default_factory=lambda: np.empty(0))
    rtol: np.ndarray = field(default_factory=lambda: np.empty(0))
    errors: dict[str, np.ndarray] = field(default_factory=dict)
    extra: dict[str, np.ndarray] = field(default_factory=dict)      # nfev, exit_code, ... when stored
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def n_levels(self) -> int:
        return len(self.run_s)

    @property
    def is_solve_ivp(self) -> bool:
        """True for a SciPy ``solve_ivp`` peer (method-of-lines reference), drawn dashed."""
        return self.kind.strip().lower() == "solve_ivp"

    def error(self, measure: str) -> np.ndarray:
        """Per-level errors of ``measure`` (all NaN when the method does not store it)."""
        return self.errors.get(measure, np.full(self.n_levels, math.nan))


@dataclass
class WorkPrecision:
    """The ``/work_precision`` group of a work-precision study file."""

    measures: list[str] = field(default_factory=list)
    primary_measure: str = ""
    workers: int | None = None
    note: str = ""
    methods: dict[str, WorkPrecisionMethod] = field(default_factory=dict)
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def workers_text(self) -> str:
        """``"2 workers"``, ``"an external cluster"`` (``workers = -1``) or ``""`` when not stored."""
        if self.workers is None or self.workers == 0:
            return ""
        if self.workers < 0:
            return "an external cluster"
        return f"{self.workers} worker" + ("s" if self.workers != 1 else "")


@dataclass
class Result:
    """Everything read from one result file.

    ``attrs`` holds all root attributes (decoded to Python types); the properties give the common ones with
    sensible fallbacks. ``fields`` maps dataset names under ``/fields`` (all but ``t``) to arrays, read lazily
    (see :class:`FieldStore`). ``label`` is a
    file-system-safe name used for output files (the file stem by default).
    """

    path: Path
    attrs: dict[str, Any] = field(default_factory=dict)
    grid: Grid | None = None
    method: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, Any] = field(default_factory=dict)
    t: np.ndarray | None = None
    fields: Mapping[str, np.ndarray] = field(default_factory=FieldStore)
    series: Series | None = None
    comparisons: list[Comparison] = field(default_factory=list)
    convergence: Convergence | None = None
    mfg_history: dict[str, np.ndarray] = field(default_factory=dict)   # /mfg datasets (outer-solver history)
    mfg: dict[str, Any] = field(default_factory=dict)                  # /mfg attributes (solver, iterations)
    work_precision: WorkPrecision | None = None                          # /work_precision (study files)
    label: str = ""

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        if not self.label:
            self.label = _safe_name(self.path.stem)

    # ---- root attributes ------------------------------------------------------------------------------------
    @property
    def case_name(self) -> str:
        """The case name (root attribute ``case_name``, else the file stem)."""
        return str(self.attrs.get("case_name") or self.path.stem)

    @property
    def equation(self) -> str:
        """``"heat"``, ``"burgers"`` or ``"mfg"`` (``""`` when not stored)."""
        return str(self.attrs.get("equation", ""))

    @property
    def dimension(self) -> int:
        """Spatial dimension: root attribute ``dimension``, else inferred from the grid (1 without one)."""
        dim = self.attrs.get("dimension")
        if dim is not None:
            try:
                return int(dim)
            except (TypeError, ValueError):
                pass
        if self.grid is not None and self.grid.y is not None:
            return 2
        return 1

    @property
    def status(self) -> str:
        """``"passed"`` / ``"failed"`` (``""`` when not stored)."""
        return str(self.attrs.get("status", ""))

    @property
    def wall_time_s(self) -> float:
        """Root attribute ``wall_time_s`` (NaN when not stored)."""
        return _as_float(self.attrs.get("wall_time_s"))

    @property
    def kind(self) -> str:
        """``"convergence"``, ``"work_precision"`` or ``"run"`` (whatever ``kind`` the file states, else
        inferred from its groups)."""
        if self.attrs.get("kind"):
            return str(self.attrs["kind"])
        if self.convergence is not None:
            return "convergence"
        return "work_precision" if self.work_precision is not None else "run"

    @property
    def schema_version(self) -> int:
        """Root attribute ``schema_version`` (0 for files written before it existed)."""
        version = self.attrs.get("schema_version")
        try:
            return 0 if version is None else int(version)
        except (TypeError, ValueError):
            return 0

    # ---- lookups -------------------------------------------------------------------------------------------
    def comparison(self, name: str) -> Comparison | None:
        """The comparison of quantity ``name``, or ``None``."""
        for comp in self.comparisons:
            if comp.name == name:
                return comp
        return None

    def get_field(self, name: str) -> np.ndarray | None:
        """The stored field ``name`` (``/fields/<name>``), or ``None``."""
        return self.fields.get(name)

    def field_shape(self, name: str) -> tuple[int, ...] | None:
        """Shape of the stored field ``name`` without reading it, or ``None``."""
        if isinstance(self.fields, FieldStore):
            return self.fields.shapes.get(name)
        data = self.fields.get(name)
        return None if data is None else np.shape(data)

    def snapshot(self, name: str, index: int) -> np.ndarray | None:
        """One saved time (``index``, negative from the end) of field ``name``, or ``None``."""
        if isinstance(self.fields, FieldStore):
            return self.fields.snapshot(name, index)
        data = self.fields.get(name)
        if data is None or not -len(data) <= index < len(data):
            return None
        return np.asarray(data[index])

    @property
    def n_failed(self) -> int:
        """Number of failed checks: comparisons plus convergence measures whose verdict is False."""
        return sum(1 for _, ok in checks(self) if ok is False)


def checks(result: Result) -> list[tuple[str, bool | None]]:
    """All verdicts of a result: each comparison, then each convergence measure (name, passed)."""
    out: list[tuple[str, bool | None]] = [(c.name, c.passed) for c in result.comparisons]
    if result.convergence is not None:
        out += [(f"order of {m.name}", m.passed) for m in result.convergence.measures.values()]
    return out


def is_convergence(result: Result) -> bool:
    """Whether ``result`` came from ``gridshock convergence`` (``kind`` attribute or a ``/convergence`` group)."""
    return result.attrs.get("kind") == "convergence" or result.convergence is not None


def is_work_precision(result: Result) -> bool:
    """Whether ``result`` came from ``gridshock study work-precision`` (``kind`` or a ``/work_precision`` group)."""
    return result.attrs.get("kind") == "work_precision" or result.work_precision is not None


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
def load_result(path: str | Path) -> Result:
    """Read a gridshock result file (run or convergence): everything but the field snapshots, which are read
    on first access (:class:`FieldStore`).

    Raises :class:`ResultFileError` (a ``ValueError``) naming the path when it does not exist, is not HDF5 or
    states a ``schema_version`` outside :data:`SUPPORTED_SCHEMA_VERSIONS`. Missing optional groups give
    ``None``/empty members.
    """
    path = Path(path)
    if not path.is_file():
        raise ResultFileError(f"{path}: no such result file")
    try:
        with h5py.File(path, "r") as f:
            attrs = _attrs(f)
            schema_version_of(attrs, path)
            return Result(
                path=path,
                attrs=attrs,
                grid=_read_grid(f),
                method=_group_attrs(f, "method"),
                timings=_group_attrs(f, "timings"),
                t=_dataset(f, "fields/t"),
                fields=_read_fields(f, path),
                series=_read_series(f),
                comparisons=_read_comparisons(f),
                convergence=_read_convergence(f),
                mfg_history=_read_datasets(f, "mfg"),
                mfg=_group_attrs(f, "mfg"),
                work_precision=_read_work_precision(f),
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
        lower=_as_array(attrs.get("lower")),
        upper=_as_array(attrs.get("upper")),
        points=_as_array(attrs.get("points")),
        boundary=_opt_str(attrs.get("boundary")),
        centering=_opt_str(attrs.get("centering")),
        attrs=attrs,
    )


def _read_fields(f: h5py.File, path: Path) -> FieldStore:
    """Names and shapes of the ``/fields`` datasets; the data is read on access."""
    if "fields" not in f:
        return FieldStore(path)
    shapes = {name: obj.shape for name, obj in f["fields"].items() if isinstance(obj, h5py.Dataset) and name != "t"}
    return FieldStore(path, shapes)


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
        return _as_float(attrs.get(key))

    at: float | np.ndarray | None = None
    if isinstance(g.get("at"), h5py.Dataset):
        at = np.atleast_1d(np.asarray(g["at"][()], dtype=float))
    elif "at" in attrs:
        at = _as_float(attrs["at"])
    passed_each = None
    if isinstance(g.get("passed"), h5py.Dataset):
        passed_each = np.atleast_1d(np.asarray(g["passed"][()], dtype=bool))
    passed = _opt_bool(attrs.get("passed"))
    if passed is None and passed_each is not None:
        passed = bool(passed_each.all())
    known = set(_COMPARISON_ARRAYS) | {"at", "passed"}
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
        rtol=_as_float(attrs.get("rtol")),
        atol=_as_float(attrs.get("atol")),
        method=str(attrs.get("method", "") or ""),
        note=str(attrs.get("note", "") or ""),
        attrs=attrs,
        extra=extra,
    )


def _read_convergence(f: h5py.File) -> Convergence | None:
    if "convergence" not in f:
        return None
    g = f["convergence"]
    attrs = _attrs(g)
    expected = _as_float(attrs.get("expected_order"))
    measures = {}
    for name, sub in g.items():
        if not isinstance(sub, h5py.Group) or "error" not in sub:
            continue
        sattrs = _attrs(sub)
        sub_expected = _as_float(sattrs.get("expected_order"))
        measures[name] = ConvergenceMeasure(
            name=name,
            error=np.asarray(sub["error"][()], dtype=float),
            eoc=_dataset(sub, "eoc", dtype=float),
            observed_order=_as_float(sattrs.get("observed_order")),
            expected_order=sub_expected if _finite(sub_expected) else expected,
            passed=_opt_bool(sattrs.get("passed")),
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


def _name_list(value: Any) -> list[str]:
    """A comma-separated string (or a list/array of strings) as a list of stripped, non-empty names."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else [str(v) for v in np.atleast_1d(value).tolist()]
    return [s.strip() for s in items if str(s).strip()]


def _read_work_precision(f: h5py.File) -> WorkPrecision | None:
    if not isinstance(f.get("work_precision"), h5py.Group):
        return None
    g = f["work_precision"]
    attrs = _attrs(g)
    measures = _name_list(attrs.get("measures"))
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
        order_space=_as_float(attrs.get("order_space")),
        order_time=_as_float(attrs.get("order_time")),
        errors={m: level(m) for m in names if m in arrays},
        extra={k: level(k) for k in arrays if k not in WP_LEVEL_DATASETS and k not in names},
        attrs=attrs,
        **{k: level(k) for k in WP_LEVEL_DATASETS},
    )


# --------------------------------------------------------------------------------------------------------------
# decoding helpers
# --------------------------------------------------------------------------------------------------------------
def _decode(value: Any) -> Any:
    """An HDF5 attribute as a plain Python value (str, bool, int, float) or a numpy array."""
    if isinstance(value, h5py.Empty):
        return None
    if isinstance(value, (bytes, np.bytes_)):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return _decode(value[()])
        if value.dtype.kind in "SO":
            return [_decode(v) for v in value.tolist()]
        return value
    if isinstance(value, np.generic):
        return value.item()
    return value


def _attrs(obj: h5py.HLObject) -> dict[str, Any]:
    return {k: _decode(v) for k, v in obj.attrs.items()}


def _group_attrs(f: h5py.File, name: str) -> dict[str, Any]:
    return _attrs(f[name]) if isinstance(f.get(name), h5py.Group) else {}


def _dataset(g: h5py.Group, name: str, dtype: Any = None) -> np.ndarray | None:
    obj = g.get(name)
    if not isinstance(obj, h5py.Dataset):
        return None
    data = np.asarray(obj[()])
    return data.astype(dtype) if dtype is not None else data


def _as_float(value: Any) -> float:
    """A scalar as float; NaN for ``None``, strings and arrays of other than one element."""
    if value is None or isinstance(value, str):
        return math.nan
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return math.nan
    return float(arr.reshape(-1)[0]) if arr.size == 1 else math.nan


def _as_array(value: Any) -> np.ndarray | None:
    if value is None:
        return None
    return np.atleast_1d(np.asarray(value))


def _opt_str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, np.ndarray):
        return ", ".join(str(v) for v in value.tolist())
    return str(value)


def _opt_bool(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip().lower() in ("true", "passed", "pass", "yes", "1")
    arr = np.asarray(value)
    return bool(arr.all()) if arr.size else None


def _entry(value: Any, i: int, n: int) -> float:
    """Entry ``i`` of a per-time array (or the scalar itself when stored as an attribute)."""
    if isinstance(value, np.ndarray) and value.ndim == 1:
        return float(value[i]) if len(value) == n else math.nan
    return float(value)


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def _safe_name(name: str) -> str:
    """``name`` with every character other than letters, digits, ``._-`` replaced by ``_``."""
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
    return safe or "result"
