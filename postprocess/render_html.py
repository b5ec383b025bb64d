"""The HTML report page, ``report.html``: one self-contained page (inline CSS, no scripts, images by path
relative to the page) with a summary table, then per result file its metadata, comparison / EOC /
work-precision tables, every figure written for it and the case file."""
from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from postprocess._sections import Figures, conventions, metadata_items, now, relative_path, shows_comparisons
from postprocess.formatting import empty_note
from postprocess.model import Result, is_convergence, is_work_precision
from postprocess.tables import comparison_table, display_name, eoc_table, summary_table, work_precision_table

__all__ = ["render_html_page"]

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
_WP_INTRO = ("<p>Run time excludes compilation (<code>compile_s</code>, listed separately). Methods of "
             "kind <code>solve_ivp</code> are SciPy peers (dashed in the figure).</p>")


def _esc(text: object) -> str:
    return html.escape(str(text))


def _anchor(r: Result) -> str:
    return "r-" + r.label


def _html_figures(figures: Figures, outdir: Path) -> list[str]:
    """``<figure>`` per PNG written (relative ``src``), then the plot functions that failed."""
    out = []
    if figures.paths:
        out.append('<div class="figures">')
        for path in figures.paths:
            src = _esc(quote(relative_path(path, outdir)))
            out.append(f'<figure><a href="{src}"><img src="{src}" alt="{_esc(path.stem)}"></a>'
                       f"<figcaption>{_esc(path.name)}</figcaption></figure>")
        out.append("</div>")
    out += [f'<p class="fail">{_esc(name)} failed: {_esc(msg)}</p>' for name, msg in figures.failures]
    return out


def _html_section(r: Result, figures: Figures, outdir: Path) -> list[str]:
    status = r.status or ""
    badge = {"passed": "pass", "failed": "fail"}.get(status.lower(), "")
    out = [f'<section id="{_esc(_anchor(r))}">',
           f"<h2>{_esc(display_name(r))}"
           + (f' <span class="badge {badge}">{_esc(status)}</span>' if status else "") + "</h2>",
           '<dl class="meta">']
    out += [f"<dt>{_esc(key)}</dt><dd>{_esc(text)}</dd>" for key, text in metadata_items(r)]
    out.append("</dl>")
    if shows_comparisons(r):
        out += ["<h3>Comparisons</h3>", comparison_table(r, "html")]
    if is_convergence(r):
        out += ["<h3>Convergence</h3>", eoc_table(r, "html") or empty_note("No convergence data stored.", "html")]
    if is_work_precision(r):
        out.append("<h3>Work-precision</h3>")
        table = work_precision_table(r, "html")
        out += [_WP_INTRO, table] if table else [empty_note("No work-precision data stored.", "html")]
    if figures.paths or figures.failures:
        out += ["<h3>Figures</h3>"] + _html_figures(figures, outdir)
    toml = r.attrs.get("case_toml")
    if toml:
        out.append(f"<details><summary>case file</summary><pre>{_esc(str(toml).rstrip())}</pre></details>")
    out.append("</section>")
    return out


def render_html_page(results: Sequence[Result], per_result: dict[str, Figures], overall: Figures,
                     outdir: Path, created: str | None = None) -> str:
    """The text of ``report.html``: one self-contained page (inline CSS, no scripts, images by relative path)."""
    created = created or now()
    body = ["<h1>gridshock report</h1>",
            f"<p>Generated {_esc(created)} from {len(results)} result file(s).</p>",
            "<nav><ul>" + "".join(f'<li><a href="#{_esc(_anchor(r))}">{_esc(display_name(r))}</a></li>'
                                  for r in results) + "</ul></nav>",
            '<h2 id="summary">Summary</h2>', summary_table(results, "html")]
    if overall.paths or overall.failures:
        body += ['<h2 id="work-precision">Work-precision (convergence files)</h2>',
                 "<p>Error against wall time per refinement level of each convergence file.</p>"]
        body += _html_figures(overall, outdir)
    for r in results:
        body += _html_section(r, per_result[r.label], outdir)
    texts = conventions(results)
    if texts:
        body.append('<h2 id="conventions">Conventions</h2>')
        body += [f"<pre>{_esc(text.rstrip())}</pre>" for text in texts]
    head = ['<!DOCTYPE html>', '<html lang="en">', "<head>", '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            "<title>gridshock report</title>", f"<style>{_CSS}</style>", "</head>", "<body>"]
    return "\n".join(head + body + ["</body>", "</html>"]) + "\n"
