"""postprocess.tables: the numbers and verdicts shown are the ones stored."""
import numpy as np
import pytest

from postprocess.io import load_result
from postprocess.tables import (RENDERERS, comparison_table, display_name, eoc_rows, eoc_table, format_number,
                                render_html, summary_table, work_precision_method_rows, work_precision_rows,
                                work_precision_table)

from .synthetic import (CONV_H, NOTE, WIDTH_AT, WIDTH_MEASURED, WP_METHODS, strict_floats,  # noqa: F401
                        write_convergence, write_minimal, write_result_1d, write_result_2d, write_work_precision)


@pytest.fixture
def r1(tmp_path):
    return load_result(write_result_1d(tmp_path / "binary_1d.h5"))


@pytest.fixture
def rc(tmp_path):
    return load_result(write_convergence(tmp_path / "binary_1d_convergence.h5"))


def _row(table: str, *needles: str) -> str:
    rows = [line for line in table.splitlines() if all(n in line for n in needles)]
    assert len(rows) == 1, (needles, table)
    return rows[0]


@pytest.mark.parametrize("value, text", [(0.123456789, "0.123457"), (1234567.0, "1.23457e+06"),
                                         (2.5e-4, "0.00025"), (np.nan, "-"), (None, "-"), (np.inf, "inf"),
                                         (7, "7"), (np.int64(3), "3"), (0.0, "0")])
def test_format_number(value, text):
    assert format_number(value) == text


def test_comparison_table_scalar_row(r1):
    table = comparison_table(r1)
    header = table.splitlines()[0].split()
    assert header[:3] == ["quantity", "at", "measured"] and "note" in header
    row = _row(table, "speciation_time")
    cells = row.split()
    assert cells[1:] == ["-", "0.937512", "0.9375", "1.23457e-05", "1.31687e-05", "rtol=1e-3", "PASS"]


def test_comparison_table_multi_time_rows(r1):
    table = comparison_table(r1)
    rows = [line for line in table.splitlines() if line.startswith("interface_width")]
    assert len(rows) == len(WIDTH_AT)
    for row, at, measured, verdict in zip(rows, WIDTH_AT, WIDTH_MEASURED, ["PASS", "PASS", "FAIL"]):
        cells = row.split()
        assert cells[1] == format_number(at) and cells[2] == format_number(measured)
        assert cells[-1] == verdict
    assert table.count("FAIL") == 1


def test_comparison_table_note_and_nan(r1):
    row = _row(comparison_table(r1), "mode_merge_time")
    assert row.endswith(NOTE) and " - " in row and "PASS" in row
    row = _row(comparison_table(r1), "score_linf_error")
    assert "atol=1e-3" in row and "0.00025" in row


def test_comparison_table_without_comparisons(tmp_path):
    r = load_result(write_minimal(tmp_path / "bare.h5"))
    assert "no comparisons" in comparison_table(r)
    assert "No comparisons" in comparison_table(r, "markdown")


def test_comparison_table_markdown(r1):
    md = comparison_table(r1, "markdown")
    lines = md.splitlines()
    assert lines[0].startswith("| quantity |") and "method" in lines[0] and set(lines[1]) <= set("|-:")
    assert len(lines) == 2 + 1 + 3 + 1 + 1
    assert "tanh fit" in md and NOTE in md


def test_summary_table(tmp_path, r1, rc):
    r2 = load_result(write_result_2d(tmp_path / "binary_2d.h5"))
    bare = load_result(write_minimal(tmp_path / "bare.h5"))
    table = summary_table([r1, r2, rc, bare])
    lines = table.splitlines()
    assert len(lines) == 2 + 4
    assert _row(table, "binary_1d ", "fd2/rk3  ", " 4 ").split()[1:] == ["heat", "1", "fd2/rk3", "4", "1", "1.23457",
                                                            "failed"]
    assert _row(table, "binary_2d").split()[1:] == ["burgers", "2", "weno5/ssprk3", "2", "0", "1.23457",
                                                   "passed"]
    conv = _row(table, "(convergence)")
    assert conv.split()[-4:] == ["2", "1", "1.23457", "failed"]
    assert _row(table, "bare").split()[1:4] == ["mfg", "1", "-"]
    md = summary_table([r1, r2], "markdown")
    assert md.count("\n") == 3 and "| binary_2d | burgers | 2 |" in md


def test_eoc_table(rc):
    table = eoc_table(rc)
    assert "refine: both" in table and "expected order 2" in table
    header = _row(table, "level")
    assert "score_linf_error error" in header and "density_l1_error EOC" in header
    first = table.splitlines()[3].split()
    assert first[:3] == ["0", "0.1", "0.0025"] and first[4] == "-"
    headers, rows = eoc_rows(rc)
    assert len(rows) == len(CONV_H) and rows[-1][1] == format_number(CONV_H[-1])
    assert rows[-1][headers.index("density_l1_error EOC")] == "1.5"
    assert "score_linf_error: observed order" in table and "-> PASS" in table
    assert _row(table, "density_l1_error: observed order").endswith("FAIL")


def test_eoc_table_markdown_and_absent(rc, r1):
    md = eoc_table(rc, "markdown")
    assert "| level | h | dt |" in md and "- density_l1_error: observed order 1.5" in md
    assert eoc_table(r1) == "" and eoc_table(r1, "markdown") == ""


def test_render_html_escapes_and_classes():
    text = render_html(["name", "value", "result"], [["a<b", "1.5", "PASS"], ["c&d", "-", "FAIL"]], caption="x<y")
    assert text.startswith("<table>") and text.endswith("</table>")
    assert "<caption>x&lt;y</caption>" in text
    assert "<td>a&lt;b</td>" in text and "<td>c&amp;d</td>" in text
    assert '<td class="num">1.5</td>' in text and '<th class="num">value</th>' in text
    assert '<td class="pass">PASS</td>' in text and '<td class="fail">FAIL</td>' in text


def test_work_precision_rows(tmp_path):
    r = load_result(write_work_precision(tmp_path / "binary_1d_work_precision.h5"))
    assert display_name(r) == "binary_1d (work-precision)"
    headers, rows = work_precision_rows(r)
    assert headers == ["method", "kind", "points", "h", "dt", "steps", "rtol", "run_s", "compile_s",
                       "score_l2_error", "score_linf_error", "exit code"]
    assert len(rows) == 3 * len(WP_METHODS)
    weno = [row for row in rows if row[0] == "weno5+ssprk3"]
    assert [row[2] for row in weno] == ["64", "128", "256"]
    assert weno[0][6] == "-" and weno[0][8] == "2.5" and weno[1][8] == "0"
    radau = [row for row in rows if row[0] == "scipy-Radau"]
    assert radau[0][1] == "solve_ivp" and radau[0][4] == "-" and radau[0][6] == "0.0001"
    assert radau[-1][7] == "-" and radau[-1][9] == "-" and radau[-1][-1] == "1"     # the failed level
    assert radau[0][-1] == "0"
    mheaders, mrows = work_precision_method_rows(r)
    assert mheaders[0] == "method" and "compile_s total" in mheaders
    row = _row(render_text_table(mheaders, mrows), "scipy-Radau")
    assert "2/3" in row and "inf" in row
    text = work_precision_table(r)
    assert "weno5+ssprk3" in text and "score_l2_error" in text
    md = work_precision_table(r, "markdown")
    assert "| method | kind | points | h | dt | steps | rtol | run_s | compile_s |" in md
    run = load_result(write_result_1d(tmp_path / "r.h5"))
    table = summary_table([run, r])
    assert "weno5+ssprk3" in _row(table, "work-precision") and "weno5" not in _row(table, "fd2/rk3")


def test_work_precision_rows_absent(r1, rc):
    for r in (r1, rc):
        assert work_precision_rows(r) == ([], []) and work_precision_table(r) == ""
        assert work_precision_table(r, "markdown") == ""


def render_text_table(headers, rows):
    from postprocess.tables import render_text
    return render_text(headers, rows)


# ---- one function per table kind, three renderers --------------------------------------------------------------
def test_html_tables(tmp_path, r1, rc):
    html = comparison_table(r1, "html")
    assert html.startswith("<table>") and "<th>method</th>" in html and "<td>tanh fit</td>" in html
    assert '<td class="num">0.937512</td>' in html and html.count('<td class="fail">FAIL</td>') == 1
    bare = load_result(write_minimal(tmp_path / "bare.h5"))
    assert comparison_table(bare, "html") == "<p><em>No comparisons stored.</em></p>"
    eoc = eoc_table(rc, "html")
    assert eoc.startswith("<p>Refinement: <b>both</b>, expected order 2.</p>\n<table>")
    assert "<li>density_l1_error: observed order 1.5, expected 2 -&gt; FAIL</li>" in eoc
    assert eoc_table(r1, "html") == "" and work_precision_table(r1, "html") == ""
    wp = work_precision_table(load_result(write_work_precision(tmp_path / "wp.h5")), "html")
    assert wp.count("<table>") == 2 and "<caption>methods</caption>" in wp and "<caption>levels</caption>" in wp
    summary = summary_table([r1, rc], "html")
    assert summary.startswith("<table>") and "<td>binary_1d</td>" in summary


def test_text_is_the_default_renderer(r1, rc):
    assert RENDERERS == ("text", "markdown", "html")
    assert comparison_table(r1) == comparison_table(r1, "text") and eoc_table(rc) == eoc_table(rc, "text")
    assert summary_table([r1, rc]) == summary_table([r1, rc], "text")
    for table in (comparison_table, eoc_table, work_precision_table):
        with pytest.raises(ValueError, match="renderer must be one of text, markdown, html"):
            table(rc, "latex")
