"""A report (PNG figures, one self-contained ``report.html`` and ``report.md``) from result files alone.

``gridshock report RESULT.h5 ... --out DIR`` (the command line, in ``solvers/cli.py``) calls
:func:`make_report`. A directory given in place of a file stands for every result file (``*.h5``) directly
inside it. Run, convergence (``<case>_convergence.h5``) and work-precision (``<case>_work_precision.h5``) files
may be mixed.

This module loads the files and writes the figures (:data:`~postprocess.plots.PER_RESULT_PLOTS`, a figure that
fails is noted instead of aborting the report); :mod:`postprocess.render_html` and :mod:`postprocess.render_md`
write the two pages.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from postprocess._sections import Figures, now
from postprocess.model import Result
from postprocess.plots import PER_RESULT_PLOTS, plot_work_precision
from postprocess.read import ResultFileError, load_result, looks_like_result
from postprocess.render_html import render_html_page
from postprocess.render_md import render_report

__all__ = ["HTML_NAME", "REPORT_NAME", "expand_paths", "make_report", "render_html_page", "render_report"]

REPORT_NAME = "report.md"
HTML_NAME = "report.html"


# --------------------------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------------------------
def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; a directory becomes the result files (``*.h5``) directly inside it, sorted."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += [f for f in sorted(p.glob("*.h5")) if looks_like_result(f)]
        else:
            out.append(p)
    return out


def _unique_labels(results: list[Result]) -> None:
    """Give results that share a label (same file stem) distinct labels ``stem``, ``stem-2``, ..."""
    seen: dict[str, int] = {}
    for r in results:
        count = seen.get(r.label, 0) + 1
        seen[r.label] = count
        if count > 1:
            r.label = f"{r.label}-{count}"


# --------------------------------------------------------------------------------------------------------------
# figures
# --------------------------------------------------------------------------------------------------------------
def _run_plot(plot: Callable, arg, outdir: Path, figures: Figures) -> None:
    """Run one plot function; a failure is recorded (and warned about) instead of aborting the report."""
    try:
        figures.paths += plot(arg, outdir)
    except Exception as exc:  # noqa: BLE001 - one bad figure must not lose the whole report
        message = f"{type(exc).__name__}: {exc}"
        figures.failures.append((plot.__name__, message))
        warnings.warn(f"{plot.__name__} failed: {message}", UserWarning, stacklevel=2)


def _write_figures(results: Sequence[Result], outdir: Path) -> tuple[dict[str, Figures], Figures]:
    per_result = {}
    for r in results:
        figures = Figures()
        for plot in PER_RESULT_PLOTS:
            _run_plot(plot, r, outdir, figures)
        per_result[r.label] = figures
    overall = Figures()
    _run_plot(plot_work_precision, list(results), outdir, overall)
    return per_result, overall


# --------------------------------------------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------------------------------------------
def make_report(paths: Iterable[str | Path], outdir: str | Path) -> Path:
    """Load the result files, write every figure into ``outdir``, then ``outdir/report.html`` (one
    self-contained page) and ``outdir/report.md``; return the path of ``report.html``.

    Raises :class:`~postprocess.read.ResultFileError` (a ``ValueError``) when no file is given or one cannot
    be read. A figure that fails is noted in the report (and warned about) instead of aborting it.
    """
    files = expand_paths(paths)
    if not files:
        raise ResultFileError("no result files given")
    results = [load_result(p) for p in files]
    _unique_labels(results)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    per_result, overall = _write_figures(results, outdir)
    created = now()
    (outdir / REPORT_NAME).write_text(render_report(results, per_result, overall, outdir, created),
                                      encoding="utf-8")
    page = outdir / HTML_NAME
    page.write_text(render_html_page(results, per_result, overall, outdir, created), encoding="utf-8")
    return page
