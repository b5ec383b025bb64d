"""The markdown report page, ``report.md``: summary table, then per result file its metadata, comparison /
EOC / work-precision tables, image links to its figures (relative to the page) and the case file."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from postprocess._sections import Figures, conventions, metadata_items, now, relative_path, shows_comparisons
from postprocess.formatting import empty_note
from postprocess.model import Result, is_convergence, is_work_precision
from postprocess.tables import comparison_table, display_name, eoc_table, summary_table, work_precision_table

__all__ = ["render_report"]


def _figure_lines(figures: Figures, outdir: Path) -> list[str]:
    """An image link per figure (alt text from the file name), then the plot functions that failed."""
    lines = [f"![{p.stem}]({relative_path(p, outdir)})" for p in figures.paths]
    lines += [f"_{name} failed: {msg}_" for name, msg in figures.failures]
    return lines


def _metadata_lines(r: Result) -> list[str]:
    """Markdown bullet list of the metadata items (file name as code)."""
    return [f"- {key}: `{text}`" if key == "file" else f"- {key}: {text}" for key, text in metadata_items(r)]


def _result_section(r: Result, figures: Figures, outdir: Path) -> list[str]:
    lines = [f"## {display_name(r)}", ""] + _metadata_lines(r) + [""]
    if shows_comparisons(r):
        lines += ["### Comparisons", "", comparison_table(r, "markdown"), ""]
    if is_convergence(r):
        lines += ["### Convergence", "",
                  eoc_table(r, "markdown") or empty_note("No convergence data stored.", "markdown"), ""]
    if is_work_precision(r):
        lines += ["### Work-precision", "",
                  work_precision_table(r, "markdown") or empty_note("No work-precision data stored.", "markdown"), ""]
    fig_lines = _figure_lines(figures, outdir)
    if fig_lines:
        lines += ["### Figures", ""] + [f"{line}\n" for line in fig_lines]
    toml = r.attrs.get("case_toml")
    if toml:
        lines += ["<details><summary>case file</summary>", "", "```toml", str(toml).rstrip(), "```", "",
                  "</details>", ""]
    return lines


def _conventions_lines(results: Sequence[Result]) -> list[str]:
    texts = conventions(results)
    if not texts:
        return []
    lines = ["## Conventions", ""]
    for text in texts:
        lines += ["```", text.rstrip(), "```", ""]
    return lines


def render_report(results: Sequence[Result], per_result: dict[str, Figures], overall: Figures,
                  outdir: Path, created: str | None = None) -> str:
    """The text of ``report.md``."""
    created = created or now()
    lines = ["# gridshock report", "", f"Generated {created} from {len(results)} result file(s).", "",
             "## Summary", "", summary_table(results, "markdown"), ""]
    wp = _figure_lines(overall, outdir)
    if wp:
        lines += ["## Work-precision", ""] + [f"{line}\n" for line in wp]
    for r in results:
        lines += _result_section(r, per_result[r.label], outdir)
    lines += _conventions_lines(results)
    return "\n".join(lines).rstrip() + "\n"
