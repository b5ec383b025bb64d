"""A measured quantity against its closed-form reference, with the tolerance test of CONTRACT.md.

Pass rule (per entry): ``|measured - reference| <= atol + rtol * |reference|`` (an unset tolerance counts as
0). Error measures (``*_error``, ``curl_linf``) have reference 0 and are tested with ``atol``. An event that
does not happen (e.g. "no speciation") is ``None``: it passes only when the reference is ``None`` too.

``flags`` are short machine-readable words that qualify a comparison without changing its verdict (the result
file's ``/comparison/<q>@flags``; the printed table shows them beside PASS/FAIL), each explained in ``note``
where the measurement says more: ``under_resolved`` (the run opted out of the resolution check,
:mod:`solvers.config.resolution`), ``gaps``, ``several_crossings``, ``left_pair`` (ANALYTIC §7: an event
series with gaps, several sign changes, or an interface that left the measured pair).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Comparison:
    quantity: str
    measured: object            # float, None (no event) or 1-D array aligned with ``at``
    reference: object
    rtol: float | None
    atol: float | None
    method: str
    at: np.ndarray | None = None
    note: str = ""
    closed_form: object = None  # the closed-form definition, when the reference is a measurement of it
    flags: tuple[str, ...] = ()  # qualifiers of the measurement (module docstring); never change ``passed``

    def add_flags(self, *flags: str) -> None:
        """Add ``flags`` (each kept once, in order of first addition)."""
        self.flags = tuple(dict.fromkeys(tuple(self.flags) + flags))

    @property
    def multi(self) -> bool:
        return self.at is not None

    def _arrays(self):
        m = np.atleast_1d(np.asarray(np.nan if self.measured is None else self.measured, dtype=float))
        r = np.atleast_1d(np.asarray(np.nan if self.reference is None else self.reference, dtype=float))
        return m, r

    @property
    def abs_error(self):
        m, r = self._arrays()
        e = np.abs(m - r)
        return e if self.multi else float(e[0])

    @property
    def rel_error(self):
        m, r = self._arrays()
        with np.errstate(divide="ignore", invalid="ignore"):
            e = np.where(r != 0, np.abs(m - r) / np.abs(r), np.nan)
        return e if self.multi else float(e[0])

    @property
    def passed_each(self) -> np.ndarray:
        if self.measured is None or self.reference is None:
            return np.atleast_1d(self.measured is None and self.reference is None)
        m, r = self._arrays()
        bound = (self.atol or 0.0) + (self.rtol or 0.0) * np.abs(r)
        return np.isfinite(m) & (np.abs(m - r) <= bound)

    @property
    def passed(self) -> bool:
        return bool(np.all(self.passed_each))

    @property
    def tolerance(self) -> str:
        parts = [f"rtol={self.rtol:g}"] if self.rtol is not None else []
        parts += [f"atol={self.atol:g}"] if self.atol is not None else []
        return ", ".join(parts) or "none"
