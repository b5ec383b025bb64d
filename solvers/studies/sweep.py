"""``gridshock sweep CASE --vary KEY=V1,V2,...``: every combination of the varied keys as one Dask task.

Each variant is the case with ``--set`` overrides plus ``name = <name>__<key>-<value>...`` so that every
variant writes its own result file. Values are TOML (``--vary 'data.weights=[0.3,0.7],[0.4,0.6]'``); bare
words are strings (``--vary method.time=euler,rk4``).
"""
from __future__ import annotations

import itertools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import h5py
import tomli_w

from ..errors import GridshockError, InputError
from ..families import load_case
from ..progress import show_progress
from .executor import map_tasks


@dataclass
class VariantOutcome:
    label: str
    code: int
    path: Path | None
    message: str = ""
    settings: tuple = ()
    wall_time_s: float = float("nan")
    failed: int = 0
    compile_s: float = float("nan")


def parse_vary(item: str) -> tuple[str, list]:
    if "=" not in item:
        raise InputError("--vary", item, "KEY=V1,V2,... with a dotted KEY and TOML values")
    key, raw = item.split("=", 1)
    try:
        values = tomllib.loads(f"v = [{raw}]")["v"]
    except tomllib.TOMLDecodeError:
        values = [v.strip() for v in raw.split(",")]
    if not key.strip() or not values:
        raise InputError("--vary", item, "KEY=V1,V2,... with at least one value")
    return key.strip(), values


def _toml_value(value) -> str:
    return tomli_w.dumps({"v": value}).split("=", 1)[1].strip()


def _label(value) -> str:
    return re.sub(r"[^A-Za-z0-9_.\-]+", "_", _toml_value(value).strip('"')).strip("_")


def _run_variant(case_path: str, overrides: list[str], out_dir: str) -> VariantOutcome:
    from ..runs.run import run_case
    label = next((o.split("=", 1)[1] for o in overrides if o.startswith("name=")), case_path).strip('"')
    try:
        outcome = run_case(case_path, overrides, out_dir, progress=False)
    except GridshockError as exc:
        return VariantOutcome(label, exc.exit_code, None, str(exc))
    failed = sum(1 for c in outcome.comparisons if not c.passed)
    with h5py.File(outcome.path, "r") as f:     # first kernel calls of this task: numba cache load when hot
        compile_s = float(f["timings"].attrs.get("compile_s", float("nan"))) if "timings" in f else float("nan")
    return VariantOutcome(label, 0 if outcome.passed else 1, outcome.path, wall_time_s=outcome.wall_time_s,
                          failed=failed, compile_s=compile_s)


def run_sweep(case_path: str, vary: list[str], overrides: list[str], out_dir: str,
              scheduler: str | None = None, progress: bool | None = None) -> list[VariantOutcome]:
    """Every combination as one Dask task; a failing variant (exit 1/2/3) does not stop the others. Writes
    ``<case>_sweep.h5`` and ``.csv``: one row per variant with its settings, exit code, failed comparisons,
    wall time and result file."""
    if not vary:
        raise InputError("--vary", "(none)", "at least one KEY=V1,V2,...")
    base = load_case(case_path, overrides)        # the base case must be valid (exit 2 otherwise)
    axes = [parse_vary(v) for v in vary]
    tasks = []
    for combo in itertools.product(*[vals for _, vals in axes]):
        sets = [f"{key}={_toml_value(val)}" for (key, _), val in zip(axes, combo)]
        name = base.name + "__" + "__".join(f"{key.split('.')[-1]}-{_label(val)}" for (key, _), val in zip(axes, combo))
        tasks.append((case_path, list(overrides) + sets + [f"name={_toml_value(name)}"], out_dir))
    outcomes = map_tasks(_run_variant, tasks, scheduler, progress=show_progress(progress), desc=f"sweep {base.name}")
    keys = [key for key, _ in axes]
    combos = itertools.product(*[vals for _, vals in axes])
    for outcome, combo in zip(outcomes, combos):
        outcome.settings = tuple(v if isinstance(v, str) else re.sub(r"\s+", " ", _toml_value(v)).replace("[ ", "[")
                                 .replace(", ]", "]") for v in combo)
    _write_summary(Path(out_dir) / f"{base.name}_sweep", keys, outcomes)
    return outcomes


def _write_summary(stem: Path, keys: list[str], outcomes: list[VariantOutcome]) -> None:
    """The sweep table as HDF5 (atomic) and CSV."""
    import numpy as np

    from ..storage.atomic import atomic_h5, atomic_text
    stem.parent.mkdir(parents=True, exist_ok=True)
    with atomic_h5(stem.with_suffix(".h5")) as f:
        f.attrs.update(kind="sweep", varied=", ".join(keys))
        f.create_dataset("label", data=np.array([o.label for o in outcomes], dtype=object),
                         dtype=h5py.string_dtype())
        for j, key in enumerate(keys):
            f.create_dataset(f"settings/{key}", data=np.array([o.settings[j] for o in outcomes], dtype=object),
                             dtype=h5py.string_dtype())
        f.create_dataset("exit_code", data=np.array([o.code for o in outcomes]))
        f.create_dataset("failed_comparisons", data=np.array([o.failed for o in outcomes]))
        f.create_dataset("wall_time_s", data=np.array([o.wall_time_s for o in outcomes], dtype=float))
        f.create_dataset("compile_s", data=np.array([o.compile_s for o in outcomes], dtype=float))
        f.create_dataset("result_file", data=np.array([str(o.path or "") for o in outcomes], dtype=object),
                         dtype=h5py.string_dtype())
    rows = [",".join(["label"] + keys + ["exit_code", "failed_comparisons", "wall_time_s", "compile_s", "result_file"])]
    for o in outcomes:
        cells = [o.label] + list(o.settings) + [str(o.code), str(o.failed), repr(o.wall_time_s), repr(o.compile_s),
                                                str(o.path or "")]
        rows.append(",".join('"' + c.replace('"', '""') + '"' if ("," in c or '"' in c) else c for c in cells))
    atomic_text(stem.with_suffix(".csv"), "\n".join(rows) + "\n")
