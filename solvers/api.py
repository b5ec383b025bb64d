"""The Python API for notebooks and scripts: run a case and get its result without going through files, load
a result file, draw the report. Documented with runnable examples in ``docs/python.md``.

    >>> from solvers import api
    >>> result = api.run("cases/heat_symmetric_1d.toml", {"grid.points": [256], "time.saves": 10})
    >>> result.passed, result.comparisons[0].quantity

``run`` returns the same :class:`postprocess.io.Result` that ``gridshock report`` reads from a file (fields,
series, comparisons, grid, method, timings), built from an in-memory HDF5 image of the result file: what a
notebook sees is exactly what the file would hold. This module sits beside the command line, above the
numerics (which never import it or :mod:`postprocess`).
"""
from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

import h5py
import tomli_w

from .config.case import Case
from .families import FAMILIES, family_of
from .families import load_case as _load_case
from .runs.run import run_case as _run_case
from .runs.run import solve_case
from .storage.results import write_run

__all__ = ["FAMILIES", "load_case", "run", "load_result", "report"]


def _as_sets(overrides: Mapping | Sequence[str] | None) -> list[str]:
    """``{"grid.points": [256]}`` or ``["grid.points=[256]"]`` -> ``--set`` strings (TOML values)."""
    if overrides is None:
        return []
    if isinstance(overrides, Mapping):
        out = []
        for key, value in overrides.items():
            text = tomli_w.dumps({"v": value}).strip()       # 'v = <TOML value>'
            out.append(f"{key}={text.split('=', 1)[1].strip()}")
        return out
    return [str(item) for item in overrides]


def load_case(case: str | Path | Mapping, overrides: Mapping | Sequence[str] | None = None) -> Case:
    """A validated case from a file or a mapping of its tables, with overrides (a mapping of dotted keys to
    values, or ``KEY=VALUE`` strings as ``--set`` takes them). Bad input raises
    :class:`~solvers.errors.InputError` naming the key, the value and what is allowed."""
    return _load_case(case, _as_sets(overrides))


def run(case: str | Path | Mapping, overrides: Mapping | Sequence[str] | None = None, out_dir: str | Path | None = None,
        progress: bool | None = False):
    """Run a case (a file, or a mapping of its tables) and return its :class:`postprocess.io.Result`.

    ``out_dir``: also write ``<out_dir>/<name>.h5`` exactly as ``gridshock run`` does (else nothing touches the
    disk); ``progress``: a tqdm bar (None: on a terminal). The result carries ``passed``, ``comparisons``
    (measured, reference, errors, tolerance, method), ``fields`` (``t``, density, score and their closed forms),
    ``series`` (interface width, position, D, mass per save, with references), ``grid``, ``method`` and
    ``timings``. Raises :class:`~solvers.errors.InputError` (bad input) or
    :class:`~solvers.errors.NumericalFailure` (a blow-up, with its diagnosis)."""
    from postprocess.io import load_result as _read
    sets = _as_sets(overrides)
    if out_dir is not None:
        outcome = _run_case(case, sets, out_dir, progress=progress)
        return _read(outcome.path)
    import time
    start = time.perf_counter()
    validated = _load_case(case, sets)
    problem, record, analysis, _, _ = solve_case(validated, progress)
    wall = time.perf_counter() - start
    image = h5py.File(f"{validated.name}-{uuid.uuid4().hex}.h5", "w", driver="core", backing_store=False)
    write_run(image, problem, record, analysis, wall, family_of(validated).method_attrs(problem))
    return _read(image)


def load_result(path: str | Path):
    """A result file (run, convergence, sweep or work-precision) as :class:`postprocess.io.Result`."""
    from postprocess.io import load_result as _read
    return _read(path)


def report(paths: Sequence[str | Path], out_dir: str | Path) -> Path:
    """Figures, ``report.html`` and ``report.md`` of result files or directories (``gridshock report``)."""
    from postprocess.report import make_report
    return make_report(paths, out_dir)
