"""Tables of result files: comparisons, a run summary, EOC (convergence) and work-precision tables.

Every table is built once as a header plus rows of strings (the ``..._rows`` functions) and then rendered by
one function per table kind (:func:`comparison_table`, :func:`summary_table`, :func:`eoc_table`,
:func:`work_precision_table`) with a ``renderer`` (:data:`RENDERERS`): fixed-width ``"text"`` (the default, for
the terminal), GitHub-flavoured ``"markdown"`` (``report.md``) or ``"html"`` (``report.html``). The cell
formatting and the three renderers are in :mod:`postprocess.formatting` (re-exported here).
"""
from __future__ import annotations

import html
import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from postprocess.formatting import (MISSING, RENDERERS, check_renderer, empty_note, format_number, render_html,
                                    render_markdown, render_table, render_text, verdict)
from postprocess.model import Result, checks, is_convergence, is_work_precision
from postprocess.model_studies import with_floor_marks

__all__ = [
    "RENDERERS",
    "comparison_rows",
    "comparison_table",
    "display_name",
    "empty_note",
    "eoc_rows",
    "eoc_table",
    "flagged",
    "format_number",
    "method_text",
    "order_lines",
    "render_html",
    "render_markdown",
    "render_table",
    "render_text",
    "summary_rows",
    "summary_table",
    "verdict",
    "work_precision_method_rows",
    "work_precision_rows",
    "work_precision_table",
]

_COMPARISON_HEADERS = ["quantity", "at", "measured", "reference", "abs err", "rel err", "tolerance", "result"]
_SUMMARY_HEADERS = ["case", "equation", "dim", "space/time", "comparisons", "failed", "wall time [s]", "status"]


# --------------------------------------------------------------------------------------------------------------
# comparison table
# --------------------------------------------------------------------------------------------------------------
def comparison_rows(result: Result, with_method: bool = False) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the comparison table; a multi-time comparison gives one row per time.

    A ``note`` column is added when any comparison carries a note, a ``method`` column when ``with_method``.
    A flagged comparison shows its flags beside its verdict, e.g. ``PASS [under_resolved]``.
    """
    has_note = any(c.note for c in result.comparisons)
    headers = list(_COMPARISON_HEADERS) + (["method"] if with_method else []) + (["note"] if has_note else [])
    rows = []
    for comp in result.comparisons:
        tol = comp.tolerance_text or MISSING
        for row in comp.rows():
            cells = [comp.name, format_number(row["at"]), format_number(row["measured"]),
                     format_number(row["reference"]), format_number(row["abs_error"]),
                     format_number(row["rel_error"]), tol, flagged(verdict(row["passed"]), comp.flags)]
            if with_method:
                cells.append(comp.method or MISSING)
            if has_note:
                cells.append(comp.note)
            rows.append(cells)
    return headers, rows


def comparison_table(result: Result, renderer: str = "text") -> str:
    """Every comparison of ``result`` (measured vs reference, PASS/FAIL); the markdown and HTML tables have
    the measurement method as an extra column."""
    check_renderer(renderer)
    if not result.comparisons and renderer == "text":
        return f"{result.case_name}: no comparisons stored"
    if not result.comparisons:
        return empty_note("No comparisons stored.", renderer)
    return render_table(*comparison_rows(result, with_method=renderer != "text"), renderer,
                        empty="No comparisons stored.")


def flagged(text: str, flags) -> str:
    """``text`` followed by the flags in brackets (``"PASS [under_resolved, gaps]"``); unchanged without flags."""
    return f"{text} [{', '.join(flags)}]" if flags else text


# --------------------------------------------------------------------------------------------------------------
# summary table
# --------------------------------------------------------------------------------------------------------------
def display_name(result: Result) -> str:
    """The case name, marked ``(convergence)`` / ``(work-precision)`` for a study file."""
    name = result.case_name
    if is_convergence(result) and not name.endswith("convergence"):
        name += " (convergence)"
    elif is_work_precision(result) and not name.replace("-", "_").endswith("work_precision"):
        name += " (work-precision)"
    return name


def method_text(result: Result) -> str:
    """``space/time`` scheme names from ``/method`` (``-`` for a missing one)."""
    space = result.method.get("space") or MISSING
    time = result.method.get("time") or MISSING
    if space == MISSING and time == MISSING:
        return MISSING
    return f"{space}/{time}"


def summary_rows(results: Iterable[Result]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the summary table, one row per result.

    ``comparisons`` counts the comparison groups plus, for a convergence file, its error measures;
    ``failed`` counts those whose verdict is False.
    """
    rows = []
    for r in results:
        verdicts = checks(r)
        methods = method_text(r)
        if methods == MISSING and r.work_precision is not None and r.work_precision.methods:
            methods = ", ".join(r.work_precision.methods)
        rows.append([display_name(r), r.equation or MISSING, format_number(r.dimension), methods,
                     str(len(verdicts)), str(sum(1 for _, ok in verdicts if ok is False)),
                     format_number(r.wall_time_s), r.status or MISSING])
    return list(_SUMMARY_HEADERS), rows


def summary_table(results: Iterable[Result], renderer: str = "text") -> str:
    """One row per case: equation, dimension, methods, counts, wall time, status."""
    return render_table(*summary_rows(results), renderer)


# --------------------------------------------------------------------------------------------------------------
# EOC table
# --------------------------------------------------------------------------------------------------------------
def _at(values: np.ndarray | None, i: int) -> Any:
    if values is None or i >= len(values):
        return None
    return values[i]


def _floor_marks(result: Result):
    """The convergence data with the error-floor marks (read from the file when the reader left them out)."""
    return with_floor_marks(result.convergence, result.path)


def _marked(m, i: int) -> bool:
    return m.at_floor is not None and i < len(m.at_floor) and bool(m.at_floor[i])


def _eoc_cell(m, i: int) -> str:
    """The EOC into level ``i``, in parentheses when either of its two levels is at the floor (not used)."""
    text = format_number(_at(m.eoc, i), digits=4)
    if m.at_floor is None or text == MISSING:
        return text
    finite = [k for k in range(i) if k < len(m.error) and np.isfinite(m.error[k])]
    prev = finite[-1] if finite else None
    return f"({text})" if _marked(m, i) or (prev is not None and _marked(m, prev)) else text


def eoc_rows(result: Result) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the EOC table: level, h, dt, then error and EOC per measure. An error at the floor is
    marked ``(floor)``; an EOC involving such a level is shown in parentheses (it is not used)."""
    conv = _floor_marks(result)
    if conv is None:
        return [], []
    measures = list(conv.measures.values())
    headers = ["level", "h", "dt"]
    for m in measures:
        headers += [f"{m.name} error", f"{m.name} EOC"]
    n = conv.n_levels
    levels = conv.levels if conv.levels is not None else np.arange(n)
    rows = []
    for i in range(n):
        cells = [format_number(_at(levels, i)), format_number(_at(conv.h, i)), format_number(_at(conv.dt, i))]
        for m in measures:
            error = format_number(_at(m.error, i))
            cells += [f"{error} (floor)" if _marked(m, i) else error, _eoc_cell(m, i)]
        rows.append(cells)
    return headers, rows


def _order_line(m) -> str:
    expected = format_number(m.expected_order, 4)
    if m.assessment.startswith("not assessable"):
        n = len(m.error)
        at = int(np.sum(m.at_floor)) if m.at_floor is not None else 0
        return (f"{m.name}: {m.assessment} ({at} of {n} levels at the error floor, fewer than 2 above it), "
                f"expected {expected} -> no verdict")
    fit = ""
    if m.fit_levels is not None and len(m.fit_levels) >= 2:
        fit = f" (levels {', '.join(str(int(k)) for k in m.fit_levels)}, above the floor)"
    observed = format_number(m.observed_order, 4)
    return f"{m.name}: observed order {observed}{fit}, expected {expected} -> {verdict(m.passed)}"


def order_lines(result: Result) -> list[str]:
    """One line per measure: observed vs expected order and the verdict, or why there is none."""
    conv = _floor_marks(result)
    if conv is None:
        return []
    return [_order_line(m) for m in conv.measures.values()]


def _floor_note(result: Result) -> str:
    """What ``(floor)`` means, when the file has floor marks."""
    conv = result.convergence
    if conv is None or not any(m.at_floor is not None and np.any(m.at_floor) for m in conv.measures.values()):
        return ""
    factor = format_number(conv.floor_factor if np.isfinite(conv.floor_factor) else 10.0)
    return (f"(floor): error within {factor}x of the error floor (round-off + reference precision), left out of "
            "the order; (EOC) in parentheses: involves such a level")


def eoc_table(result: Result, renderer: str = "text") -> str:
    """The refinement and expected order, the EOC table, then the observed/expected order per measure (a
    bullet list in markdown and HTML); ``""`` without convergence data."""
    check_renderer(renderer)
    headers, rows = eoc_rows(result)
    if not headers:
        return ""
    conv = result.convergence
    refine, order = conv.refine or MISSING, format_number(conv.expected_order, 4)
    if conv.direction == "coarsen":
        refine += ", coarsening from the case's grid"
    table = render_table(headers, rows, renderer, empty="No convergence data stored.")
    note = _floor_note(result)
    lines = order_lines(result) + ([note] if note else [])
    if renderer == "text":
        return "\n".join([f"refine: {refine}, expected order {order}", table] + lines)
    if renderer == "markdown":
        bullets = [f"- {line}" for line in lines]
        return "\n".join([f"Refinement: **{refine}**, expected order {order}.", "", table, ""] + bullets)
    bullets = ["<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in lines) + "</ul>"] if lines else []
    head = f"<p>Refinement: <b>{html.escape(refine)}</b>, expected order {html.escape(order)}.</p>"
    return "\n".join([head, table] + bullets)


# --------------------------------------------------------------------------------------------------------------
# work-precision tables
# --------------------------------------------------------------------------------------------------------------
def _wp_measures(result: Result) -> list[str]:
    """The measures shown: the primary one first, then the others stored by at least one method."""
    wp = result.work_precision
    ordered = [wp.primary_measure] + list(wp.measures)
    stored = {m for meth in wp.methods.values() for m in meth.errors}
    return [m for m in dict.fromkeys(ordered) if m and m in stored]


def work_precision_rows(result: Result) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the work-precision table: one row per (method, level).

    Columns: method, kind, points, h, dt, steps, [rtol,] run_s, compile_s, then the error of each measure
    (primary first) [, exit code]. ``rtol`` is shown only when some method stores one (the ``solve_ivp``
    peers), the exit code only when some level stores a non-zero one.
    """
    wp = result.work_precision
    if wp is None or not wp.methods:
        return [], []
    measures = _wp_measures(result)
    with_rtol = any(np.isfinite(meth.rtol).any() for meth in wp.methods.values())
    headers = ["method", "kind", "points", "h", "dt", "steps"] + (["rtol"] if with_rtol else [])
    headers += ["run_s", "compile_s"] + measures
    with_exit = any(_nonzero(meth.extra.get("exit_code")) for meth in wp.methods.values())
    headers += ["exit code"] if with_exit else []
    rows = []
    for meth in wp.methods.values():
        for i in range(meth.n_levels):
            cells = [meth.label, meth.kind or MISSING, _count(meth.points[i]), format_number(meth.h[i]),
                     format_number(meth.dt[i]), _count(meth.steps[i])]
            if with_rtol:
                cells.append(format_number(meth.rtol[i], digits=3))
            cells += [format_number(meth.run_s[i], digits=4), format_number(meth.compile_s[i], digits=4)]
            cells += [format_number(meth.error(m)[i], digits=4) for m in measures]
            if with_exit:
                codes = meth.extra.get("exit_code")
                cells.append(_count(codes[i]) if codes is not None and i < len(codes) else MISSING)
            rows.append(cells)
    return headers, rows


def work_precision_method_rows(result: Result) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the per-method table: kind, schemes, orders, levels run, total run and compile time."""
    wp = result.work_precision
    if wp is None or not wp.methods:
        return [], []
    headers = ["method", "kind", "space", "time", "order space", "order time", "levels ok", "run_s total",
               "compile_s total"]
    rows = []
    primary = wp.primary_measure
    for meth in wp.methods.values():
        ok = np.isfinite(meth.run_s)
        if primary in meth.errors:
            ok &= np.isfinite(meth.errors[primary])
        rows.append([meth.label, meth.kind or MISSING, meth.space or MISSING, meth.time or MISSING,
                     format_number(meth.order_space, 3), format_number(meth.order_time, 3),
                     f"{int(ok.sum())}/{meth.n_levels}", format_number(_finite_sum(meth.run_s), 4),
                     format_number(_finite_sum(meth.compile_s), 4)])
    return headers, rows


def work_precision_table(result: Result, renderer: str = "text") -> str:
    """The per-method and the per-level work-precision tables (HTML captions ``methods`` and ``levels``);
    ``""`` for a file without a work-precision group."""
    check_renderer(renderer)
    headers, rows = work_precision_rows(result)
    if not headers:
        return ""
    tables = [render_table(*work_precision_method_rows(result), renderer, caption="methods", empty=""),
              render_table(headers, rows, renderer, caption="levels", empty="")]
    return ("\n" if renderer == "html" else "\n\n").join(tables)


def _count(value: Any) -> str:
    """An integer count stored as float (points, steps): shown without decimals; ``-`` for NaN."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return format_number(value)
    if math.isfinite(x) and x == round(x):
        return str(int(round(x)))
    return format_number(x)


def _nonzero(values: np.ndarray | None) -> bool:
    if values is None:
        return False
    v = np.asarray(values, dtype=float)
    return bool((v[np.isfinite(v)] != 0).any())


def _finite_sum(values: np.ndarray) -> float:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    return float(v.sum()) if v.size else math.nan
