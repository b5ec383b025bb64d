"""The data model of a study file's groups (``/convergence``, ``/work_precision``), read by
:mod:`postprocess.read` into :class:`postprocess.model.Result`."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class ConvergenceMeasure:
    """One error measure of a convergence study: error and EOC per level and the verdict.

    ``floor`` / ``at_floor`` (per level) and ``assessment`` (``"order met"``, ``"order missed"``, ``"not
    assessable: at floor"``, ...) come with files that estimate the error floor; ``passed`` is None when the
    measure is not assessable (no verdict, rather than a silent pass). ``fit_levels``: the levels the order
    was taken from.
    """

    name: str
    error: np.ndarray
    eoc: np.ndarray | None = None
    observed_order: float = math.nan
    expected_order: float = math.nan
    passed: bool | None = None
    floor: np.ndarray | None = None
    at_floor: np.ndarray | None = None
    assessment: str = ""
    fit_levels: np.ndarray | None = None


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
    direction: str = ""                   # "refine" / "coarsen" ("" in files before the floor)
    floor_factor: float = math.nan        # levels with error <= floor_factor * floor are at the floor
    floor_read: bool = field(default=False, repr=False, compare=False)   # with_floor_marks looked at the file

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


# ---- the error-floor marks of a convergence file --------------------------------------------------------------
def with_floor_marks(convergence: Convergence | None, path: Any) -> Convergence | None:
    """``convergence`` with ``direction``, ``floor_factor`` and each measure's ``floor``, ``at_floor``,
    ``assessment`` and ``fit_levels`` filled from the study file at ``path`` where the reader left them unset.

    Why here: the floor marks are new members of ``/convergence``; the general reader fills the members it knows,
    and this reads the rest on demand, once (the file must still be at ``path``; when it cannot be read, the
    marks stay unset and the table is shown without them).
    """
    if convergence is None or convergence.floor_read:
        return convergence
    convergence.floor_read = True
    if convergence.direction and all(m.at_floor is not None for m in convergence.measures.values()):
        return convergence
    try:
        import h5py
        with h5py.File(path, "r") as f:
            g = f.get("convergence")
            if not isinstance(g, h5py.Group):
                return convergence
            convergence.direction = convergence.direction or _text(g.attrs.get("direction"))
            if math.isnan(convergence.floor_factor):
                convergence.floor_factor = float(g.attrs.get("floor_factor", math.nan))
            for name, m in convergence.measures.items():
                sub = g.get(name)
                if not isinstance(sub, h5py.Group):
                    continue
                if m.floor is None and "floor" in sub:
                    m.floor = np.asarray(sub["floor"][()], dtype=float)
                if m.at_floor is None and "at_floor" in sub:
                    m.at_floor = np.asarray(sub["at_floor"][()], dtype=bool)
                m.assessment = m.assessment or _text(sub.attrs.get("assessment"))
                if m.fit_levels is None and "fit_levels" in sub.attrs:
                    m.fit_levels = np.atleast_1d(np.asarray(sub.attrs["fit_levels"], dtype=int))
    except (OSError, ValueError, TypeError):
        pass
    return convergence


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else str(value)
