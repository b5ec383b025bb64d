"""Checkpoint and restart (issue 8): a run interrupted after a checkpoint and resumed with ``--resume`` writes
a result whose fields, series, comparisons and MFG history are bit-for-bit those of the uninterrupted run,
for every registered time scheme (heat, Burgers 1D/2D) and every restartable MFG outer solver."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

from solvers.cli import main
from solvers.integrators import TIME_SCHEMES
from solvers.integrators.split_schemes import BURGERS_TIME_SCHEMES
from solvers.runs import checkpointing
from solvers.families import load_case

CASES = Path(__file__).resolve().parents[2] / "cases"
COARSE = "measure.allow_under_resolved=true"    # the grids below are coarse on purpose (flagged under_resolved)

HEAT = [("heat_symmetric_1d.toml", ["grid.points=[192]", f'method.time="{s}"', COARSE])
        for s in TIME_SCHEMES.names() if s != "integrating_factor"]
HEAT += [("heat_periodic_spectral_1d.toml", ['method.time="integrating_factor"'])]
BURGERS_1D = [("burgers_symmetric_1d.toml", ["grid.points=[192]", f'method.time="{s}"', "method.crosscheck=false",
                                             "time.saves=12", "measure.density_floor=1e-3", COARSE])
              for s in BURGERS_TIME_SCHEMES.names()]
BURGERS_2D = [("burgers_two_components_2d.toml", ["grid.points=[56, 40]", 'method.time="ssprk3"', "time.saves=8",
                                                  COARSE]),
              ("burgers_three_components_2d.toml", ["grid.points=[48, 48]", "time.saves=8", COARSE]),
              ("burgers_two_components_2d.toml", ["grid.points=[56, 40]", 'method.time="crank_nicolson"',
                                                  "time.saves=8", COARSE])]
MFG = [("mfg_lq_coupled_1d.toml", ["grid.points=[100]", "time.dt=0.05", f'mfg.solver="{s}"', "mfg.tol=1e-8",
                                   "mfg.max_iterations=400", COARSE] + (["mfg.damping=0.7"] if s == "picard" else []))
       for s in ("picard", "newton")]
MFG += [("mfg_lq_coupled_1d.toml", ["grid.points=[100]", "time.dt=0.05", 'mfg.solver="fictitious_play"',
                                    "mfg.tol=1e-3", "mfg.max_iterations=400", COARSE])]


def _sets(argv_sets):
    out = []
    for s in argv_sets:
        out += ["--set", s]
    return out


def _tree(path: Path) -> dict:
    """Every dataset and every comparison/method/mfg attribute of a result (timings, dates excluded)."""
    out = {}
    with h5py.File(path) as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out[name] = obj[()]
            if name.split("/")[0] in ("comparison", "method", "mfg", "series", "grid"):
                for k, v in obj.attrs.items():
                    out[f"{name}@{k}"] = v
        f.visititems(visit)
    return out


def _assert_identical(a: Path, b: Path) -> None:
    ta, tb = _tree(a), _tree(b)
    assert ta.keys() == tb.keys()
    for key in ta:
        x, y = np.asarray(ta[key]), np.asarray(tb[key])
        if x.dtype.kind == "f":
            assert x.shape == y.shape and np.array_equal(x, y, equal_nan=True), key     # bit-for-bit
        else:
            assert np.array_equal(x, y), key


def _interrupt_after_first_checkpoint(monkeypatch, method: str):
    """Let the first checkpoint be written, then stop the run as Ctrl-C would."""
    original = getattr(checkpointing.Checkpointing, method)

    def write_then_stop(self, *args, **kwargs):
        original(self, *args, **kwargs)
        raise KeyboardInterrupt
    monkeypatch.setattr(checkpointing.Checkpointing, method, write_then_stop)


def _restart_round_trip(tmp_path, monkeypatch, case, sets, every, method):
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    argv = ["run", str(CASES / case), "--quiet", *_sets(sets)]
    assert main(argv + ["--out", str(whole)]) in (0, 1)
    name = load_case(str(CASES / case), sets).name
    with monkeypatch.context() as m:
        _interrupt_after_first_checkpoint(m, method)
        assert main(argv + ["--out", str(parts), "--checkpoint-every", repr(every)]) == 130
    checkpoint = parts / f"{name}.checkpoint.h5"
    assert checkpoint.is_file() and not (parts / f"{name}.h5").exists()
    assert main(argv + ["--out", str(parts), "--resume", str(parts / f"{name}.h5")]) in (0, 1)
    _assert_identical(whole / f"{name}.h5", parts / f"{name}.h5")
    assert not checkpoint.exists()            # superseded by the result


@pytest.mark.parametrize("case, sets", HEAT + BURGERS_1D + BURGERS_2D,
                         ids=lambda v: v if isinstance(v, str) else ",".join(v))
def test_resumed_time_integration_is_bit_for_bit(tmp_path, monkeypatch, case, sets):
    stop = load_case(str(CASES / case), sets)["time"]["stop"]
    _restart_round_trip(tmp_path, monkeypatch, case, sets, stop / 3, "write_saves")


@pytest.mark.parametrize("case, sets", MFG, ids=lambda v: v if isinstance(v, str) else ",".join(v))
def test_resumed_mfg_outer_iteration_is_bit_for_bit(tmp_path, monkeypatch, case, sets):
    _restart_round_trip(tmp_path, monkeypatch, case, sets, 2, "write_iteration")


def test_every_registered_time_scheme_is_covered():
    heat = {s.split('"')[1] for _, sets in HEAT for s in sets if s.startswith("method.time")}
    burgers = {s.split('"')[1] for _, sets in BURGERS_1D for s in sets if s.startswith("method.time")}
    assert heat == set(TIME_SCHEMES.names()) and burgers == set(BURGERS_TIME_SCHEMES.names())


def test_resume_refuses_a_checkpoint_of_other_settings(tmp_path, monkeypatch, capsys):
    sets = ["grid.points=[192]", "time.saves=12", COARSE]
    argv = ["run", str(CASES / "heat_symmetric_1d.toml"), "--quiet", "--out", str(tmp_path)]
    with monkeypatch.context() as m:
        _interrupt_after_first_checkpoint(m, "write_saves")
        assert main(argv + _sets(sets) + ["--checkpoint-every", "0.5"]) == 130
    capsys.readouterr()
    code = main(argv + _sets(["grid.points=[384]", "time.saves=12"]) +
                ["--resume", str(tmp_path / "heat_symmetric_1d.checkpoint.h5")])
    assert code == 2 and "--resume" in capsys.readouterr().err
    assert not (tmp_path / "heat_symmetric_1d.h5").exists()
    assert main(argv + ["--resume", str(tmp_path / "nothing.h5")]) == 2


def test_resume_after_sigkill_of_the_real_executable(tmp_path):
    """SIGKILL ``gridshock run`` once a checkpoint exists; ``--resume`` then gives the uninterrupted result."""
    case = str(CASES / "burgers_symmetric_1d.toml")
    sets = _sets(["grid.points=[768]", "method.crosscheck=false", "time.saves=30"])
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    cmd = [sys.executable, "-m", "solvers", "run", case, "--quiet", *sets]
    subprocess.run(cmd + ["--out", str(whole)], check=False, capture_output=True, timeout=300)
    proc = subprocess.Popen(cmd + ["--out", str(parts), "--checkpoint-every", "0.1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    checkpoint = parts / "burgers_symmetric_1d.checkpoint.h5"
    deadline = time.time() + 240
    while not checkpoint.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.fail("the run finished before a checkpoint appeared")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (parts / "burgers_symmetric_1d.h5").exists()
    done = subprocess.run(cmd + ["--out", str(parts), "--resume", str(checkpoint)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr
    _assert_identical(whole / "burgers_symmetric_1d.h5", parts / "burgers_symmetric_1d.h5")
