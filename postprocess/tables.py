"""Text and markdown tables of result files: comparisons, a run summary and EOC (convergence) tables.

Every table is built once as a header plus rows of strings and then rendered either as fixed-width text
(:func:`comparison_table`, :func:`summary_table`, :func:`eoc_table`) or as a GitHub-flavoured markdown table
(the ``..._markdown`` variants, used by the report page). Numbers are shown with 6 significant digits; a
missing or NaN value is shown as ``-``.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from postprocess.io import Result, checks, is_convergence

__all__ = [
    "comparison_table",
    "comparison_table_markdown",
    "eoc_table",
    "eoc_table_markdown",
    "format_number",
    "summary_table",
    "summary_table_markdown",
    "verdict",
]

MISSING = "-"
_COMPARISON_HEADERS = ["quantity", "at", "measured", "reference", "abs err", "rel err", "tolerance", "result"]
_SUMMARY_HEADERS = ["case", "equation", "dim", "space/time", "comparisons", "failed", "wall time [s]", "status"]


# --------------------------------------------------------------------------------------------------------------
# cell formatting
# --------------------------------------------------------------------------------------------------------------
def format_number(value: Any, digits: int = 6) -> str:
    """``value`` with ``digits`` significant digits; integers as they are; ``-`` for None/NaN."""
    if value is None:
        return MISSING
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, str):
        return value or MISSING
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(x):
        return MISSING
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.{digits}g}"


def verdict(passed: bool | None) -> str:
    """``PASS`` / ``FAIL``, or ``-`` when the file states no verdict."""
    if passed is None:
        return MISSING
    return "PASS" if passed else "FAIL"


# --------------------------------------------------------------------------------------------------------------
# rendering
# --------------------------------------------------------------------------------------------------------------
def _is_numeric_cell(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return cell in (MISSING, "inf", "-inf")
    return True


def render_text(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A fixed-width table: text columns left-aligned, numeric columns right-aligned, dashed rule below."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row)]
    numeric = [bool(rows) and all(_is_numeric_cell(r[j]) for r in rows) for j in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        out = [c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, numeric)]
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule] + [line(r) for r in rows])


def _md_cell(cell: str) -> str:
    return cell.replace("|", "\\|").replace("\n", " ")


def render_markdown(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured markdown table (numeric columns right-aligned)."""
    numeric = [bool(rows) and all(_is_numeric_cell(r[j]) for r in rows) for j in range(len(headers))]
    out = ["| " + " | ".join(_md_cell(h) for h in headers) + " |",
           "|" + "|".join("---:" if num else "---" for num in numeric) + "|"]
    out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


# --------------------------------------------------------------------------------------------------------------
# comparison table
# --------------------------------------------------------------------------------------------------------------
def comparison_rows(result: Result, with_method: bool = False) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the comparison table; a multi-time comparison gives one row per time.

    A ``note`` column is added when any comparison carries a note, a ``method`` column when ``with_method``.
    """
    has_note = any(c.note for c in result.comparisons)
    headers = list(_COMPARISON_HEADERS) + (["method"] if with_method else []) + (["note"] if has_note else [])
    rows = []
    for comp in result.comparisons:
        tol = comp.tolerance_text or MISSING
        for row in comp.rows():
            cells = [comp.name, format_number(row["at"]), format_number(row["measured"]),
                     format_number(row["reference"]), format_number(row["abs_error"]),
                     format_number(row["rel_error"]), tol, verdict(row["passed"])]
            if with_method:
                cells.append(comp.method or MISSING)
            if has_note:
                cells.append(comp.note)
            rows.append(cells)
    return headers, rows


def comparison_table(result: Result) -> str:
    """Fixed-width text table of every comparison of ``result`` (measured vs reference, PASS/FAIL)."""
    if not result.comparisons:
        return f"{result.case_name}: no comparisons stored"
    return render_text(*comparison_rows(result))


def comparison_table_markdown(result: Result) -> str:
    """Markdown variant of :func:`comparison_table`, with the measurement method as an extra column."""
    if not result.comparisons:
        return "_No comparisons stored._"
    return render_markdown(*comparison_rows(result, with_method=True))


# --------------------------------------------------------------------------------------------------------------
# summary table
# --------------------------------------------------------------------------------------------------------------
def display_name(result: Result) -> str:
    """The case name, marked ``(convergence)`` for a convergence file."""
    name = result.case_name
    if is_convergence(result) and not name.endswith("convergence"):
        name += " (convergence)"
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
        rows.append([display_name(r), r.equation or MISSING, format_number(r.dimension), method_text(r),
                     str(len(verdicts)), str(sum(1 for _, ok in verdicts if ok is False)),
                     format_number(r.wall_time_s), r.status or MISSING])
    return list(_SUMMARY_HEADERS), rows


def summary_table(results: Iterable[Result]) -> str:
    """Fixed-width text table, one row per case: equation, dimension, methods, counts, wall time, status."""
    return render_text(*summary_rows(results))


def summary_table_markdown(results: Iterable[Result]) -> str:
    """Markdown variant of :func:`summary_table`."""
    return render_markdown(*summary_rows(results))


# --------------------------------------------------------------------------------------------------------------
# EOC table
# --------------------------------------------------------------------------------------------------------------
def _at(values: np.ndarray | None, i: int) -> Any:
    if values is None or i >= len(values):
        return None
    return values[i]


def eoc_rows(result: Result) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the EOC table: level, h, dt, then error and EOC per measure."""
    conv = result.convergence
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
            cells += [format_number(_at(m.error, i)), format_number(_at(m.eoc, i), digits=4)]
        rows.append(cells)
    return headers, rows


def order_lines(result: Result) -> list[str]:
    """One line per measure: observed vs expected order and the verdict."""
    conv = result.convergence
    if conv is None:
        return []
    lines = []
    for m in conv.measures.values():
        lines.append(f"{m.name}: observed order {format_number(m.observed_order, 4)}, "
                     f"expected {format_number(m.expected_order, 4)} -> {verdict(m.passed)}")
    return lines


def eoc_table(result: Result) -> str:
    """Fixed-width EOC table followed by the observed/expected order per measure; ``""`` without convergence."""
    headers, rows = eoc_rows(result)
    if not headers:
        return ""
    conv = result.convergence
    head = f"refine: {conv.refine or MISSING}, expected order {format_number(conv.expected_order, 4)}"
    return "\n".join([head, render_text(headers, rows)] + order_lines(result))


def eoc_table_markdown(result: Result) -> str:
    """Markdown variant of :func:`eoc_table` (orders as a bullet list); ``""`` without convergence data."""
    headers, rows = eoc_rows(result)
    if not headers:
        return ""
    conv = result.convergence
    head = f"Refinement: **{conv.refine or MISSING}**, expected order {format_number(conv.expected_order, 4)}."
    bullets = [f"- {line}" for line in order_lines(result)]
    return "\n".join([head, "", render_markdown(headers, rows), ""] + bullets)
