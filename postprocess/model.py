"""The data model of a gridshock result file: plain dataclasses, filled by :mod:`postprocess.read`.

:class:`Result` holds everything read from one file (root attributes, :class:`Grid`, ``/method``, ``/timings``,
:class:`FieldStore` of the ``/fields`` snapshots, :class:`Series`, :class:`Comparison` per quantity,
:class:`Convergence` and :class:`WorkPrecision` for study files, the MFG history); :func:`checks`,
:func:`is_convergence` and :func:`is_work_precision` answer questions about one. Nothing here opens a file
except :class:`FieldStore`, which reads a field from its path on first access.
"""
from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from postprocess._coerce import as_float, entry, finite, safe_name
from postprocess.model_studies import (WP_LEVEL_DATASETS, WP_OTHER_DATASETS,  # noqa: F401  (re-exported)
                                       Convergence, ConvergenceMeasure, WorkPrecision, WorkPrecisionMethod)

__all__ = [
    "Comparison",
    "Convergence",
    "ConvergenceMeasure",
    "FieldStore",
    "Grid",
    "Result",
    "Series",
    "WorkPrecision",
    "WorkPrecisionMethod",
    "checks",
    "is_convergence",
    "is_work_precision",
]


#: Per-quantity datasets of a multi-time comparison (aligned with ``at``).
COMPARISON_ARRAYS = ("measured", "reference", "abs_error", "rel_error")


class FieldStore(Mapping):
    """The ``/fields`` datasets (all but ``t``), read from the file on first access and then kept.

    Snapshot arrays of a 2D run can be large, so nothing is read at load time; :meth:`snapshot` reads a single
    save without keeping the whole array. The file must still exist when a field is first accessed. A store
    built with ``arrays`` (a result read from an open :class:`h5py.File`, which may be in memory and closed
    later) holds every field already and never opens a file.
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
    ``flags`` are the group's ``flags`` attribute (short words qualifying the measurement, e.g.
    ``under_resolved``; ``()`` when absent, as in files written before it existed); they never change
    ``passed``.
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
    flags: tuple[str, ...] = ()
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
        parts = [f"{k}={v:g}" for k, v in (("rtol", self.rtol), ("atol", self.atol)) if finite(v)]
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
            for name in COMPARISON_ARRAYS:
                row[name] = entry(getattr(self, name), i, n)
            if self.passed_each is not None and len(self.passed_each) == n:
                row["passed"] = bool(self.passed_each[i])
            else:
                row["passed"] = self.passed
            rows.append(row)
        return rows


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
            self.label = safe_name(self.path.stem)

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
        return as_float(self.attrs.get("wall_time_s"))

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
    def passed(self) -> bool | None:
        """Every check passed (None when the file states no verdict at all)."""
        verdicts = [ok for _, ok in checks(self)]
        return None if not verdicts or all(ok is None for ok in verdicts) else all(ok is not False for ok in verdicts)

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
