"""Bitwise comparison of this tree's run results with those of a baseline commit (issue 13: a redesign that
changes no number).

Runs every case (default: every ``cases/*.toml``) with the baseline commit's code and with this tree's, in
fresh processes of the same interpreter, and compares every dataset under ``/fields``, ``/series``,
``/comparison`` and ``/mfg`` byte for byte (same names, shapes, dtypes and bytes; NaN payloads included).
Timings, dates and the software version are attributes, so they are not compared. The baseline source is
``git archive``d into a cache directory (``.baseline/<commit>/src``) and its results are kept there, so a
second check only re-runs this tree.

    python tests/regression/baseline_identity.py [--baseline 37546a2] [--set KEY=VALUE ...] [CASE ...]

Exit status 0: every dataset identical; 1: a difference (listed); 2: a run failed to produce its file.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import h5py
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
GROUPS = ("fields", "series", "comparison", "mfg")


def _git(*args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True).stdout


def baseline_source(commit: str) -> Path:
    """The baseline's tree, unpacked once into ``.baseline/<full sha>/src``."""
    sha = _git("rev-parse", commit).decode().strip()
    src = ROOT / ".baseline" / sha / "src"
    if not (src / "solvers").is_dir():
        src.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(_git("archive", sha)), mode="r:") as tar:
            tar.extractall(src, filter="data")
    return src


def run_case(source: Path, case: Path, out: Path, overrides: list[str]) -> Path:
    """``gridshock run`` of ``case`` with the code under ``source`` (its own numba cache); returns the file."""
    env = dict(os.environ, PYTHONPATH=str(source), GRIDSHOCK_QUIET="1")
    cmd = [sys.executable, "-m", "solvers", "run", str(case), "--out", str(out), "--quiet"]
    for item in overrides:
        cmd += ["--set", item]
    proc = subprocess.run(cmd, cwd=source, env=env, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{case.name} under {source}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    import tomllib
    name = tomllib.loads(case.read_text())["name"]
    return out / f"{name}.h5"


def datasets(path: Path) -> dict[str, np.ndarray]:
    found: dict[str, np.ndarray] = {}
    with h5py.File(path, "r") as f:
        for group in GROUPS:
            if group in f:
                f[group].visititems(lambda name, obj: found.__setitem__(f"/{group}/{name}", obj[()])
                                    if isinstance(obj, h5py.Dataset) else None)
    return found


def differences(a: Path, b: Path) -> list[str]:
    da, db = datasets(a), datasets(b)
    out = [f"{name}: only in the baseline" for name in sorted(set(da) - set(db))]
    out += [f"{name}: only in this tree" for name in sorted(set(db) - set(da))]
    for name in sorted(set(da) & set(db)):
        x, y = np.asarray(da[name]), np.asarray(db[name])
        if x.dtype != y.dtype or x.shape != y.shape:
            out.append(f"{name}: {x.dtype}{x.shape} vs {y.dtype}{y.shape}")
        elif x.tobytes() != y.tobytes():
            with np.errstate(all="ignore"):
                gap = np.nanmax(np.abs(x.astype(float) - y.astype(float))) if x.dtype.kind in "fiub" else "n/a"
            out.append(f"{name}: bytes differ (max |difference| {gap})")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", nargs="*", type=Path)
    ap.add_argument("--baseline", default="37546a2")
    ap.add_argument("--set", dest="overrides", action="append", default=[])
    args = ap.parse_args(argv)
    cases = [c.resolve() for c in (args.cases or sorted((ROOT / "cases").glob("*.toml")))]
    base_src = baseline_source(args.baseline)
    tag = hashlib.sha1("\n".join(args.overrides).encode()).hexdigest()[:10]
    base_out = base_src.parent / f"results-{tag}"
    here_out = ROOT / ".baseline" / f"current-{tag}"
    base_out.mkdir(parents=True, exist_ok=True)
    here_out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for case in cases:
        try:
            name = case.stem
            base = base_out / f"{name}.h5"
            if not base.exists():
                base = run_case(base_src, case, base_out, args.overrides)
            here = run_case(ROOT, case, here_out, args.overrides)
        except RuntimeError as exc:
            print(f"ERROR {exc}")
            return 2
        if not (base.exists() and here.exists()):
            print(f"ERROR {case.name}: no result file ({base if not base.exists() else here})")
            return 2
        diff = differences(base, here)
        n = len(datasets(here))
        print(f"{'identical' if not diff else 'DIFFERENT'}  {case.name}: {n} datasets")
        for line in diff:
            print(f"    {line}")
        failed += bool(diff)
    print(f"{len(cases) - failed} of {len(cases)} cases bit-identical to {args.baseline}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
