"""Convergence and sweep studies end to end (small grids), and the report built from their result files."""
from __future__ import annotations

import h5py
import numpy as np

from solvers.cli import main

CASE = """
name = "conv_small"
equation = "heat"
dimension = 1
[data]
weights = [0.5, 0.5]
means = [-1.0, 1.0]
stds = [0.3, 0.3]
[grid]
lower = [-4.0]
upper = [4.0]
points = [160]
boundary = "exact"
[time]
stop = 0.2
saves = 4
[method]
space = "central2"
time = "crank_nicolson"
[measure]
times = [0.2]
density_floor = 1e-4     # coarse grids: the log-density of far tails is not resolved
allow_under_resolved = true   # a plumbing case: 2 cells across ell(0) = 0.09, not 2 per half-width
[compare.score_linf_error]
atol = 0.2              # h = 0.05 resolves ell(0) = 0.09 by two points only: a plumbing case, not an accuracy one
[compare.layer_linf_error]
atol = 0.2
[compare.density_l2_error]
atol = 1e-3
[compare.interface_width]
rtol = 1e-2
[compare.mass_error]
atol = 1e-5
"""


def test_convergence_reports_the_scheme_order(tmp_path, capsys):
    case = tmp_path / "c.toml"
    case.write_text(CASE)
    code = main(["convergence", str(case), "--levels", "3", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    with h5py.File(tmp_path / "conv_small_convergence.h5") as f:
        assert f.attrs["kind"] == "convergence"
        eoc = f["convergence/density_l2_error/eoc"][:]
        assert abs(eoc[-1] - 2.0) < 0.2
        h = f["convergence/h"][:]
        np.testing.assert_allclose(h[:-1] / h[1:], 2.0)
        assert f["comparison/convergence_order"].attrs["passed"]


def test_convergence_fails_when_the_order_is_not_met(tmp_path, capsys):
    """A Dirichlet-0 wall cutting through the density is a fixed O(1) modelling error: the EOC collapses."""
    case = tmp_path / "c.toml"
    case.write_text(CASE)
    code = main(["convergence", str(case), "--levels", "3", "--out", str(tmp_path), "--set", "grid.boundary=dirichlet",
                 "--set", "grid.lower=[-2.5]", "--set", "grid.upper=[2.5]", "--set", "grid.points=[100]"])
    assert code == 1, capsys.readouterr().out
    with h5py.File(tmp_path / "conv_small_convergence.h5") as f:
        assert abs(f["convergence/density_l2_error/eoc"][-1] - 2.0) > 0.2
        assert f.attrs["status"] == "failed"


def test_sweep_runs_every_variant_on_dask(tmp_path, capsys):
    case = tmp_path / "s.toml"
    case.write_text(CASE.replace('name = "conv_small"', 'name = "sweep_small"'))
    code = main(["sweep", str(case), "--vary", "method.time=rk4,crank_nicolson", "--out", str(tmp_path)])
    assert code == 0, capsys.readouterr()
    files = sorted(p.name for p in tmp_path.glob("sweep_small__*.h5"))
    assert files == ["sweep_small__time-crank_nicolson.h5", "sweep_small__time-rk4.h5"]
    with h5py.File(tmp_path / files[1]) as f:
        assert f["method"].attrs["time"] == "rk4"
        assert 'time = "rk4"' in f.attrs["case_toml"]


def test_report_from_result_files(tmp_path):
    case = tmp_path / "r.toml"
    case.write_text(CASE.replace('name = "conv_small"', 'name = "report_small"'))
    assert main(["run", str(case), "--out", str(tmp_path)]) == 0
    assert main(["report", str(tmp_path / "report_small.h5"), "--out", str(tmp_path / "rep")]) == 0
    page = (tmp_path / "rep" / "report.md").read_text()
    assert "report_small" in page
    pngs = list((tmp_path / "rep").glob("*.png"))
    assert any("snapshots" in p.name for p in pngs) and any("interface" in p.name for p in pngs)


BURGERS_PERIODIC = """
name = "conv_burgers_periodic"
equation = "burgers"
dimension = 1
[data]
weights = [0.5, 0.5]
means = [-0.9, 0.9]
stds = [0.6, 0.6]
[grid]
lower = [-3.141592653589793]
upper = [3.141592653589793]
points = [128]
boundary = "periodic"
[time]
stop = 0.5
[method]
space = "spectral"
time = "etdrk4"
"""


def test_convergence_refine_time_is_self_convergence(tmp_path, capsys):
    """``--refine time``: fixed grid, dt halved, differences of successive levels; ETDRK4 shows 4 (measured
    3.99); the EOC table is also written as CSV."""
    case = tmp_path / "b.toml"
    case.write_text(BURGERS_PERIODIC)
    code = main(["convergence", str(case), "--levels", "4", "--refine", "time", "--out", str(tmp_path)])
    assert code == 0, capsys.readouterr().out
    with h5py.File(tmp_path / "conv_burgers_periodic_convergence.h5") as f:
        g = f["convergence"]
        assert g.attrs["refine"] == "time" and g.attrs["expected_order"] == 4
        assert np.all(g["h"][:] == g["h"][0]) and np.allclose(g["dt"][1:] / g["dt"][:-1], 0.5)
        assert abs(g["self_l2_difference"].attrs["observed_order"] - 4) <= 0.2
    rows = (tmp_path / "conv_burgers_periodic_convergence.csv").read_text().strip().splitlines()
    assert rows[0].startswith("level,h,dt,steps,run_s,") and len(rows) == 5


def test_convergence_refine_space_keeps_one_dt(tmp_path, capsys):
    """``--refine space``: every level at the finest level's step; the heat CN case shows its space order 2."""
    case = tmp_path / "c.toml"
    case.write_text(CASE)
    code = main(["convergence", str(case), "--levels", "3", "--refine", "space", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    with h5py.File(tmp_path / "conv_small_convergence.h5") as f:
        g = f["convergence"]
        assert g.attrs["refine"] == "space" and np.all(g["dt"][:] == g["dt"][0])
        assert abs(g["density_l2_error"].attrs["observed_order"] - 2) <= 0.2, out
    assert code == 0, out


def test_convergence_bad_refine_is_exit_2(tmp_path, capsys):
    case = tmp_path / "c.toml"
    case.write_text(CASE)
    assert main(["convergence", str(case), "--levels", "3", "--refine", "sideways", "--out", str(tmp_path)]) == 2
    assert "--refine" in capsys.readouterr().err


def test_sweep_product_summary_through_a_real_scheduler(tmp_path, capsys):
    """Two --vary keys (a 2 x 2 product) through an existing scheduler started as ``dask scheduler`` and
    ``dask worker`` subprocesses on 127.0.0.1; a variant with bad input (exit 2) does not stop the others; the
    summary HDF5/CSV lists every variant."""
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dask = str(Path(sys.executable).parent / "dask")
    address = f"tcp://127.0.0.1:{port}"
    sched = subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                              "--dashboard-address", ":0", "--no-show"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    worker = None
    try:
        worker = subprocess.Popen([dask, "worker", address, "--nthreads", "1", "--nworkers", "1",
                                   "--dashboard-address", ":0"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        from dask.distributed import Client
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with Client(address, timeout=5) as c:
                    if c.scheduler_info()["workers"]:
                        break
            except OSError:
                pass
            time.sleep(0.5)
        case = tmp_path / "c.toml"
        case.write_text(CASE.replace('name = "conv_small"', 'name = "grid_sweep"'))
        code = main(["sweep", str(case), "--vary", "method.time=rk4,crank_nicolson",
                     "--vary", "grid.points=[160],[4]", "--scheduler", address, "--out", str(tmp_path)])
        err = capsys.readouterr().err
    finally:
        for p in (worker, sched):
            if p is not None:
                p.terminate()
                p.wait(timeout=30)
    assert code == 2, err                       # grid.points = [4] is invalid input: exit 2 of that variant
    assert "key 'grid.points'" in err
    assert len(list(tmp_path.glob("grid_sweep__*.h5"))) == 2            # the two valid variants still ran
    with h5py.File(tmp_path / "grid_sweep_sweep.h5") as f:
        codes = sorted(f["exit_code"][:].tolist())
        assert codes == [0, 0, 2, 2] and f["settings/grid.points"].shape == (4,)
    rows = (tmp_path / "grid_sweep_sweep.csv").read_text().strip().splitlines()
    assert rows[0] == "label,method.time,grid.points,exit_code,failed_comparisons,wall_time_s,compile_s,result_file"
    assert len(rows) == 5
