"""Kill safety of result files (CONTRACT.md "Written atomically"): ``gridshock run`` killed with SIGKILL at random
moments leaves either a complete, readable result or no ``.h5``; the temporary file of a killed writer is removed
by the next write of the same target; concurrent writers of one target never corrupt each other.

The runs are subprocesses of ``cases/heat_symmetric_1d.toml`` on a small grid. Three kinds of kill, round robin
(plain, write, early, write), at delays drawn from a fixed seed:

* ``plain``: the real entry point (``python -m solvers run``), killed at a uniform delay over its whole run
  (start-up, integration, analysis, writing);
* ``early``: the instrumented run below, killed at a uniform delay before its write begins;
* ``write``: the instrumented run, killed at a uniform delay after its temporary file was created (over 1.3
  times the write's length, so some kills land during the fsync and rename, and a few after them).

The instrumented run is the same ``solvers.cli.main`` with two test-only patches: every ``create_dataset``
sleeps ``DATASET_DELAY`` (so the HDF5 write, ~70 datasets, lasts ~1 s instead of ~20 ms and is hit often), and
``atomic_h5`` as used by the result writer records markers (``begin``, ``open`` once the temporary file exists,
``replacing``/``replaced`` around the rename, ``end``) and can wait for a "go" file while holding its temporary
file open.

Every third iteration a complete result of an earlier run is already in place: it must then still be complete
afterwards (the old file or the new one, never a truncated one).
"""
from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import h5py
import pytest

import solvers

ROOT = Path(solvers.__file__).resolve().parent.parent
CASE = ROOT / "cases" / "heat_symmetric_1d.toml"
NAME = "heat_symmetric_1d"
SMALL = ["--set", "grid.points=[192]", "--set", "time.saves=12",
         "--set", "measure.allow_under_resolved=true"]          # coarse on purpose: the writing, not the accuracy
SEED = 20240611
DATASET_DELAY = 0.012           # seconds per dataset in the instrumented run
REQUIRED_ROOT_ATTRS = ("schema_version", "case_name", "case_toml", "software_version", "created", "status",
                       "wall_time_s", "conventions", "equation", "dimension")
REQUIRED_GROUPS = ("grid", "method", "timings", "fields", "series", "comparison")
TEMP = re.compile(r"\." + re.escape(NAME) + r"\.h5\.(\d+)-[0-9a-f]{12}\.[0-9a-f]+\.tmp")

WRAPPER = r"""
import contextlib, os, sys, time
import h5py
markers, hold = os.environ["GS_KILL_TEST_MARKERS"], os.environ.get("GS_KILL_TEST_HOLD")
delay = float(os.environ.get("GS_KILL_TEST_DATASET_DELAY", "0"))

def mark(word):
    with open(markers, "a") as fh:
        fh.write(f"{word} {time.time():.6f}\n")

if delay > 0:
    _create = h5py.Group.create_dataset
    def create_dataset(self, *args, **kwargs):
        time.sleep(delay)
        return _create(self, *args, **kwargs)
    h5py.Group.create_dataset = create_dataset

import solvers.storage.results as results
_atomic = results.atomic_h5

@contextlib.contextmanager
def traced(path):
    mark("begin")
    with _atomic(path) as f:
        mark("open")
        deadline = time.monotonic() + 120
        while hold and not os.path.exists(hold) and time.monotonic() < deadline:
            time.sleep(0.005)
        yield f
    mark("end")

results.atomic_h5 = traced
_replace = os.replace
def replace(src, dst, *args, **kwargs):
    result = str(dst).endswith(".h5")
    if result:
        mark("replacing")
    _replace(src, dst, *args, **kwargs)
    if result:
        mark("replaced")
os.replace = replace
from solvers.cli import main
mark("start")
sys.exit(main(sys.argv[1:]))
"""


# ---------------------------------------------------------------------------------------------------- helpers
class Run:
    """One ``gridshock run`` subprocess (its own process group), writing ``<out>/heat_symmetric_1d.h5``."""

    def __init__(self, out: Path, tag: str, instrumented: bool = True, hold: Path | None = None,
                 delay: float = DATASET_DELAY):
        self.markers = out.parent / f"markers-{tag}.txt"
        self.markers.unlink(missing_ok=True)
        env = dict(os.environ, GS_KILL_TEST_MARKERS=str(self.markers), GS_KILL_TEST_DATASET_DELAY=str(delay))
        env.pop("GS_KILL_TEST_HOLD", None)
        if hold is not None:
            env["GS_KILL_TEST_HOLD"] = str(hold)
        entry = ["-c", WRAPPER] if instrumented else ["-m", "solvers"]
        argv = [sys.executable, *entry, "run", str(CASE), "--out", str(out), *SMALL,
                "--set", f'description="{tag}"']
        self.started = time.monotonic()
        self.proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     start_new_session=True)

    def seen(self, word: str) -> bool:
        try:
            return any(line.split()[0] == word for line in self.markers.read_text().splitlines() if line)
        except FileNotFoundError:
            return False

    def wait_for(self, word: str, timeout: float = 120.0) -> bool:
        """True once the marker is written; False if the process ended first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.seen(word):
                return True
            if self.proc.poll() is not None:
                return self.seen(word)
            time.sleep(0.002)
        raise AssertionError(f"no {word!r} marker within {timeout} s")

    def kill(self) -> bool:
        """SIGKILL (the whole process group); True if the process was still running."""
        alive = self.proc.poll() is None
        if alive:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.proc.stderr.close()
        return alive

    def finish(self, timeout: float = 180.0) -> tuple[int, str]:
        _, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, err.decode(errors="replace")


def temporaries(out: Path) -> list[str]:
    return sorted(n for n in os.listdir(out) if n.endswith(".tmp"))


def assert_complete(path: Path) -> str:
    """Opens, checks the root attributes and groups of a complete run result, reads every dataset in full."""
    with h5py.File(path, "r") as f:
        missing = [a for a in REQUIRED_ROOT_ATTRS if a not in f.attrs]
        assert not missing, f"{path}: root attributes missing: {missing}"
        assert f.attrs["status"] in ("passed", "failed")
        assert [g for g in REQUIRED_GROUPS if g not in f] == [], f"{path}: groups missing"
        assert len(f["comparison"]) > 0 and "t" in f["fields"] and "x" in f["grid"]
        f.visititems(lambda _, obj: obj[()] if isinstance(obj, h5py.Dataset) else None)
        return f.attrs["case_toml"]


def assert_directory_state(out: Path, label: str) -> str | None:
    """Only ``<name>.h5`` (complete) and temporary siblings of it; returns the stored case text or None."""
    names = os.listdir(out)
    assert [n for n in names if not n.endswith(".tmp") and n != f"{NAME}.h5"] == [], f"{label}: {names}"
    assert all(TEMP.fullmatch(n) for n in names if n.endswith(".tmp")), f"{label}: {names}"
    target = out / f"{NAME}.h5"
    return assert_complete(target) if target.exists() else None


def calibrate(tmp_path: Path) -> dict:
    """One uninterrupted instrumented run: phase times for the kill delays (the plain run's length estimated
    from it), and a complete result file."""
    out = tmp_path / "calibration"
    run = Run(out, "calibration")
    assert run.wait_for("begin")
    t_begin = time.monotonic() - run.started
    assert run.wait_for("open")
    t_open = time.monotonic()
    assert run.wait_for("end")
    t_write = time.monotonic() - t_open
    code, err = run.finish()
    t_total = time.monotonic() - run.started
    assert code in (0, 1), err
    assert_complete(out / f"{NAME}.h5")
    assert temporaries(out) == []
    t_plain = t_total - t_write + 0.05          # the real write takes ~20 ms, not ~1 s
    complete = tmp_path / "complete.h5"
    shutil.copy(out / f"{NAME}.h5", complete)
    return dict(begin=t_begin, write=t_write, plain=t_plain, complete=complete)


def kill_runs(tmp_path: Path, kills: int) -> Counter:
    cal = calibrate(tmp_path)
    rng = random.Random(SEED)
    out = tmp_path / "out"
    out.mkdir()
    states: Counter = Counter()
    temps_left: set[str] = set()
    for i in range(kills):
        kind = ("plain", "write", "early", "write")[i % 4]
        target = out / f"{NAME}.h5"
        keep = i % 3 == 1                        # a complete earlier result is in place
        if keep and not target.exists():
            shutil.copy(cal["complete"], target)
        elif not keep:
            target.unlink(missing_ok=True)
        tag = f"kill-{i}"
        if kind == "plain":
            run = Run(out, tag, instrumented=False)
            time.sleep(rng.uniform(0.0, 1.1 * cal["plain"]))
        elif kind == "early":
            run = Run(out, tag)
            time.sleep(rng.uniform(0.0, cal["begin"]))
        else:
            run = Run(out, tag)
            run.wait_for("open")
            time.sleep(rng.uniform(0.0, 1.3 * cal["write"]))
        killed = run.kill()
        text = assert_directory_state(out, f"{tag} ({kind})")
        if text is None:
            state = "no file"
        elif f'"{tag}"' in text:
            state = "complete (this run)"
        else:
            state = "complete (earlier)"
        assert keep or state != "complete (earlier)"
        assert not (keep and state == "no file"), f"{tag}: a complete earlier result was lost"
        temps_left.update(temporaries(out))
        states[(kind, state if killed else "finished before the kill")] += 1
        states["temporaries left by kills"] = len(temps_left)
    # the next run removes every temporary file a killed run left, and writes a complete result
    final = Run(out, "final")
    code, err = final.finish()
    assert code in (0, 1), err
    assert temporaries(out) == [], "a killed run's temporary file was not removed by the next run"
    assert '"final"' in assert_directory_state(out, "final")
    assert sum(n for (k, s), n in _pairs(states) if k == "write" and s != "finished before the kill") > 0
    assert temps_left, "no kill hit the HDF5 write (no temporary file was ever left behind)"
    return states


def _pairs(states: Counter):
    return [(k, n) for k, n in states.items() if isinstance(k, tuple)]


def report(states: Counter, kills: int, seconds: float) -> None:
    print(f"\n{kills} kills in {seconds:.1f} s (seed {SEED}):")
    for key, n in sorted(_pairs(states)):
        print(f"  {key[0]:>6}: {key[1]:<28} {n}")
    print(f"  temporary files left by kills (all removed by the next run): {states['temporaries left by kills']}")


# ---------------------------------------------------------------------------------------------------- tests
def test_sigkill_at_random_moments_leaves_a_complete_result_or_none(tmp_path):
    start = time.monotonic()
    states = kill_runs(tmp_path, kills=12)
    report(states, 12, time.monotonic() - start)


@pytest.mark.slow
def test_sigkill_many_random_moments(tmp_path):
    start = time.monotonic()
    states = kill_runs(tmp_path, kills=90)
    report(states, 90, time.monotonic() - start)


def test_concurrent_writers_of_one_target(tmp_path):
    """A and C hold their temporary files open; C is killed; B starts and cleans: C's stale file goes, A's live
    one stays. Released, A and B both finish (neither lost its temporary file) and the last rename wins."""
    out, go = tmp_path / "out", tmp_path / "go"
    a = Run(out, "writer-A", hold=go, delay=0.004)
    c = Run(out, "writer-C", hold=go, delay=0.004)
    assert a.wait_for("open") and c.wait_for("open")
    assert c.kill()
    stale = [n for n in temporaries(out) if TEMP.fullmatch(n)[1] == str(c.proc.pid)]
    assert len(stale) == 1 and len(temporaries(out)) == 2
    b = Run(out, "writer-B", hold=go, delay=0.004)
    assert b.wait_for("open")
    owners = sorted(int(TEMP.fullmatch(n)[1]) for n in temporaries(out))
    assert owners == sorted([a.proc.pid, b.proc.pid]), "B removed a live temporary file or kept a stale one"
    inodes = {int(TEMP.fullmatch(n)[1]): os.stat(out / n).st_ino for n in temporaries(out)}
    go.touch()
    results = [a.finish(), b.finish()]
    assert [code for code, _ in results] in ([0, 0], [0, 1], [1, 0], [1, 1]), results
    assert temporaries(out) == []
    text = assert_directory_state(out, "concurrent")
    # the target is one writer's file as a whole (renamed, not merged), the one of the last rename
    winner = {inodes[a.proc.pid]: "A", inodes[b.proc.pid]: "B"}[os.stat(out / f"{NAME}.h5").st_ino]
    assert f'"writer-{winner}"' in text
    # ... whose rename came last: its rename cannot have ended before the other's began
    loser = "B" if winner == "A" else "A"
    stamps = {tag: dict(line.split() for line in run.markers.read_text().splitlines() if line)
              for tag, run in (("A", a), ("B", b))}
    assert float(stamps[winner]["replaced"]) >= float(stamps[loser]["replacing"]), stamps


# ------------------------------------------------------------------------ stale temporary files (in process)
def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temporaries_are_removed_and_live_ones_kept(tmp_path):
    from solvers.storage.atomic import STALE_AGE_S, _writer_id, atomic_h5, stale_temporaries
    me, dead, other = _writer_id(), _dead_pid(), "0123456789ab"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        old = time.time() - STALE_AGE_S - 60
        files = {                                                   # name -> (mtime or None, removed?)
            f".x.h5.{dead}-{me}.0a1b2c3d.tmp": (None, True),           # killed writer on this machine
            f".x.h5.{sleeper.pid}-{me}.0a1b2c3d.tmp": (None, False),   # live writer
            f".x.h5.{os.getpid()}-{me}.0a1b2c3d.tmp": (None, False),   # this process (another thread)
            f".x.h5.{sleeper.pid}-{me}.11112222.tmp": (old, True),     # "live" PID but a day old: recycled
            f".x.h5.{dead}-{other}.0a1b2c3d.tmp": (None, False),       # another machine: PIDs mean nothing
            f".x.h5.{dead}-{other}.33334444.tmp": (old, True),         # ... unless a day old
            ".x.h5.ab12CD_z.tmp": (None, False),                       # mkstemp name of older versions: age
            ".x.h5.zz12CD_z.tmp": (old, True),
            f".x.h5.v2.{dead}-{me}.0a1b2c3d.tmp": (None, False),       # temporary file of x.h5.v2.h5 ...
            f".y.h5.{dead}-{me}.0a1b2c3d.tmp": (old, False),           # ... or of another target
            "x.h5.tmp": (old, False),                                  # not ours at all
        }
        for name, (mtime, _) in files.items():
            (tmp_path / name).write_bytes(b"partial")
            if mtime is not None:
                os.utime(tmp_path / name, (mtime, mtime))
        expected = sorted(n for n, (_, removed) in files.items() if removed)
        assert sorted(p.name for p in stale_temporaries(tmp_path / "x.h5")) == expected
        with atomic_h5(tmp_path / "x.h5") as f:
            f.attrs["ok"] = 1
        kept = sorted(n for n, (_, removed) in files.items() if not removed)
        assert sorted(os.listdir(tmp_path)) == sorted(kept + ["x.h5"])
    finally:
        sleeper.kill()
        sleeper.wait()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="zombie detection reads /proc")
def test_a_zombie_writer_counts_as_dead():
    from solvers.storage.atomic import _pid_alive
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 30
    stat = Path(f"/proc/{proc.pid}/stat")
    while stat.read_text().rsplit(")", 1)[1].split()[0] != "Z" and time.monotonic() < deadline:
        time.sleep(0.01)                        # exited but not reaped: a zombie
    try:
        assert not _pid_alive(proc.pid)
        assert _pid_alive(os.getpid())
    finally:
        proc.wait()
    assert not _pid_alive(proc.pid)


def test_result_files_get_the_umask_permissions(tmp_path):
    """The temporary file is renamed onto the target, so its mode is the result's: not mkstemp's 0600."""
    from solvers.storage.atomic import atomic_h5
    umask = os.umask(0o022)
    try:
        with atomic_h5(tmp_path / "x.h5") as f:
            f.attrs["ok"] = 1
    finally:
        os.umask(umask)
    assert os.stat(tmp_path / "x.h5").st_mode & 0o777 == 0o644
