"""A summary page (``report.md`` plus PNG figures) from result files alone.

``gridshock report RESULT.h5 ... --out DIR`` calls :func:`make_report`; the same is available as
``python -m postprocess.report RESULT.h5 ... --out DIR``. A directory given in place of a file stands for every
result file (``*.h5``) directly inside it.
"""
from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from postprocess.io import Result, ResultFileError, is_convergence, load_result, looks_like_result
from postprocess.plots import PER_RESULT_PLOTS, plot_work_precision
from postprocess.tables import (comparison_table_markdown, display_name, eoc_table_markdown, format_number,
                                method_text, summary_table_markdown)

__all__ = ["DEFAULT_OUT", "expand_paths", "main", "make_report"]

DEFAULT_OUT = Path("results") / "report"
REPORT_NAME = "report.md"


@dataclass
class _Figures:
    """Figures written for one result, and the plot functions that failed (name, message)."""

    paths: list[Path] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)


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
def _run_plot(plot: Callable, arg, outdir: Path, figures: _Figures) -> None:
    """Run one plot function; a failure is recorded (and warned about) instead of aborting the report."""
    try:
        figures.paths += plot(arg, outdir)
    except Exception as exc:  # noqa: BLE001 - one bad figure must not lose the whole report
        message = f"{type(exc).__name__}: {exc}"
        figures.failures.append((plot.__name__, message))
        warnings.warn(f"{plot.__name__} failed: {message}", UserWarning, stacklevel=2)


def _write_figures(results: Sequence[Result], outdir: Path) -> tuple[dict[str, _Figures], _Figures]:
    per_result = {}
    for r in results:
        figures = _Figures()
        for plot in PER_RESULT_PLOTS:
            _run_plot(plot, r, outdir, figures)
        per_result[r.label] = figures
    overall = _Figures()
    _run_plot(plot_work_precision, list(results), outdir, overall)
    return per_result, overall


# --------------------------------------------------------------------------------------------------------------
# markdown
# --------------------------------------------------------------------------------------------------------------
def _link(path: Path, outdir: Path) -> str:
    """Markdown image link to ``path``, relative to the report's directory; alt text from the file name."""
    rel = Path(os.path.relpath(path, outdir)).as_posix()
    return f"![{path.stem}]({rel})"


def _figure_lines(figures: _Figures, outdir: Path) -> list[str]:
    lines = [_link(p, outdir) for p in figures.paths]
    lines += [f"_{name} failed: {msg}_" for name, msg in figures.failures]
    return lines


def _vector_text(values) -> str:
    if values is None:
        return "-"
    return "[" + ", ".join(format_number(v) for v in np.atleast_1d(values).tolist()) + "]"


def _metadata_lines(r: Result) -> list[str]:
    """Bullet list: file, equation, status, method, grid, timings, provenance."""
    a, m = r.attrs, r.method
    lines = [f"- file: `{r.path}`",
             f"- equation: {r.equation or '-'}, dimension {r.dimension}, status **{r.status or '-'}**, "
             f"wall time {format_number(r.wall_time_s)} s"]
    if m:
        lines.append(f"- method: {method_text(r)} (order {format_number(m.get('order_space'))} in space, "
                     f"{format_number(m.get('order_time'))} in time), dt = {format_number(m.get('dt'))} "
                     f"({m.get('dt_rule') or '-'}), {format_number(m.get('steps'))} steps")
    if r.grid is not None:
        g = r.grid
        lines.append(f"- grid: {_vector_text(g.points)} points on {_vector_text(g.lower)} .. "
                     f"{_vector_text(g.upper)}, boundary {g.boundary or '-'}, centering {g.centering or '-'}")
    if r.timings:
        t = r.timings
        lines.append("- timings [s]: " + ", ".join(f"{k.removesuffix('_s')} {format_number(t.get(k))}"
                                                   for k in ("compile_s", "run_s", "measure_s", "total_s")
                                                   if k in t))
    lines.append(f"- software version {a.get('software_version', '-')}, created {a.get('created', '-')}")
    return lines


def _result_section(r: Result, figures: _Figures, outdir: Path) -> list[str]:
    lines = [f"## {display_name(r)}", ""] + _metadata_lines(r) + [""]
    if r.comparisons or not is_convergence(r):
        lines += ["### Comparisons", "", comparison_table_markdown(r), ""]
    if is_convergence(r):
        lines += ["### Convergence", "", eoc_table_markdown(r) or "_No convergence data stored._", ""]
    fig_lines = _figure_lines(figures, outdir)
    if fig_lines:
        lines += ["### Figures", ""] + [f"{line}\n" for line in fig_lines]
    toml = r.attrs.get("case_toml")
    if toml:
        lines += ["<details><summary>case file</summary>", "", "```toml", str(toml).rstrip(), "```", "",
                  "</details>", ""]
    return lines


def _conventions_lines(results: Sequence[Result]) -> list[str]:
    texts = list(dict.fromkeys(str(r.attrs["conventions"]) for r in results if r.attrs.get("conventions")))
    if not texts:
        return []
    lines = ["## Conventions", ""]
    for text in texts:
        lines += ["```", text.rstrip(), "```", ""]
    return lines


def render_report(results: Sequence[Result], per_result: dict[str, _Figures], overall: _Figures,
                  outdir: Path) -> str:
    """The text of ``report.md``."""
    created = datetime.now(timezone.utc).isoformat(timespec="seconds")
    lines = ["# gridshock report", "", f"Generated {created} from {len(results)} result file(s).", "",
             "## Summary", "", summary_table_markdown(results), ""]
    wp = _figure_lines(overall, outdir)
    if wp:
        lines += ["## Work-precision", ""] + [f"{line}\n" for line in wp]
    for r in results:
        lines += _result_section(r, per_result[r.label], outdir)
    lines += _conventions_lines(results)
    return "\n".join(lines).rstrip() + "\n"


# --------------------------------------------------------------------------------------------------------------
# entry points
# --------------------------------------------------------------------------------------------------------------
def make_report(paths: Iterable[str | Path], outdir: str | Path) -> Path:
    """Load the result files, write every figure into ``outdir`` and ``outdir/report.md``; return its path.

    Raises :class:`~postprocess.io.ResultFileError` (a ``ValueError``) when no file is given or one cannot
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
    report = outdir / REPORT_NAME
    report.write_text(render_report(results, per_result, overall, outdir), encoding="utf-8")
    return report


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m postprocess.report",
                                     description="Plots and a summary page (report.md) from result files.")
    parser.add_argument("paths", nargs="+", metavar="RESULT.h5",
                        help="result files (a directory stands for the *.h5 files in it)")
    parser.add_argument("--out", default=str(DEFAULT_OUT), metavar="DIR",
                        help=f"output directory (default: {DEFAULT_OUT})")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write the report, print its path; exit 0, or 2 (message, no traceback) on bad input."""
    args = _parser().parse_args(argv)
    try:
        report = make_report(args.paths, args.out)
    except ResultFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
