"""Cell formatting and the rendering of a header-plus-rows table as fixed-width text, GitHub-flavoured
markdown or HTML (:data:`RENDERERS`); :mod:`postprocess.tables` decides the rows of each table kind.

Numbers are shown with 6 significant digits; a missing or NaN value is shown as ``-`` (:data:`MISSING`).
Numeric columns are right-aligned (text, markdown) or get ``class="num"`` (HTML).
"""
from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["MISSING", "RENDERERS", "check_renderer", "empty_note", "format_number", "render_html",
           "render_markdown", "render_table", "render_text", "verdict"]

MISSING = "-"
#: What the ``..._table`` functions render to: fixed-width text, GitHub-flavoured markdown, HTML.
RENDERERS = ("text", "markdown", "html")


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


def _numeric_columns(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[bool]:
    """Per column: whether every cell is a number (or ``-``/``inf``); False for a table without rows."""
    return [bool(rows) and all(_is_numeric_cell(r[j]) for r in rows) for j in range(len(headers))]


def render_text(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A fixed-width table: text columns left-aligned, numeric columns right-aligned, dashed rule below."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row)]
    numeric = _numeric_columns(headers, rows)

    def line(cells: Sequence[str]) -> str:
        out = [c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, numeric)]
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule] + [line(r) for r in rows])


def _md_cell(cell: str) -> str:
    return cell.replace("|", "\\|").replace("\n", " ")


def render_markdown(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured markdown table (numeric columns right-aligned)."""
    numeric = _numeric_columns(headers, rows)
    out = ["| " + " | ".join(_md_cell(h) for h in headers) + " |",
           "|" + "|".join("---:" if num else "---" for num in numeric) + "|"]
    out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def render_html(headers: Sequence[str], rows: Sequence[Sequence[str]], caption: str = "") -> str:
    """An HTML ``<table>`` (every cell escaped); numeric columns get ``class="num"``, verdict cells
    (``PASS``/``passed``, ``FAIL``/``failed``, also followed by ``[flags]``) ``class="pass"`` / ``class="fail"``."""
    numeric = _numeric_columns(headers, rows)

    def cell(tag: str, text: str, num: bool) -> str:
        verdict_class = {"PASS": "pass", "passed": "pass", "FAIL": "fail", "failed": "fail"}.get(
            text.split(" [", 1)[0])                        # "PASS [under_resolved]": a flagged verdict
        classes = (["num"] if num else []) + ([verdict_class] if verdict_class else [])
        attr = f' class="{" ".join(classes)}"' if classes else ""
        return f"<{tag}{attr}>{html.escape(text)}</{tag}>"

    out = ["<table>"]
    if caption:
        out.append(f"<caption>{html.escape(caption)}</caption>")
    out.append("<thead><tr>" + "".join(cell("th", h, num) for h, num in zip(headers, numeric)) + "</tr></thead>")
    out.append("<tbody>")
    out += ["<tr>" + "".join(cell("td", c, num) for c, num in zip(row, numeric)) + "</tr>" for row in rows]
    out.append("</tbody></table>")
    return "\n".join(out)


def check_renderer(renderer: str) -> None:
    """Raise ``ValueError`` unless ``renderer`` is one of :data:`RENDERERS`."""
    if renderer not in RENDERERS:
        raise ValueError(f"renderer must be one of {', '.join(RENDERERS)}, not {renderer!r}")


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]], renderer: str = "text",
                 caption: str = "", empty: str | None = None) -> str:
    """``headers`` and ``rows`` rendered by ``renderer`` (one of :data:`RENDERERS`).

    HTML only: ``caption`` is the table's caption, and a table without rows is shown as the note ``empty``
    (:func:`empty_note`) unless ``empty`` is ``None``.
    """
    check_renderer(renderer)
    if renderer == "text":
        return render_text(headers, rows)
    if renderer == "markdown":
        return render_markdown(headers, rows)
    if not rows and empty is not None:
        return empty_note(empty, renderer)
    return render_html(headers, rows, caption)


def empty_note(text: str, renderer: str) -> str:
    """An italic note standing for an absent table (``text`` as it is for the text renderer)."""
    check_renderer(renderer)
    if renderer == "markdown":
        return f"_{text}_"
    return f"<p><em>{html.escape(text)}</em></p>" if renderer == "html" else text
