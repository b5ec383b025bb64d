"""Figures from result files (matplotlib, Agg backend).

Each ``plot_*`` function takes a :class:`~postprocess.model.Result` (or several) and an output directory, writes
PNG files named after ``result.label`` and returns the list of written paths. When the data a figure needs is
not in the file, the function writes nothing and returns ``[]``. Computed curves are solid, closed forms dashed.

Files written (``<label>`` is the result file's stem): ``<label>_snapshots.png``, ``_interface.png`` (width,
position, D against t), ``_modes.png`` (mode count, ``/series/modes``), ``_curl_linf.png`` (``/series/curl_linf``),
``_curl.png`` (2D score streamlines and its curl at the last save), ``_errors.png``, ``_eoc.png`` (convergence
files), ``_mfg_history.png``, ``_error_vs_runtime.png`` (work-precision files), and ``work_precision.png``
(wall time of all convergence files).

One module per figure family: :mod:`~postprocess.plots.fields` (snapshots, score streamlines and curl),
:mod:`~postprocess.plots.series` (interface, mode count, curl against time), :mod:`~postprocess.plots.errors`
(pointwise errors), :mod:`~postprocess.plots.convergence`, :mod:`~postprocess.plots.work_precision` and
:mod:`~postprocess.plots.mfg`; :mod:`~postprocess.plots._style` holds the shared helpers.
:data:`PER_RESULT_PLOTS` is the registry of per-result figures, in report order.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from postprocess.model import Result
from postprocess.plots._style import DPI
from postprocess.plots.convergence import plot_convergence
from postprocess.plots.errors import plot_errors
from postprocess.plots.fields import (CURL_DENSITY_FLOOR, N_ARROWS, N_SNAPSHOTS, plot_score_curl, plot_snapshots,
                                      score_curl, snapshot_indices)
from postprocess.plots.mfg import plot_mfg_history
from postprocess.plots.series import plot_curl_series, plot_interface_series, plot_modes
from postprocess.plots.work_precision import WP_MAX_PANELS, plot_work_precision, plot_work_precision_study

__all__ = [
    "CURL_DENSITY_FLOOR",
    "DPI",
    "N_ARROWS",
    "N_SNAPSHOTS",
    "PER_RESULT_PLOTS",
    "WP_MAX_PANELS",
    "plot_all",
    "plot_convergence",
    "plot_curl_series",
    "plot_errors",
    "plot_interface_series",
    "plot_mfg_history",
    "plot_modes",
    "plot_score_curl",
    "plot_snapshots",
    "plot_work_precision",
    "plot_work_precision_study",
    "score_curl",
    "snapshot_indices",
]

#: The per-result plot functions, in report order.
PER_RESULT_PLOTS: Sequence = (plot_snapshots, plot_interface_series, plot_modes, plot_curl_series,
                              plot_score_curl, plot_errors, plot_convergence, plot_mfg_history,
                              plot_work_precision_study)


def plot_all(result: Result, outdir: str | Path) -> list[Path]:
    """Every per-result figure that the file's data supports."""
    paths: list[Path] = []
    for plot in PER_RESULT_PLOTS:
        paths += plot(result, outdir)
    return paths
