"""postprocess.plots: every figure is written when its data is there and skipped when it is not."""
from pathlib import Path

import h5py
import numpy as np
import pytest

from postprocess import plots
from postprocess.io import load_result

from .synthetic import (WP_METHODS, strict_floats, write_convergence, write_minimal,  # noqa: F401
                        write_result_1d, write_result_2d, write_work_precision)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def assert_pngs(paths, outdir, n=1):
    assert len(paths) == n
    for p in paths:
        p = Path(p)
        assert p.parent == Path(outdir) and p.suffix == ".png"
        assert p.stat().st_size > 1000 and p.read_bytes()[:8] == PNG_MAGIC


@pytest.fixture
def files(tmp_path):
    return {
        "1d": write_result_1d(tmp_path / "binary_1d.h5"),
        "2d": write_result_2d(tmp_path / "binary_2d.h5"),
        "conv": write_convergence(tmp_path / "binary_1d_convergence.h5"),
        "bare": write_minimal(tmp_path / "bare.h5"),
    }


@pytest.mark.parametrize("kind", ["1d", "2d"])
@pytest.mark.parametrize("plot", [plots.plot_snapshots, plots.plot_errors])
def test_field_plots_write_png(files, tmp_path, kind, plot):
    out = tmp_path / "out"
    paths = plot(load_result(files[kind]), out)
    assert_pngs(paths, out)


def test_interface_series_writes_png(files, tmp_path):
    out = tmp_path / "out"
    paths = plots.plot_interface_series(load_result(files["1d"]), out)
    assert_pngs(paths, out)
    assert paths[0].name == "binary_1d_interface.png"


@pytest.mark.parametrize("refine", ["space", "time", "both", ""])
def test_convergence_writes_png(tmp_path, refine):
    r = load_result(write_convergence(tmp_path / "c.h5", refine=refine))
    assert_pngs(plots.plot_convergence(r, tmp_path), tmp_path)


def test_work_precision(tmp_path):
    a = load_result(write_convergence(tmp_path / "a.h5", name="a"))
    b = load_result(write_convergence(tmp_path / "b.h5", name="b", wall_scale=3.0))
    run = load_result(write_result_1d(tmp_path / "run.h5"))
    paths = plots.plot_work_precision([a, b, run], tmp_path / "out")
    assert_pngs(paths, tmp_path / "out")
    assert plots.plot_work_precision([run], tmp_path / "none") == []


@pytest.mark.parametrize("plot", [plots.plot_snapshots, plots.plot_interface_series, plots.plot_errors,
                                  plots.plot_convergence])
def test_absent_data_gives_no_figure(files, tmp_path, plot):
    out = tmp_path / "out"
    assert plot(load_result(files["bare"]), out) == []
    assert not out.exists() or not any(out.iterdir())


def test_skips_per_figure(files, tmp_path):
    r2 = load_result(files["2d"])
    assert plots.plot_interface_series(r2, tmp_path) == [] and plots.plot_convergence(r2, tmp_path) == []
    rc = load_result(files["conv"])
    assert plots.plot_snapshots(rc, tmp_path) == [] and plots.plot_errors(rc, tmp_path) == []
    no_exact = load_result(write_result_1d(tmp_path / "x.h5", omit=["fields/score_exact", "fields/density_exact"]))
    assert plots.plot_errors(no_exact, tmp_path) == []
    assert_pngs(plots.plot_snapshots(no_exact, tmp_path / "s"), tmp_path / "s")
    no_wall = load_result(write_convergence(tmp_path / "w.h5", omit=["convergence/wall_time_s"]))
    assert plots.plot_work_precision([no_wall], tmp_path) == []


def test_degenerate_data(tmp_path):
    """Zero error, missing grid coordinates and a speciation time with a note still plot."""
    path = write_result_1d(tmp_path / "z.h5", omit=["grid", "comparison/speciation_time"])
    with h5py.File(path, "a") as f:
        f["fields/score"][...] = f["fields/score_exact"][()]
        f["fields/density"][...] = f["fields/density_exact"][()]
        g = f.create_group("comparison/speciation_time")
        g.attrs.update(measured=np.nan, reference=np.nan, passed=True, note="no speciation")
    r = load_result(path)
    assert_pngs(plots.plot_errors(r, tmp_path / "e"), tmp_path / "e")
    assert_pngs(plots.plot_interface_series(r, tmp_path / "i"), tmp_path / "i")
    path2 = write_result_2d(tmp_path / "z2.h5")
    with h5py.File(path2, "a") as f:
        f["fields/score_x"][...] = f["fields/score_exact_x"][()]
    assert_pngs(plots.plot_errors(load_result(path2), tmp_path / "e2"), tmp_path / "e2")


def test_snapshot_indices():
    assert plots.snapshot_indices(0) == []
    assert plots.snapshot_indices(1) == [0]
    assert plots.snapshot_indices(3) == [0, 1, 2]
    idx = plots.snapshot_indices(101)
    assert len(idx) == 5 and idx[0] == 0 and idx[-1] == 100


def test_mfg_history_plot_from_a_result_file(tmp_path):
    """The MFG outer-solver history (``/mfg``) is drawn from the result file alone."""
    from postprocess.io import load_result
    from postprocess.plots import plot_mfg_history
    from solvers.runs.run import run_case
    case = Path(__file__).resolve().parents[2] / "cases" / "mfg_lq_coupled_1d.toml"
    outcome = run_case(case, ["grid.points=[100]", "mfg.solver=picard",
                                      "measure.allow_under_resolved=true"], tmp_path, progress=False)
    result = load_result(outcome.path)
    assert result.mfg["solver"] == "picard" and result.mfg_history["change"].size == result.mfg["iterations"]
    paths = plot_mfg_history(result, tmp_path / "fig")
    assert len(paths) == 1 and paths[0].stat().st_size > 10_000


# ---- mode count, curl ------------------------------------------------------------------------------------------
def test_modes_drawn_when_stored(files, tmp_path):
    r = load_result(files["1d"])
    assert r.series.has("modes")
    paths = plots.plot_modes(r, tmp_path / "out")
    assert_pngs(paths, tmp_path / "out")
    assert paths[0].name == "binary_1d_modes.png"


def test_modes_skipped_without_data(files, tmp_path):
    no_modes = load_result(write_result_1d(tmp_path / "x.h5", omit=["series/modes"]))
    for r in (no_modes, load_result(files["2d"]), load_result(files["bare"]), load_result(files["conv"])):
        assert plots.plot_modes(r, tmp_path / "none") == []
    assert not (tmp_path / "none").exists()
    path = write_result_1d(tmp_path / "nan.h5")
    with h5py.File(path, "a") as f:
        f["series/modes"][...] = np.nan
    assert plots.plot_modes(load_result(path), tmp_path / "none") == []


def test_modes_without_event_comparisons(tmp_path):
    path = write_result_1d(tmp_path / "m.h5", omit=["comparison"])
    assert_pngs(plots.plot_modes(load_result(path), tmp_path / "out"), tmp_path / "out")


def test_curl_series_drawn_when_stored(tmp_path):
    r = load_result(write_result_2d(tmp_path / "c.h5", curl_series=True))
    assert r.series.has("curl_linf") and "closed_form" in r.comparison("curl_linf").extra
    paths = plots.plot_curl_series(r, tmp_path / "out")
    assert_pngs(paths, tmp_path / "out")
    assert paths[0].name == "c_curl_linf.png"


def test_curl_series_skipped_without_data(files, tmp_path):
    for r in (load_result(files["1d"]), load_result(files["2d"]), load_result(files["bare"])):
        assert plots.plot_curl_series(r, tmp_path / "none") == []
    path = write_result_2d(tmp_path / "c.h5", curl_series=True)
    with h5py.File(path, "a") as f:
        f["series/curl_linf"][...] = np.nan
    assert plots.plot_curl_series(load_result(path), tmp_path / "none") == []
    assert not (tmp_path / "none").exists()


def test_curl_series_zero_curl_is_drawn_linear(tmp_path):
    path = write_result_2d(tmp_path / "z.h5", curl_series=True)
    with h5py.File(path, "a") as f:
        curl = f["series/curl_linf"][()]
        curl[np.isfinite(curl)] = 0.0
        f["series/curl_linf"][...] = curl
    assert_pngs(plots.plot_curl_series(load_result(path), tmp_path / "out"), tmp_path / "out")


def test_score_curl_numerics():
    x = np.linspace(-1.0, 2.0, 31)
    y = np.linspace(-1.5, 1.0, 23)
    xx, yy = np.meshgrid(x, y, indexing="ij")
    # rotation (-y, x): curl 2 everywhere
    np.testing.assert_allclose(plots.score_curl(-yy, xx, x, y), 2.0, rtol=0, atol=1e-12)
    # a gradient field (the score of a Gaussian): curl 0
    np.testing.assert_allclose(plots.score_curl(-xx / 0.7, -yy / 0.3, x, y), 0.0, atol=1e-12)
    # quadratic fields are differentiated exactly by second-order differences, edges included
    curl = plots.score_curl(xx * yy**2, xx**2 * yy + yy**2, x, y)
    np.testing.assert_allclose(curl, 2 * xx * yy - 2 * xx * yy, atol=1e-11)
    curl = plots.score_curl(-(yy**2), xx**2, x, y)
    np.testing.assert_allclose(curl, 2 * xx + 2 * yy, atol=1e-11)
    assert plots.score_curl(np.ones((3, 4)), np.ones((3, 3)), x[:3], y[:4]) is None
    assert plots.score_curl(np.ones((1, 4)), np.ones((1, 4)), x[:1], y[:4]) is None


def test_score_curl_figure(files, tmp_path):
    r = load_result(files["2d"])
    paths = plots.plot_score_curl(r, tmp_path / "out")
    assert_pngs(paths, tmp_path / "out")
    assert paths[0].name == "binary_2d_curl.png"
    no_density = load_result(write_result_2d(tmp_path / "nd.h5", omit=["fields/density", "grid"]))
    assert_pngs(plots.plot_score_curl(no_density, tmp_path / "nd"), tmp_path / "nd")


def test_score_curl_skipped_without_vector_score(files, tmp_path):
    assert plots.plot_score_curl(load_result(files["1d"]), tmp_path / "none") == []
    assert plots.plot_score_curl(load_result(files["bare"]), tmp_path / "none") == []
    no_y = load_result(write_result_2d(tmp_path / "ny.h5", omit=["fields/score_y"]))
    assert plots.plot_score_curl(no_y, tmp_path / "none") == []
    assert not (tmp_path / "none").exists()


# ---- work-precision study files ------------------------------------------------------------------------------
def test_work_precision_study_figure(tmp_path):
    r = load_result(write_work_precision(tmp_path / "binary_1d_work_precision.h5"))
    paths = plots.plot_work_precision_study(r, tmp_path / "out")
    assert_pngs(paths, tmp_path / "out")
    assert paths[0].name == "binary_1d_work_precision_error_vs_runtime.png"
    assert paths[0].stat().st_size > 20_000
    # a study file is not a convergence file: the convergence-based figure ignores it
    assert plots.plot_work_precision([r], tmp_path / "none") == []


def test_work_precision_study_variants(tmp_path):
    one = {"scipy-BDF": ("solve_ivp", "central2", "BDF", 2.0, np.nan)}
    r = load_result(write_work_precision(tmp_path / "one.h5", methods=one))
    assert_pngs(plots.plot_work_precision_study(r, tmp_path / "a"), tmp_path / "a")
    r = load_result(write_work_precision(tmp_path / "nocomp.h5",
                                         omit=[f"work_precision/{m}/compile_s" for m in WP_METHODS]))
    assert_pngs(plots.plot_work_precision_study(r, tmp_path / "b"), tmp_path / "b")


def test_work_precision_study_skipped_without_data(files, tmp_path):
    for kind in ("1d", "2d", "conv", "bare"):
        assert plots.plot_work_precision_study(load_result(files[kind]), tmp_path / "none") == []
    path = write_work_precision(tmp_path / "nan.h5")
    with h5py.File(path, "a") as f:
        for m in WP_METHODS:
            for key in ("score_l2_error", "score_linf_error"):
                f[f"work_precision/{m}/{key}"][...] = np.nan
    assert plots.plot_work_precision_study(load_result(path), tmp_path / "none") == []
    empty = write_work_precision(tmp_path / "empty.h5", methods={})
    assert plots.plot_work_precision_study(load_result(empty), tmp_path / "none") == []
    assert not (tmp_path / "none").exists()


def test_per_result_plots_include_new_figures():
    for plot in (plots.plot_modes, plots.plot_curl_series, plots.plot_score_curl, plots.plot_work_precision_study):
        assert plot in plots.PER_RESULT_PLOTS


def test_figures_from_an_in_memory_file(tmp_path):
    """A result read from an in-memory file keeps its fields once the file is closed; the figures match."""
    with h5py.File(tmp_path / "mem_2d.h5", "w", driver="core", backing_store=False) as f:
        r = load_result(write_result_2d(f, curl_series=True))
    out = tmp_path / "out"
    paths = plots.plot_all(r, out)
    assert {p.name for p in paths} == {"mem_2d_snapshots.png", "mem_2d_curl_linf.png", "mem_2d_curl.png",
                                       "mem_2d_errors.png"}
    assert_pngs(paths, out, n=4)
    on_disk = plots.plot_all(load_result(write_result_2d(tmp_path / "mem_2d.h5", curl_series=True)), tmp_path / "d")
    assert [p.read_bytes() for p in paths] == [p.read_bytes() for p in on_disk]
