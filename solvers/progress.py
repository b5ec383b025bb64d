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
