"""postprocess.report: report.html (and report.md) hold the tables and show every figure written."""
import re
from html.parser import HTMLParser
from pathlib import Path

import h5py
import pytest

import postprocess.report
from postprocess.io import ResultFileError
from postprocess.report import make_report

from .synthetic import (NOTE, WP_METHODS, WP_NOTE, strict_floats, write_convergence,  # noqa: F401
                        write_minimal, write_result_1d, write_result_2d, write_work_precision)

LINK = re.compile(r"!\[[^\]]*\]\(([^)]+)\)")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class _Page(HTMLParser):
    """Collects the ``<img src>``, ``<script>``/``<link>`` tags, external references and the text."""

    def __init__(self):
        super().__init__()
        self.images, self.scripts, self.external, self.text = [], [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs["src"])
        if tag in ("script", "link", "iframe"):
            self.scripts.append(tag)
        for key in ("src", "href"):
            if re.match(r"^[a-z]+://|^//", attrs.get(key) or ""):
                self.external.append(attrs[key])

    def handle_data(self, data):
        self.text.append(data)


def parse(page: Path) -> _Page:
    parser = _Page()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    src = tmp_path_factory.mktemp("results")
    paths = [write_result_1d(src / "binary_1d.h5"), write_result_2d(src / "binary_2d.h5", curl_series=True),
             write_convergence(src / "binary_1d_convergence.h5"),
             write_work_precision(src / "binary_1d_work_precision.h5"), write_minimal(src / "bare.h5")]
    out = tmp_path_factory.mktemp("report")
    return make_report(paths, out)


def test_html_page_written(report):
    assert report.name == "report.html" and report.is_file()
    text = report.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<style>" in text and text.rstrip().endswith("</html>")
    page = parse(report)
    assert page.scripts == [] and page.external == []          # self-contained: inline CSS, no JS, no CDN
    body = "".join(page.text)
    for name in ("binary_1d", "binary_2d", "binary_1d (convergence)", "binary_1d (work-precision)", "bare"):
        assert f"<h2>{name}" in text, name
    assert "Summary" in body and NOTE in body and WP_NOTE in body and "FAIL" in body
    assert '<td class="num">0.937512</td>' in text                 # speciation time, measured
    assert "<details><summary>case file</summary><pre>name = &quot;binary_1d&quot;" in text
    assert re.search(r"<th( class=\"num\")?>level</th>", text) and "score_linf_error EOC" in body   # EOC table
    for label in WP_METHODS:                                        # work-precision tables
        assert f"<td>{label}</td>" in text
    for header in ("method", "points", "h", "dt", "steps", "run_s", "compile_s", "score_l2_error"):
        assert re.search(rf"<th( class=\"num\")?>{header}</th>", text), header


def test_html_references_every_png(report):
    out = report.parent
    srcs = parse(report).images
    assert srcs and len(srcs) == len(set(srcs))
    for src in srcs:
        assert not Path(src).is_absolute()
        target = out / src
        assert target.is_file() and target.stat().st_size > 0, src
        assert target.read_bytes()[:8] == PNG_MAGIC, src
    written = {p.name for p in out.glob("*.png")}
    assert written == set(srcs)
    assert {"binary_1d_snapshots.png", "binary_1d_interface.png", "binary_1d_errors.png", "binary_1d_modes.png",
            "binary_2d_snapshots.png", "binary_2d_errors.png", "binary_2d_curl.png", "binary_2d_curl_linf.png",
            "binary_1d_convergence_eoc.png", "binary_1d_work_precision_error_vs_runtime.png",
            "work_precision.png"} <= written
    assert not any(name.startswith("bare") for name in written)


def test_markdown_still_written(report):
    md = report.parent / "report.md"
    text = md.read_text()
    assert text.startswith("# gridshock report")
    assert "## Summary" in text and "| case | equation | dim |" in text
    for heading in ("## binary_1d", "## binary_2d", "## binary_1d (convergence)", "## binary_1d (work-precision)",
                    "## bare"):
        assert heading + "\n" in text
    assert "| speciation_time | - | 0.937512 | 0.9375 |" in text
    assert NOTE in text and "FAIL" in text and "```toml" in text
    assert "| level | h | dt |" in text and "## Work-precision" in text
    assert "| method | kind | points | h | dt | steps | rtol | run_s | compile_s |" in text
    links = LINK.findall(text)
    for link in links:
        target = md.parent / link
        assert target.is_file() and target.stat().st_size > 0, link
    assert {p.name for p in md.parent.glob("*.png")} == {Path(link).name for link in links}


def test_html_escapes_text(tmp_path):
    path = write_result_1d(tmp_path / "odd.h5", name="a<b>&c")
    with h5py.File(path, "a") as f:
        f.attrs["case_toml"] = 'name = "<script>alert(1)</script>"\n'
        f["comparison/mode_merge_time"].attrs["note"] = "x < y & z"
    page = make_report([path], tmp_path / "out")
    text = page.read_text()
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "a&lt;b&gt;&amp;c" in text and "x &lt; y &amp; z" in text
    assert parse(page).scripts == []


# ---- make_report's inputs (the one command line is `gridshock report`, which calls make_report) ----------------
def test_directory_input(tmp_path):
    src = tmp_path / "results"
    src.mkdir()
    write_result_1d(src / "binary_1d.h5")
    write_minimal(src / "bare.h5")
    write_work_precision(src / "binary_1d_work_precision.h5")
    (src / "notes.h5").write_text("not a result")
    out = tmp_path / "out"
    assert make_report([str(src)], str(out)) == out / "report.html"
    text = (out / "report.md").read_text()
    assert "## binary_1d" in text and "## bare" in text and "notes" not in text
    html = (out / "report.html").read_text()
    assert "binary_1d (work-precision)" in html and "notes" not in html


def test_bad_input(tmp_path):
    with pytest.raises(ResultFileError, match="missing.h5: no such result file"):
        make_report([tmp_path / "missing.h5"], tmp_path / "out")
    with pytest.raises(ResultFileError, match="no result files given"):
        make_report([], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_unsupported_schema_version(tmp_path):
    path = write_result_1d(tmp_path / "future.h5")
    with h5py.File(path, "a") as f:
        f.attrs["schema_version"] = 7
    with pytest.raises(ResultFileError) as info:
        make_report([path], tmp_path / "out")
    assert "schema_version 7 is newer than this postprocess reads (0..1); upgrade gridshock" in str(info.value)
    assert "\n" not in str(info.value)                                       # one line, for the command line
    assert not (tmp_path / "out" / "report.html").exists()


def test_minimal_file_and_no_second_command_line(tmp_path):
    src = write_minimal(tmp_path / "bare.h5")
    out = tmp_path / "out"
    assert make_report([src], out) == out / "report.html"
    assert (out / "report.html").is_file() and (out / "report.md").is_file()
    assert not hasattr(postprocess.report, "main")                  # `python -m postprocess.report` is gone


def test_duplicate_stems_get_distinct_figures(tmp_path):
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        write_convergence(tmp_path / sub / "same.h5")
    page = make_report([tmp_path / "a" / "same.h5", tmp_path / "b" / "same.h5"], tmp_path / "out")
    srcs = parse(page).images
    assert "same_eoc.png" in srcs and "same-2_eoc.png" in srcs
    assert 'id="r-same"' in page.read_text() and 'id="r-same-2"' in page.read_text()
