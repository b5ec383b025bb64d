"""Checkpoints of a running case (``gridshock run --checkpoint-every``) and their reading for ``--resume``.

``<out>/<name>.checkpoint.h5`` (root ``kind = "checkpoint"``), rewritten atomically at every checkpoint and
removed when the run's result file is written. It holds what the continuation needs to be bit-for-bit equal to
an uninterrupted run:

* time-dependent problems (heat, Burgers): the save index ``j`` reached, its time, the step count, the step
  ``dt`` of the case, the state at ``t_j`` and every save so far (the measurements, time series included,
  are computed from the saves after the loop). No stepper carries history across saves: every multistep
  scheme (CN-AB2) restarts with its one-step starter at each save interval, so the state at a save is the
  whole state; the file says so (``stepper_history``).
* the MFG outer iteration: the iterate (``phi``, ``m``; Newton also the means ``mbar``), the iteration count,
  the Newton sweeps so far and the residual history.

``case_fingerprint`` (SHA-256 of the validated case values) makes ``--resume`` refuse a checkpoint of another
case or other ``--set`` values (exit 2).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import h5py
import numpy as np

from ..errors import InputError
from .atomic import atomic_h5

STEPPER_HISTORY = ("none: every stepper restarts at each save interval (CN-AB2 with its CN-Heun step), so the "
                   "state at a save is the whole state")


def checkpoint_path(out_dir: str | Path, name: str) -> Path:
    return Path(out_dir) / f"{name}.checkpoint.h5"


def case_fingerprint(case) -> str:
    payload = json.dumps({"values": case.values, "compare": case.compare}, sort_keys=True, default=repr)
    return hashlib.sha256(payload.encode()).hexdigest()


def write_checkpoint(path: Path, case, what: str, arrays: dict, attrs: dict) -> Path:
    """Atomically (re)write the checkpoint: ``arrays`` as datasets (dicts of arrays as groups), ``attrs``."""
    from .results import write_root_attrs
    with atomic_h5(path) as f:
        write_root_attrs(f, case, "checkpoint", float("nan"))
        f.attrs.update(kind="checkpoint", checkpoint_of=what, case_fingerprint=case_fingerprint(case),
                       stepper_history=STEPPER_HISTORY)
        g = f.create_group("checkpoint")
        g.attrs.update(attrs)
        for name, value in arrays.items():
            if isinstance(value, dict):
                sub = g.create_group(name)
                for key, arr in value.items():
                    sub.create_dataset(key, data=np.asarray(arr))
            else:
                g.create_dataset(name, data=np.asarray(value))
    return path


def resolve_resume(path: str | Path) -> Path:
    """``--resume`` takes the checkpoint file itself or the result path it belongs to."""
    path = Path(path)
    if path.is_file() and _is_checkpoint(path):
        return path
    sibling = path.with_name(path.name.removesuffix(".h5") + ".checkpoint.h5")
    if sibling.is_file() and _is_checkpoint(sibling):
        return sibling
    raise InputError("--resume", str(path), "a checkpoint file (<name>.checkpoint.h5, written with "
                     "--checkpoint-every) or the result path next to one")


def _is_checkpoint(path: Path) -> bool:
    try:
        with h5py.File(path, "r") as f:
            return f.attrs.get("kind") == "checkpoint"
    except OSError:
        return False


def read_checkpoint(path: str | Path, case, what: str) -> tuple[dict, dict]:
    """``(arrays, attrs)`` of a checkpoint of ``case``; exit 2 when it belongs to another case or kind."""
    path = resolve_resume(path)
    with h5py.File(path, "r") as f:
        if f.attrs.get("case_fingerprint") != case_fingerprint(case):
            raise InputError("--resume", str(path), f"a checkpoint of this case with the same --set values "
                             f"(it was written for case {f.attrs.get('case_name')!r} with other settings)")
        if f.attrs.get("checkpoint_of") != what:
            raise InputError("--resume", str(path), f"a checkpoint of a {what} (it holds a "
                             f"{f.attrs.get('checkpoint_of')})")
        g = f["checkpoint"]
        arrays = {}
        for name, obj in g.items():
            arrays[name] = ({k: v[()] for k, v in obj.items()} if isinstance(obj, h5py.Group) else obj[()])
        return arrays, dict(g.attrs)
