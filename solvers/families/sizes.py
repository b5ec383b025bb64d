"""The :class:`~solvers.config.limits.RunSize` of a time loop that stores its saves (heat, Burgers)."""
from __future__ import annotations

from ..config.case import Case
from ..config.limits import RunSize


def snapshot_size(case: Case, arrays_per_level: int) -> RunSize:
    """``time.saves + 1`` snapshots plus the measurement times; refused levels name ``time.saves``."""
    times = case["measure"]["times"]
    extra = len(times) if isinstance(times, list) else 0
    levels = case["time"]["saves"] + 1.0 + extra
    nu = case["method"]["nu"]
    return RunSize(
        arrays_per_level=arrays_per_level, stored_levels=levels, level_word="stored snapshots",
        intervals=case["time"]["saves"], spread_nu=nu, spread_tau=2.0 * nu * float(case["time"]["stop"]),
        levels_key="time.saves", levels_value=case["time"]["saves"],
        levels_allowed=lambda fit: (f"time.saves <= {max(int(fit - 1 - extra), 0)} with these grid points (or fewer "
                                    "grid points)"))
