"""Reading, overriding and validating case files (TOML).

``parse_case(path, overrides)`` parses the file, applies ``--set KEY=VALUE`` overrides (dotted KEY, TOML
VALUE; a bare word is taken as a string), fills the defaults of :mod:`solvers.config.schema` and validates
every key. Any problem is an :class:`~solvers.errors.InputError` naming the file, the key, the value and what
is allowed. The overridden text (re-serialised TOML) is what result files store as ``case_toml``.
"""
from __future__ import annotations

import copy
import math
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import tomli_w

from ..errors import InputError
from .schema import COMPARE_KEYS, COMPARISON_DEFAULTS, REQUIRED, SCHEMA, Field

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.\-]+$")
INT64 = (-(2**63), 2**63 - 1)      # TOML integers are 64-bit; tomllib accepts any size
MAGNITUDE = (1e-100, 1e100)        # nonzero case numbers: beyond, products and squares leave double precision
RANGE = "every number of a case is 0 or of magnitude within [1e-100, 1e100]"


def representable(x) -> bool:
    """A case number the solvers can square and divide by: finite, and 0 or of magnitude in MAGNITUDE."""
    try:
        x = float(x)
    except (TypeError, ValueError, OverflowError):
        return False
    return math.isfinite(x) and (x == 0.0 or MAGNITUDE[0] <= abs(x) <= MAGNITUDE[1])


def representable_array(arr: np.ndarray) -> bool:
    a = np.abs(np.asarray(arr, dtype=float))
    return bool(np.all(np.isfinite(a) & ((a == 0) | ((a >= MAGNITUDE[0]) & (a <= MAGNITUDE[1])))))


@dataclass
class Case:
    """A validated case: ``values[section][key]`` with defaults filled, plus its source. ``under_resolved``: set
    by the resolution check (:mod:`solvers.config.resolution`) when the grid does not resolve the narrowest
    interface layer and the case opted out (``measure.allow_under_resolved``): the sentence saying so, which
    marks every measurement of the run; None otherwise."""

    path: str
    text: str
    values: dict[str, dict[str, Any]]
    compare: dict[str, dict[str, Any]] = field(default_factory=dict)
    under_resolved: str | None = None

    def __getitem__(self, section: str) -> dict[str, Any]:
        return self.values[section]

    @property
    def name(self) -> str:
        return self.values[""]["name"]

    @property
    def dim(self) -> int:
        return self.values[""]["dimension"]

    @property
    def equation(self) -> str:
        """The name of the case's equation family (:data:`solvers.families.FAMILIES`)."""
        return self.values[""]["equation"]

    @cached_property
    def spacing(self) -> tuple[float, ...]:
        """Cell widths ``h_d = (upper_d - lower_d) / points_d`` of the validated grid (computed here once)."""
        g = self.values["grid"]
        return tuple((float(hi) - float(lo)) / float(n) for lo, hi, n in zip(g["lower"], g["upper"], g["points"]))

    def error(self, key: str, value, allowed: str, reason: str = "") -> InputError:
        return InputError(key, value, allowed, file=self.path, reason=reason)


def parse_override(item: str) -> tuple[list[str], Any]:
    """``"a.b=VALUE"`` -> (["a", "b"], parsed VALUE)."""
    if "=" not in item:
        raise InputError("--set", item, "KEY=VALUE with a dotted KEY such as grid.points and a TOML VALUE")
    key, raw = item.split("=", 1)
    key = key.strip()
    if not key or any(not part for part in key.split(".")):
        raise InputError("--set", item, "KEY=VALUE with a dotted KEY such as grid.points and a TOML VALUE")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return key.split("."), value


def apply_overrides(raw: dict, overrides: list[str]) -> dict:
    raw = copy.deepcopy(raw)
    for item in overrides or []:
        parts, value = parse_override(item)
        node = raw
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise InputError(".".join(parts), item, "a key inside a table")
        node[parts[-1]] = value
    return raw


def parse_case(source: str | Path | Mapping, overrides: list[str] | None = None) -> Case:
    """A case from a TOML file (or a mapping of its tables, e.g. from a notebook) with ``--set`` overrides
    applied, every key of :data:`~solvers.config.schema.SCHEMA` type-checked and defaulted. The cross-key
    checks and the limits of its equation family follow in :func:`solvers.families.load_case`."""
    if isinstance(source, Mapping):
        path, raw = "<dict>", copy.deepcopy(dict(source))
        try:
            text = tomli_w.dumps(raw)
        except (TypeError, ValueError) as exc:
            raise InputError("(case)", "<dict>", "a mapping of TOML tables and values", reason=str(exc)) from None
    else:
        path = str(source)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError("CASE", path, "a readable case file", reason=exc.strerror or str(exc)) from None
        except UnicodeDecodeError as exc:
            raise InputError("(encoding)", path, "a UTF-8 text file", file=path, reason=str(exc)) from None
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError("(syntax)", path, "valid TOML", file=path, reason=str(exc)) from None
    try:
        raw = apply_overrides(raw, overrides or [])
        _check_integers(raw)
        if overrides:
            text = tomli_w.dumps(raw)
        values, compare = _validate(raw)
    except InputError as exc:
        raise exc.in_file(path) from None
    return Case(path=path, text=text, values=values, compare=compare)


def _check_integers(node, prefix: str = "") -> None:
    """Every integer of the case within 64 bits (TOML); a larger one would overflow float() and numpy."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for k, v in items:
        key = prefix if isinstance(k, int) else (f"{prefix}.{k}" if prefix else str(k))
        if isinstance(v, int) and not isinstance(v, bool) and not INT64[0] <= v <= INT64[1]:
            raise InputError(key, v, "an integer within the 64-bit range of TOML, -2^63 .. 2^63 - 1")
        _check_integers(v, key)


def _coerce(key: str, value, spec: Field):
    kind = spec.kind
    bad = InputError(key, value, spec.allowed or _describe(spec))
    if kind == "str":
        if not isinstance(value, str):
            raise bad
    elif kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad
    elif kind == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise bad
        if not representable(value):
            raise InputError(key, value, f"{spec.allowed or _describe(spec)}; {RANGE}")
        value = float(value)
    elif kind == "bool":
        if not isinstance(value, bool):
            raise bad
    elif kind == "list":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list):
            raise bad
    elif kind == "float_or_auto":
        if value != "auto" and (isinstance(value, bool) or not isinstance(value, (int, float))
                                or not math.isfinite(value) or value <= 0):
            raise bad
        if value != "auto" and not representable(value):
            raise InputError(key, value, f"{spec.allowed or _describe(spec)}; {RANGE}")
        value = value if value == "auto" else float(value)
    elif kind == "str_or_list":
        if not isinstance(value, (str, list)):
            raise bad
    if spec.choices and value not in spec.choices:
        raise InputError(key, value, ", ".join(str(c) for c in spec.choices))
    return value


def _describe(spec: Field) -> str:
    return {"str": "a string", "int": "an integer", "float": "a finite number", "bool": "true or false",
            "list": "a list"}.get(spec.kind, spec.kind)


def _validate(raw: dict) -> tuple[dict, dict]:
    values: dict[str, dict[str, Any]] = {}
    sections = [s for s in SCHEMA if s]
    for key in raw:
        if key not in SCHEMA[""] and key not in sections:
            raise InputError(key, raw[key], "top-level keys " + ", ".join(SCHEMA[""]) + "; tables "
                             + ", ".join(f"[{s}]" for s in sections))
    for section, fields in SCHEMA.items():
        src = raw if section == "" else raw.get(section, {})
        if section and not isinstance(src, dict):
            raise InputError(section, src, f"a table [{section}]")
        if section == "compare":
            continue
        out = {}
        for key, value in src.items():
            if section == "" and key in sections:
                continue
            dotted = f"{section}.{key}" if section else key
            if key not in fields:
                raise InputError(dotted, value, "keys of [" + (section or "top level") + "]: " + ", ".join(fields))
            out[key] = _coerce(dotted, value, fields[key])
        for key, spec in fields.items():
            if key not in out:
                if spec.default is REQUIRED:
                    dotted = f"{section}.{key}" if section else key
                    raise InputError(dotted, "(missing)", spec.allowed or _describe(spec) +
                                     (" from " + ", ".join(map(str, spec.choices)) if spec.choices else ""),
                                     reason="required")
                out[key] = copy.deepcopy(spec.default)
        values[section] = out
    return values, _validate_compare(raw.get("compare", {}))


def _validate_compare(src: dict) -> dict:
    if not isinstance(src, dict):
        raise InputError("compare", src, "tables [compare.<quantity>]")
    out = {}
    for quantity, table in src.items():
        if quantity not in COMPARISON_DEFAULTS:
            raise InputError(f"compare.{quantity}", table, "quantities " + ", ".join(COMPARISON_DEFAULTS))
        if not isinstance(table, dict):
            raise InputError(f"compare.{quantity}", table, "a table with rtol, atol, enabled")
        entry = {}
        for key, value in table.items():
            if key not in COMPARE_KEYS:
                raise InputError(f"compare.{quantity}.{key}", value, "keys rtol, atol, enabled")
            entry[key] = _coerce(f"compare.{quantity}.{key}", value, COMPARE_KEYS[key])
            if key in ("rtol", "atol") and entry[key] < 0:
                raise InputError(f"compare.{quantity}.{key}", value, "a number >= 0")
        out[quantity] = entry
    return out


def as_float_list(case: Case, key: str, value, length: int | None = None) -> np.ndarray:
    """A list of finite numbers of the given length, or an InputError naming ``key``."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise case.error(key, value, "a list of numbers" if length is None else f"a list of {length} numbers") from None
    wanted = "a non-empty list of finite numbers" if length is None else f"a list of {length} finite numbers"
    if arr.ndim != 1 or arr.size == 0 or (length is not None and arr.size != length) or not np.all(np.isfinite(arr)):
        raise case.error(key, value, wanted)
    if not representable_array(arr):
        raise case.error(key, value, f"{wanted}; {RANGE}")
    return arr
