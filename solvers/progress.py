"""When to draw tqdm progress bars: on a terminal, unless ``--quiet`` (or ``GRIDSHOCK_QUIET=1``) says not.

``gridshock --quiet`` sets the environment variable, so Dask worker processes started afterwards inherit it.
"""
from __future__ import annotations

import os
import sys

QUIET_ENV = "GRIDSHOCK_QUIET"


def set_quiet(quiet: bool) -> None:
    if quiet:
        os.environ[QUIET_ENV] = "1"


def is_quiet() -> bool:
    return os.environ.get(QUIET_ENV, "") not in ("", "0")


def show_progress(progress: bool | None = None) -> bool:
    """An explicit ``progress`` wins; otherwise bars only on a terminal and not quiet."""
    if progress is not None:
        return bool(progress)
    return not is_quiet() and sys.stderr.isatty()


class TqdmProgress:
    """A tqdm bar on the terminal (a :class:`~solvers.hooks.Progress`): opened before the timed loop, so
    building it is not counted in ``run_s``."""

    def __init__(self, enabled: bool | None = None):
        self.enabled = show_progress(enabled)
        self.bar = None

    def open(self, total: float, initial: float, unit: str, desc: str) -> None:
        from tqdm import tqdm
        fmt = ("{l_bar}{bar}| t={n:.4g}/{total:.4g} [{elapsed}<{remaining}{postfix}]" if unit == "t" else None)
        self.bar = tqdm(total=total, initial=initial, disable=not self.enabled, unit=unit, desc=desc,
                        **({"bar_format": fmt} if fmt else {}))

    def advance(self, amount: float, postfix: str = "") -> None:
        if self.bar is not None:
            self.bar.update(amount)
            if postfix:
                self.bar.set_postfix_str(postfix, refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
