"""A report (PNG figures, one self-contained ``report.html`` and ``report.md``) from result files alone.

``gridshock report RESULT.h5 ... --out DIR`` calls :func:`make_report`; the same is available as
``python -m postprocess.report RESULT.h5 ... --out DIR``. A directory given in place of a file stands for every
result file (``*.h5``) directly inside it. Run, convergence (``<case>_convergence.h5``) and work-precision
(``<case>_work_precision.h5``) files may be mixed.

``report.html`` has inline CSS and no scripts; it shows a summary table, then per result file its metadata,
comparison / EOC / work-precision tables, every figure written for it (``<img>`` with paths relative to the
page) and the case file. ``report.md`` holds the same tables and image links in markdown.
"""
from __future__ import annotations

import argparse
import html
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from urllib.parse import quote

from postprocess.io import (Result, ResultFileError, is_convergence, is_work_precision, load_result,
                            looks_like_result)
from postprocess.plots import PER_RESULT_PLOTS, plot_work_precision
from postprocess.tables import (comparison_rows, comparison_table_markdown, display_name, eoc_rows,
                                eoc_table_markdown, format_number, method_text, order_lines, render_html,
                                summary_rows, summary_table_markdown, work_precision_method_rows,
                                work_precision_rows, work_precision_table_markdown)

__all__ = ["DEFAULT_OUT", "HTML_NAME", "REPORT_NAME", "expand_paths", "main", "make_report", "render_html_page",
           "render_report"]

DEFAULT_OUT = Path("results") / "report"
REPORT_NAME = "report.md"
HTML_NAME = "report.html"


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


def _metadata_items(r: Result) -> list[tuple[str, str]]:
    """(key, text) pairs: file, kind, equation, status, method, grid, timings, MFG / study settings, provenance."""
    a, m = r.attrs, r.method
    items = [("file", str(r.path)),
             ("kind", f"{r.kind}, schema version {r.schema_version}"),
             ("equation", f"{r.equation or '-'}, dimension {r.dimension}"),
             ("status", f"{r.status or '-'}, wall time {format_number(r.wall_time_s)} s")]
    if m:
        items.append(("method", f"{method_text(r)} (order {format_number(m.get('order_space'))} in space, "
                                f"{format_number(m.get('order_time'))} in time), dt = {format_number(m.get('dt'))} "
                                f"({m.get('dt_rule') or '-'}), {format_number(m.get('steps'))} steps"))
    if r.grid is not None:
        g = r.grid
        items.append(("grid", f"{_vector_text(g.points)} points on {_vector_text(g.lower)} .. "
                              f"{_vector_text(g.upper)}, boundary {g.boundary or '-'}, "
                              f"centering {g.centering or '-'}"))
    if r.timings:
        t = r.timings
        items.append(("timings [s]", ", ".join(f"{k.removesuffix('_s')} {format_number(t.get(k))}"
                                               for k in ("compile_s", "run_s", "measure_s", "total_s") if k in t)))
    if r.mfg:
        items.append(("MFG outer solver", ", ".join(f"{k} {format_number(v)}" for k, v in r.mfg.items()
                                                    if not isinstance(v, (list, np.ndarray)))))
    wp = r.work_precision
    if wp is not None:
        items.append(("work-precision", f"{len(wp.methods)} methods, measures {', '.join(wp.measures) or '-'} "
                                        f"(primary {wp.primary_measure or '-'}), "
                                        f"run on {wp.workers_text or 'unknown workers'}"))
        if wp.note:
            items.append(("note", wp.note))
    items.append(("provenance", f"software version {a.get('software_version', '-')}, "
                                f"created {a.get('created', '-')}"))
    return items


def _metadata_lines(r: Result) -> list[str]:
    """Markdown bullet list of :func:`_metadata_items` (file name as code)."""
    return [f"- {key}: `{text}`" if key == "file" else f"- {key}: {text}" for key, text in _metadata_items(r)]


def _shows_comparisons(r: Result) -> bool:
    """A comparison table is shown for a run file, and for a study file that stores comparisons."""
    return bool(r.comparisons) or not (is_convergence(r) or is_work_precision(r))


def _result_section(r: Result, figures: _Figures, outdir: Path) -> list[str]:
    lines = [f"## {display_name(r)}", ""] + _metadata_lines(r) + [""]
    if _shows_comparisons(r):
        lines += ["### Comparisons", "", comparison_table_markdown(r), ""]
    if is_convergence(r):
        lines += ["### Convergence", "", eoc_table_markdown(r) or "_No convergence data stored._", ""]
    if is_work_precision(r):
        lines += ["### Work-precision", "",
                  work_precision_table_markdown(r) or "_No work-precision data stored._", ""]
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
                  outdir: Path, created: str | None = None) -> str:
    """The text of ``report.md``."""
    created = created or _now()
    lines = ["# gridshock report", "", f"Generated {created} from {len(results)} result file(s).", "",
             "## Summary", "", summary_table_markdown(results), ""]
    wp = _figure_lines(overall, outdir)
    if wp:
        lines += ["## Work-precision", ""] + [f"{line}\n" for line in wp]
    for r in results:
        lines += _result_section(r, per_result[r.label], outdir)
    lines += _conventions_lines(results)
    return "\n".join(lines).rstrip() + "\n"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# --------------------------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------------------------
_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 1.5em auto; max-width: 1280px;
       padding: 0 1em; color: #222; line-height: 1.4; }
h1 { border-bottom: 2px solid #444; padding-bottom: .2em; }
h2 { border-bottom: 1px solid #bbb; padding-bottom: .15em; margin-top: 2em; }
h3 { margin-bottom: .4em; }
table { border-collapse: collapse; margin: .5em 0 1em; font-size: 0.88em; }
th, td { border: 1px solid #ccc; padding: .2em .55em; vertical-align: top; }
th { background: #f0f0f0; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.pass, .badge.pass { color: #1a7f37; font-weight: bold; }
td.fail, .badge.fail, p.fail { color: #c62828; font-weight: bold; }
caption { caption-side: top; text-align: left; font-weight: bold; padding-bottom: .2em; }
dl.meta { display: grid; grid-template-columns: max-content auto; gap: .15em 1em; font-size: 0.92em; }
dl.meta dt { font-weight: bold; }
dl.meta dd { margin: 0; }
.figures { display: flex; flex-wrap: wrap; gap: 1em; }
figure { margin: 0; border: 1px solid #ddd; padding: .4em; background: #fff; max-width: 100%;
         box-sizing: border-box; }
figure img { max-width: 100%; height: auto; display: block; }
figcaption { font-size: 0.8em; color: #555; text-align: center; }
pre { background: #f6f8fa; padding: .6em; overflow-x: auto; font-size: 0.85em; }
nav ul { columns: 2; font-size: 0.92em; }
.badge { font-size: 0.7em; vertical-align: middle; border: 1px solid currentColor; border-radius: 3px;
         padding: 0 .3em; margin-left: .4em; }
"""


def _esc(text: object) -> str:
    return html.escape(str(text))


def _anchor(r: Result) -> str:
    return "r-" + r.label


def _html_figures(figures: _Figures, outdir: Path) -> list[str]:
    """``<figure>`` per PNG written (relative ``src``), then the plot functions that failed."""
    out = []
    if figures.paths:
        out.append('<div class="figures">')
        for path in figures.paths:
            src = _esc(quote(Path(os.path.relpath(path, outdir)).as_posix()))
            out.append(f'<figure><a href="{src}"><img src="{src}" alt="{_esc(path.stem)}"></a>'
                       f"<figcaption>{_esc(path.name)}</figcaption></figure>")
        out.append("</div>")
    out += [f'<p class="fail">{_esc(name)} failed: {_esc(msg)}</p>' for name, msg in figures.failures]
    return out


def _html_table(headers: list[str], rows: list[list[str]], empty: str, caption: str = "") -> str:
    return render_html(headers, rows, caption) if headers and rows else f"<p><em>{_esc(empty)}</em></p>"


def _html_section(r: Result, figures: _Figures, outdir: Path) -> list[str]:
    status = r.status or ""
    badge = {"passed": "pass", "failed": "fail"}.get(status.lower(), "")
    out = [f'<section id="{_esc(_anchor(r))}">',
           f"<h2>{_esc(display_name(r))}"
           + (f' <span class="badge {badge}">{_esc(status)}</span>' if status else "") + "</h2>",
           '<dl class="meta">']
    out += [f"<dt>{_esc(key)}</dt><dd>{_esc(text)}</dd>" for key, text in _metadata_items(r)]
    out.append("</dl>")
    if _shows_comparisons(r):
        out += ["<h3>Comparisons</h3>", _html_table(*comparison_rows(r, with_method=True), "No comparisons stored.")]
    if is_convergence(r):
        out.append("<h3>Convergence</h3>")
        conv = r.convergence
        if conv is not None:
            out.append(f"<p>Refinement: <b>{_esc(conv.refine or '-')}</b>, expected order "
                       f"{_esc(format_number(conv.expected_order, 4))}.</p>")
        out.append(_html_table(*eoc_rows(r), "No convergence data stored."))
        lines = order_lines(r)
        if lines:
            out.append("<ul>" + "".join(f"<li>{_esc(line)}</li>" for line in lines) + "</ul>")
    if is_work_precision(r):
        out.append("<h3>Work-precision</h3>")
        wp = r.work_precision
        if wp is not None and wp.methods:
            out.append("<p>Run time excludes compilation (<code>compile_s</code>, listed separately). Methods of "
                       "kind <code>solve_ivp</code> are SciPy peers (dashed in the figure).</p>")
            out.append(_html_table(*work_precision_method_rows(r), "", caption="methods"))
            out.append(_html_table(*work_precision_rows(r), "", caption="levels"))
        else:
            out.append("<p><em>No work-precision data stored.</em></p>")
    if figures.paths or figures.failures:
        out += ["<h3>Figures</h3>"] + _html_figures(figures, outdir)
    toml = r.attrs.get("case_toml")
    if toml:
        out.append(f"<details><summary>case file</summary><pre>{_esc(str(toml).rstrip())}</pre></details>")
    out.append("</section>")
    return out


def render_html_page(results: Sequence[Result], per_result: dict[str, _Figures], overall: _Figures,
                     outdir: Path, created: str | None = None) -> str:
    """The text of ``report.html``: one self-contained page (inline CSS, no scripts, images by relative path)."""
    created = created or _now()
    body = ["<h1>gridshock report</h1>",
            f"<p>Generated {_esc(created)} from {len(results)} result file(s).</p>",
            "<nav><ul>" + "".join(f'<li><a href="#{_esc(_anchor(r))}">{_esc(display_name(r))}</a></li>'
                                  for r in results) + "</ul></nav>",
            '<h2 id="summary">Summary</h2>', render_html(*summary_rows(results))]
    if overall.paths or overall.failures:
        body += ['<h2 id="work-precision">Work-precision (convergence files)</h2>',
                 "<p>Error against wall time per refinement level of each convergence file.</p>"]
        body += _html_figures(overall, outdir)
    for r in results:
        body += _html_section(r, per_result[r.label], outdir)
    texts = list(dict.fromkeys(str(r.attrs["conventions"]) for r in results if r.attrs.get("conventions")))
    if texts:
        body.append('<h2 id="conventions">Conventions</h2>')
        body += [f"<pre>{_esc(text.rstrip())}</pre>" for text in texts]
    head = ['<!DOCTYPE html>', '<html lang="en">', "<head>", '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            "<title>gridshock report</title>", f"<style>{_CSS}</style>", "</head>", "<body>"]
    return "\n".join(head + body + ["</body>", "</html>"]) + "\n"


# --------------------------------------------------------------------------------------------------------------
# entry points
# --------------------------------------------------------------------------------------------------------------
def make_report(paths: Iterable[str | Path], outdir: str | Path) -> Path:
    """Load the result files, write every figure into ``outdir``, then ``outdir/report.html`` (one
    self-contained page) and ``outdir/report.md``; return the path of ``report.html``.

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
    created = _now()
    (outdir / REPORT_NAME).write_text(render_report(results, per_result, overall, outdir, created),
                                      encoding="utf-8")
    page = outdir / HTML_NAME
    page.write_text(render_html_page(results, per_result, overall, outdir, created), encoding="utf-8")
    return page


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m postprocess.report",
                                     description="Plots and a summary page (report.html, report.md) from result files.")
    parser.add_argument("paths", nargs="+", metavar="RESULT.h5",
                        help="result files (a directory stands for the *.h5 files in it)")
    parser.add_argument("--out", default=str(DEFAULT_OUT), metavar="DIR",
                        help=f"output directory (default: {DEFAULT_OUT})")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write the report, print the path of ``report.html``; exit 0, or 2 (message, no
    traceback) on bad input (missing or unreadable file, unsupported ``schema_version``)."""
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
