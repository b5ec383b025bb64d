"""Coercion of values read from HDF5 (attributes, datasets) into plain Python and numpy values.

Private helpers shared by :mod:`postprocess.model` and :mod:`postprocess.read`: nothing here raises on an odd
value; a value that cannot be read as asked gives ``None``, NaN or an empty list.
"""
from __future__ import annotations

import math
from typing import Any

import h5py
import numpy as np


def decode(value: Any) -> Any:
    """An HDF5 attribute as a plain Python value (str, bool, int, float) or a numpy array."""
    if isinstance(value, h5py.Empty):
        return None
    if isinstance(value, (bytes, np.bytes_)):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return decode(value[()])
        if value.dtype.kind in "SO":
            return [decode(v) for v in value.tolist()]
        return value
    if isinstance(value, np.generic):
        return value.item()
    return value


def as_float(value: Any) -> float:
    """A scalar as float; NaN for ``None``, strings and arrays of other than one element."""
    if value is None or isinstance(value, str):
        return math.nan
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return math.nan
    return float(arr.reshape(-1)[0]) if arr.size == 1 else math.nan


def as_array(value: Any) -> np.ndarray | None:
    if value is None:
        return None
    return np.atleast_1d(np.asarray(value))


def opt_str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, np.ndarray):
        return ", ".join(str(v) for v in value.tolist())
    return str(value)


def opt_bool(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip().lower() in ("true", "passed", "pass", "yes", "1")
    arr = np.asarray(value)
    return bool(arr.all()) if arr.size else None


def entry(value: Any, i: int, n: int) -> float:
    """Entry ``i`` of a per-time array (or the scalar itself when stored as an attribute)."""
    if isinstance(value, np.ndarray) and value.ndim == 1:
        return float(value[i]) if len(value) == n else math.nan
    return float(value)


def finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def name_list(value: Any) -> list[str]:
    """A comma-separated string (or a list/array of strings) as a list of stripped, non-empty names."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else [str(v) for v in np.atleast_1d(value).tolist()]
    return [s.strip() for s in items if str(s).strip()]


def safe_name(name: str) -> str:
    """``name`` with every character other than letters, digits, ``._-`` replaced by ``_``."""
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
    return safe or "result"
