"""postprocess.io: reading result files, tolerating missing groups."""
import dataclasses
import math

import h5py
import numpy as np
import pytest

from postprocess.io import (SUPPORTED_SCHEMA_VERSIONS, Result, ResultFileError, checks, is_convergence,
                            is_work_precision, load_result, looks_like_result)

from .synthetic import (NOTE, SPECIATION, WIDTH_AT, WIDTH_MEASURED, WIDTH_PASSED, WP_MEASURES,  # noqa: F401
                        WP_METHODS, WP_NOTE, WP_POINTS, strict_floats, wp_run_s, write_convergence, write_minimal,
                        write_result_1d, write_result_2d, write_work_precision)


def test_load_1d_root_grid_method(tmp_path):
    r = load_result(write_result_1d(tmp_path / "binary_1d.h5"))
    assert r.case_name == "binary_1d" and r.equation == "heat" and r.dimension == 1
    assert r.status == "failed" and r.wall_time_s == pytest.approx(1.2345678)
    assert r.kind == "run" and not is_convergence(r)
    assert r.grid.x.shape == (160,) and r.grid.y is None
    assert r.grid.boundary == "neumann" and r.grid.centering == "cell"
    assert list(r.grid.points) == [160]
    assert r.method["space"] == "fd2" and r.method["steps"] == 400
    assert r.timings["total_s"] == pytest.approx(1.2)
    assert isinstance(r.attrs["case_toml"], str) and "heat" in r.attrs["case_toml"]


def test_load_1d_fields_and_series(tmp_path):
    r = load_result(write_result_1d(tmp_path / "binary_1d.h5"))
    assert r.t.shape == (7,)
    assert r.get_field("density").shape == (7, 160) and r.get_field("score_exact").shape == (7, 160)
    assert r.get_field("score_x") is None
    assert r.series.has("interface_width") and not r.series.has("min_density")
    assert r.series.reference_of("speciation_indicator") is not None
    assert r.series.reference_of("mass") is None


def test_load_1d_comparisons(tmp_path):
    r = load_result(write_result_1d(tmp_path / "binary_1d.h5"))
    assert [c.name for c in r.comparisons] == sorted(["speciation_time", "interface_width", "mode_merge_time",
                                                      "score_linf_error"])
    spec = r.comparison("speciation_time")
    assert not spec.is_multi and spec.passed is True and isinstance(spec.passed, bool)
    assert spec.measured == SPECIATION["measured"] and spec.tolerance == "rtol=1e-3"
    assert spec.rtol == 1e-3 and math.isnan(spec.atol) and spec.method == "cubic root of D(t)"
    width = r.comparison("interface_width")
    assert width.is_multi and width.passed is False
    np.testing.assert_array_equal(width.at, WIDTH_AT)
    np.testing.assert_array_equal(width.measured, WIDTH_MEASURED)
    assert [row["passed"] for row in width.rows()] == list(WIDTH_PASSED)
    merge = r.comparison("mode_merge_time")
    assert merge.note == NOTE and math.isnan(merge.measured)
    assert r.n_failed == 1 and len(checks(r)) == 4


def test_fields_are_read_lazily(tmp_path):
    r = load_result(write_result_2d(tmp_path / "binary_2d.h5"))
    assert set(r.fields) == {"density", "score_x", "score_y", "score_exact_x", "score_exact_y"}
    assert r.field_shape("density") == (3, 24, 20) and r.field_shape("score") is None
    last = r.snapshot("score_x", -1)
    assert last.shape == (24, 20)
    np.testing.assert_array_equal(last, r.get_field("score_x")[2])
    np.testing.assert_array_equal(r.snapshot("score_x", 0), r.get_field("score_x")[0])
    assert r.snapshot("score_x", 3) is None and r.snapshot("missing", 0) is None


def test_in_memory_result_with_plain_dict_fields(tmp_path):
    arr = np.ones((2, 5))
    r = Result(path=tmp_path / "mem.h5", fields={"density": arr})
    assert r.label == "mem" and r.field_shape("density") == (2, 5)
    np.testing.assert_array_equal(r.snapshot("density", -1), arr[1])


def test_load_2d(tmp_path):
    r = load_result(write_result_2d(tmp_path / "binary_2d.h5"))
    assert r.dimension == 2 and r.grid.y.shape == (20,)
    assert r.get_field("score_x").shape == (3, 24, 20)
    assert r.series is None and r.convergence is None
    assert r.n_failed == 0


def test_load_convergence(tmp_path):
    r = load_result(write_convergence(tmp_path / "binary_1d_convergence.h5"))
    assert is_convergence(r) and r.kind == "convergence"
    conv = r.convergence
    assert conv.refine == "both" and conv.expected_order == 2.0 and conv.n_levels == 4
    assert set(conv.measures) == {"score_linf_error", "density_l1_error"}
    m = conv.measures["score_linf_error"]
    assert math.isnan(m.eoc[0]) and m.passed is True and m.observed_order == pytest.approx(m.eoc[-1])
    assert conv.measures["density_l1_error"].passed is False
    assert r.n_failed == 1


def test_missing_groups_tolerated(tmp_path):
    r = load_result(write_minimal(tmp_path / "bare.h5"))
    assert r.grid is None and r.t is None and r.fields == {} and r.series is None
    assert r.comparisons == [] and r.convergence is None and r.method == {} and r.timings == {}
    assert r.dimension == 1 and r.n_failed == 0


def test_missing_parts_inside_groups(tmp_path):
    omit = ["fields/density_exact", "series/reference", "grid/x", "comparison/interface_width/passed"]
    path = write_result_1d(tmp_path / "binary_1d.h5", omit=omit)
    r = load_result(path)
    assert r.get_field("density_exact") is None and r.series.reference == {} and r.grid.x is None
    width = r.comparison("interface_width")
    assert width.passed_each is None and [row["passed"] for row in width.rows()] == [False] * 3


def test_fixed_length_string_attributes_are_decoded(tmp_path):
    path = tmp_path / "bytes.h5"
    with h5py.File(path, "w") as f:
        f.attrs["case_name"] = np.bytes_(b"fixed")
        f.attrs["dimension"] = np.int64(2)
        f.create_group("comparison/q").attrs.update(measured=1.0, passed=np.bool_(False),
                                                    tolerance=np.bytes_(b"rtol=1"))
    r = load_result(path)
    assert r.case_name == "fixed" and r.dimension == 2
    q = r.comparison("q")
    assert q.passed is False and q.tolerance == "rtol=1" and math.isnan(q.reference)


def test_bad_paths(tmp_path):
    with pytest.raises(ResultFileError, match="no such"):
        load_result(tmp_path / "missing.h5")
    junk = tmp_path / "junk.h5"
    junk.write_text("not hdf5")
    with pytest.raises(ResultFileError, match="junk.h5"):
        load_result(junk)
    assert not looks_like_result(junk)
    assert looks_like_result(write_minimal(tmp_path / "bare.h5"))


# ---- schema_version ------------------------------------------------------------------------------------------
def _with_version(path, version):
    with h5py.File(path, "a") as f:
        f.attrs["schema_version"] = version
    return path


def test_schema_versions_read(tmp_path):
    assert SUPPORTED_SCHEMA_VERSIONS == (0, 1)
    legacy = load_result(write_result_1d(tmp_path / "legacy.h5"))          # written before the attribute
    assert "schema_version" not in legacy.attrs and legacy.schema_version == 0
    for version in (0, 1, np.int64(1), np.int32(0)):
        r = load_result(_with_version(write_result_1d(tmp_path / "v.h5"), version))
        assert r.schema_version == int(version) and r.comparison("speciation_time") is not None


def test_newer_schema_version_refused(tmp_path):
    path = _with_version(write_result_1d(tmp_path / "future.h5"), 7)
    with pytest.raises(ResultFileError) as info:
        load_result(path)
    assert str(info.value) == (f"{path}: result schema_version 7 is newer than this postprocess reads (0..1); "
                               "upgrade gridshock")
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("version", [-1, 1.5, "one"])
def test_unsupported_schema_version_refused(tmp_path, version):
    path = _with_version(write_minimal(tmp_path / "odd.h5"), version)
    with pytest.raises(ResultFileError, match=r"odd\.h5: result schema_version .* \(0\.\.1\)"):
        load_result(path)


def test_schema_version_of_study_files(tmp_path):
    assert load_result(write_work_precision(tmp_path / "wp.h5")).schema_version == 1
    conv = _with_version(write_convergence(tmp_path / "c.h5"), 2)
    with pytest.raises(ResultFileError, match="schema_version 2 is newer"):
        load_result(conv)


# ---- work-precision files ------------------------------------------------------------------------------------
def test_load_work_precision(tmp_path):
    path = write_work_precision(tmp_path / "binary_1d_work_precision.h5")
    assert looks_like_result(path)
    r = load_result(path)
    assert is_work_precision(r) and not is_convergence(r) and r.kind == "work_precision"
    assert r.convergence is None and r.comparisons == [] and r.n_failed == 0
    wp = r.work_precision
    assert wp.measures == list(WP_MEASURES) and wp.primary_measure == "score_l2_error"
    assert wp.workers == 2 and wp.note == WP_NOTE
    assert set(wp.methods) == set(WP_METHODS)
    weno = wp.methods["weno5+ssprk3"]
    assert weno.kind == "gridshock" and weno.space == "weno5" and weno.time == "ssprk3" and not weno.is_solve_ivp
    assert weno.order_space == 5.0 and weno.order_time == 3.0 and weno.n_levels == 3
    np.testing.assert_array_equal(weno.points, WP_POINTS)
    np.testing.assert_allclose(weno.run_s, wp_run_s("weno5+ssprk3"))
    assert np.isnan(weno.rtol).all() and weno.compile_s[0] == 2.5
    assert set(weno.errors) == set(WP_MEASURES)
    radau = wp.methods["scipy-Radau"]
    assert radau.is_solve_ivp and radau.time == "Radau" and math.isinf(radau.order_time)
    assert np.isnan(radau.dt).all() and np.isnan(radau.error("score_l2_error")[-1])
    assert np.isnan(radau.error("no_such_measure")).all()
    assert set(radau.extra) == {"nfev", "exit_code"} and list(radau.extra["exit_code"]) == [0, 0, 1]
    assert wp.workers_text == "2 workers"


def test_work_precision_missing_parts(tmp_path):
    omit = ["work_precision/central2+rk4/compile_s", "work_precision/central2+rk4/score_linf_error"]
    path = write_work_precision(tmp_path / "wp.h5", omit=omit)
    with h5py.File(path, "a") as f:
        del f["work_precision"].attrs["measures"]
        del f["work_precision"].attrs["primary_measure"]
        del f["work_precision"].attrs["workers"]
        del f.attrs["kind"]
    r = load_result(path)
    assert is_work_precision(r) and r.kind == "work_precision"
    wp = r.work_precision
    assert set(wp.measures) == set(WP_MEASURES) and wp.primary_measure in WP_MEASURES   # not nfev, exit_code
    assert wp.workers is None and wp.workers_text == ""
    central = wp.methods["central2+rk4"]
    assert np.isnan(central.compile_s).all() and len(central.compile_s) == 3
    assert "score_linf_error" not in central.errors


def test_work_precision_short_dataset_padded(tmp_path):
    path = write_work_precision(tmp_path / "wp.h5")
    with h5py.File(path, "a") as f:
        del f["work_precision/weno5+ssprk3/score_l2_error"]
        f["work_precision/weno5+ssprk3/score_l2_error"] = np.array([1e-2, 1e-3])
    weno = load_result(path).work_precision.methods["weno5+ssprk3"]
    assert len(weno.errors["score_l2_error"]) == 3 and np.isnan(weno.errors["score_l2_error"][2])


# ---- reading an open (in-memory) h5py.File --------------------------------------------------------------------
def _in_memory(tmp_path, name):
    """An in-memory HDF5 file: nothing is written to ``tmp_path / name``."""
    return h5py.File(tmp_path / name, "w", driver="core", backing_store=False)


def _same_result(r, ref):
    """Everything read into ``r`` equals ``ref`` (read from a file on disk), path and label aside."""
    assert repr(r) == repr(dataclasses.replace(ref, path=r.path, label=r.label))
    assert set(r.fields) == set(ref.fields)
    for name in ref.fields:
        np.testing.assert_array_equal(r.get_field(name), ref.get_field(name))
        np.testing.assert_array_equal(r.snapshot(name, -1), ref.snapshot(name, -1))
        assert r.field_shape(name) == ref.field_shape(name)


@pytest.mark.parametrize("write", [write_result_1d, write_result_2d, write_convergence, write_work_precision,
                                   write_minimal])
def test_load_from_in_memory_file(tmp_path, write):
    on_disk = load_result(write(tmp_path / "disk.h5"))
    f = _in_memory(tmp_path, "mem.h5")
    assert write(f) is f and f                                  # written into and left open
    r = load_result(f)
    assert f and r.path == tmp_path / "mem.h5" and r.label == "mem"
    f.close()
    assert not (tmp_path / "mem.h5").exists()
    _same_result(r, on_disk)                                     # the fields were read before the file closed


def test_label_given(tmp_path):
    with _in_memory(tmp_path, "m.h5") as f:
        r = load_result(write_result_2d(f), label="my run/2")
    assert r.label == "my_run_2" and r.case_name == "binary_2d"
    assert r.get_field("score_x").shape == (3, 24, 20) and r.snapshot("score_x", 3) is None
    assert load_result(write_minimal(tmp_path / "bare.h5"), label="b").label == "b"


def test_in_memory_file_refused(tmp_path):
    f = _in_memory(tmp_path, "future.h5")
    write_result_1d(f).attrs["schema_version"] = 7
    with pytest.raises(ResultFileError, match=r"future\.h5: result schema_version 7 is newer"):
        load_result(f)
    f.close()
    with pytest.raises(ResultFileError, match="closed"):
        load_result(f)
