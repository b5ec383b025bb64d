"""postprocess.report: report.md holds the tables and links every figure written."""
import re
from pathlib import Path

import pytest

from postprocess.report import main, make_report

from .synthetic import (NOTE, strict_floats, write_convergence, write_minimal, write_result_1d,  # noqa: F401
                        write_result_2d)

LINK = re.compile(r"!\[[^\]]*\]\(([^)]+)\)")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    src = tmp_path_factory.mktemp("results")
    paths = [write_result_1d(src / "binary_1d.h5"), write_result_2d(src / "binary_2d.h5"),
             write_convergence(src / "binary_1d_convergence.h5"), write_minimal(src / "bare.h5")]
    out = tmp_path_factory.mktemp("report")
    return make_report(paths, out)


def test_report_written(report):
    assert report.name == "report.md" and report.is_file()
    text = report.read_text()
    assert text.startswith("# gridshock report")
    assert "## Summary" in text and "| case | equation | dim |" in text
    for heading in ("## binary_1d", "## binary_2d", "## binary_1d (convergence)", "## bare"):
        assert heading + "\n" in text
    assert "| speciation_time | - | 0.937512 | 0.9375 |" in text
    assert NOTE in text and "FAIL" in text and "```toml" in text
    assert "| level | h | dt |" in text and "## Work-precision" in text


def test_report_links_existing_images(report):
    text = report.read_text()
    links = LINK.findall(text)
    assert links, text
    for link in links:
        target = report.parent / link
        assert target.is_file() and target.stat().st_size > 0, link
    written = {p.name for p in report.parent.glob("*.png")}
    assert written == {Path(link).name for link in links}
    assert {"binary_1d_snapshots.png", "binary_1d_interface.png", "binary_1d_errors.png",
            "binary_2d_snapshots.png", "binary_2d_errors.png", "binary_1d_convergence_eoc.png",
            "work_precision.png"} <= written


def test_main_and_directory_input(tmp_path, capsys):
    src = tmp_path / "results"
    src.mkdir()
    write_result_1d(src / "binary_1d.h5")
    write_minimal(src / "bare.h5")
    (src / "notes.h5").write_text("not a result")
    out = tmp_path / "out"
    assert main([str(src), "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out / "report.md")
    text = (out / "report.md").read_text()
    assert "## binary_1d" in text and "## bare" in text and "notes" not in text


def test_main_bad_input(tmp_path, capsys):
    assert main([str(tmp_path / "missing.h5"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "missing.h5" in err and "Traceback" not in err


def test_duplicate_stems_get_distinct_figures(tmp_path):
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        write_convergence(tmp_path / sub / "same.h5")
    report = make_report([tmp_path / "a" / "same.h5", tmp_path / "b" / "same.h5"], tmp_path / "out")
    links = LINK.findall(report.read_text())
    assert "same_eoc.png" in links and "same-2_eoc.png" in links
