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

import tomli_w

from ..errors import GridshockError, InputError
from ..problems.case import load_case
from .executor import map_tasks


@dataclass
class VariantOutcome:
    label: str
    code: int
    path: Path | None
    message: str = ""


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
    from ..problems.run import run_case
    label = next((o.split("=", 1)[1] for o in overrides if o.startswith("name=")), case_path)
    try:
        outcome = run_case(case_path, overrides, out_dir, progress=False)
    except GridshockError as exc:
        return VariantOutcome(label, exc.exit_code, None, str(exc))
    return VariantOutcome(label, 0 if outcome.passed else 1, outcome.path)


def run_sweep(case_path: str, vary: list[str], overrides: list[str], out_dir: str,
              scheduler: str | None = None) -> list[VariantOutcome]:
    if not vary:
        raise InputError("--vary", "(none)", "at least one KEY=V1,V2,...")
    base = load_case(case_path, overrides)        # the base case must be valid (exit 2 otherwise)
    axes = [parse_vary(v) for v in vary]
    tasks = []
    for combo in itertools.product(*[vals for _, vals in axes]):
        sets = [f"{key}={_toml_value(val)}" for (key, _), val in zip(axes, combo)]
        name = base.name + "__" + "__".join(f"{key.split('.')[-1]}-{_label(val)}" for (key, _), val in zip(axes, combo))
        tasks.append((case_path, list(overrides) + sets + [f"name={_toml_value(name)}"], out_dir))
    return map_tasks(_run_variant, tasks, scheduler)
