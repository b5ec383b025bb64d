"""The two kinds of failure a user can meet, each with its exit code (CONTRACT.md).

* :class:`InputError` (exit 2): the case file or the command line is invalid. The message names the file,
  the key, the offending value and what is allowed, on one line; nothing is written.
* :class:`NumericalFailure` (exit 3): the integration blew up (NaN/Inf) or violated a stability limit; the
  message says when (time, step), where (grid point) and which limit.
"""
from __future__ import annotations


def one_line(text: str) -> str:
    """``text`` with every non-printable character (line breaks, control characters) escaped, so that a key,
    file name or value taken from user input cannot break the one-line message."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


class GridshockError(Exception):
    """Base class of the errors the CLI reports without a traceback."""

    exit_code = 1


class InputError(GridshockError, ValueError):
    """Invalid user input: one line naming file, key, value and what is allowed."""

    exit_code = 2

    def __init__(self, key: str, value, allowed: str, file: str | None = None, reason: str = ""):
        self.key, self.value, self.allowed, self.file, self.reason = key, value, allowed, file, reason
        super().__init__(self._message())

    def _message(self) -> str:
        where = f"{self.file}: " if self.file else ""
        why = f" ({self.reason})" if self.reason else ""
        return one_line(f"{where}key '{self.key}' has invalid value {self.value!r}{why}; allowed: {self.allowed}")

    def in_file(self, file: str) -> "InputError":
        """The same error, attributed to ``file`` (set once the file name is known)."""
        return InputError(self.key, self.value, self.allowed, file=file, reason=self.reason)


class NumericalFailure(GridshockError, ArithmeticError):
    """The integration failed: time, step, location and the violated limit."""

    exit_code = 3

    def __init__(self, what: str, time: float, step: int, where: str = "", limit: str = ""):
        self.what, self.time, self.step, self.where, self.limit = what, time, step, where, limit
        parts = [f"numerical failure: {what} at t={time:.6g} (step {step})"]
        if where:
            parts.append(f"at {where}")
        if limit:
            parts.append(f"limit: {limit}")
        super().__init__("; ".join(parts))
