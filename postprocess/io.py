"""The reading API in one place: re-exports :mod:`postprocess.model` (the dataclasses) and
:mod:`postprocess.read` (:func:`load_result` and the checks on a file).

``from postprocess.io import load_result, Result, ...`` is the import the command line (``solvers/cli.py``)
and the tests use; the code lives in those two modules.
"""
from __future__ import annotations

from postprocess import model, read
from postprocess.model import (WP_LEVEL_DATASETS, WP_OTHER_DATASETS, Comparison, Convergence, ConvergenceMeasure,
                               FieldStore, Grid, Result, Series, WorkPrecision, WorkPrecisionMethod, checks,
                               is_convergence, is_work_precision)
from postprocess.read import (SUPPORTED_SCHEMA_VERSIONS, ResultFileError, load_result, looks_like_result,
                              schema_version_of)

__all__ = sorted([*model.__all__, *read.__all__, "WP_LEVEL_DATASETS", "WP_OTHER_DATASETS"])
