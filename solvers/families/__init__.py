"""The registered equation families (``heat``, ``burgers``, ``mfg``) and the loading of a fully validated case.

A case resolves its family by ``equation``; an unknown name lists the allowed ones. Adding a family is one
module here with one :class:`~solvers.families.base.EquationFamily` entry registered in :data:`FAMILIES`.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..config.case import Case, parse_case
from ..registry import Registry
from .base import EquationFamily

FAMILIES: Registry[EquationFamily] = Registry("equation")

from . import burgers, heat, mfg  # noqa: E402  (each registers its entry)

for _family in (heat.FAMILY, burgers.FAMILY, mfg.FAMILY):
    FAMILIES.add(_family)


def family_of(case: Case) -> EquationFamily:
    """The registered family of a case (its ``equation``)."""
    return FAMILIES.get(case.equation, "equation")


def load_case(source: str | Path | Mapping, overrides: list[str] | None = None) -> Case:
    """Parse (:func:`~solvers.config.case.parse_case`), then the family's checks and limits: a case that passes
    runs; anything else is an :class:`~solvers.errors.InputError` naming the file, key, value and what is
    allowed."""
    case = parse_case(source, overrides)
    family_of(case).validate(case)
    return case


__all__ = ["FAMILIES", "EquationFamily", "family_of", "load_case"]
