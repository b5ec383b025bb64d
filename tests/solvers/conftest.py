"""Shared fixtures of the solver tests: small, fast case files written into ``tmp_path``.

The 1D case is the symmetric binary mixture (a = 1, s0 = 0.25) on [-4, 4] with 256 cells (h = 0.03125 <= s0),
central2 / rk4, stopped at t = 0.3 (well before speciation at 0.9375) with 10 saves. The 2D case is the same
mixture along x (s0 = 0.3) on a 48 x 48 grid, which does not resolve its interface layer (ell(0) = 0.09, h = 0.1)
and opts out of that check (``measure.allow_under_resolved``: its comparisons are flagged ``under_resolved``).
The tolerances are loosened so that both pass at these coarse resolutions: these cases test the pipeline
(validation, CLI, result layout), not the accuracy.
"""
from __future__ import annotations

from pathlib import Path

import pytest

CASE_1D = """\
name = "{name}"
equation = "heat"
dimension = 1
description = "small symmetric mixture for the CLI and validation tests"

[data]
weights = [0.5, 0.5]
means = [-1.0, 1.0]
stds = [0.25, 0.25]

[grid]
lower = [-4.0]
upper = [4.0]
points = [256]
boundary = "exact"

[time]
stop = 0.3
saves = 10

[method]
space = "central2"
time = "rk4"

[compare.density_l2_error]
atol = 1e-2
[compare.interface_width]
rtol = 5e-2
[compare.layer_linf_error]
atol = 1.0
[compare.score_linf_error]
atol = 10.0
[compare.mass_error]
atol = 1e-5
"""

CASE_2D = """\
name = "{name}"
equation = "heat"
dimension = 2

[data]
weights = [0.5, 0.5]
means = [[-1.0, 0.0], [1.0, 0.0]]
stds = [0.3, 0.3]

[grid]
lower = [-2.4, -1.6]
upper = [2.4, 1.6]
points = [48, 48]
boundary = "exact"

[time]
stop = 0.2
saves = 5

[method]
space = "central2"
time = "rk4"

[measure]
allow_under_resolved = true   # h = 0.1 > ell(0)/2 = 0.045: coarse on purpose, flagged under_resolved

[compare.density_l2_error]
atol = 1e-2
[compare.interface_width]
rtol = 0.5
[compare.layer_linf_error]
atol = 2.0
[compare.score_linf_error]
atol = 5.0
[compare.mass_error]
atol = 1e-2
"""

# facts about the 1D case that tests check results against
SMALL_1D = dict(lower=-4.0, upper=4.0, points=256, stop=0.3, saves=10, nu=0.5, std=0.25)
SMALL_2D = dict(points=(48, 48), stop=0.2, saves=5)


def write_case(directory: Path, name: str = "small1d", dim: int = 1, filename: str | None = None,
               extra: str = "") -> Path:
    """Write the small ``dim``-D case named ``name`` (plus ``extra`` TOML text) into ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    text = (CASE_1D if dim == 1 else CASE_2D).format(name=name) + extra
    path = directory / (filename or f"{name}.toml")
    path.write_text(text)
    return path


@pytest.fixture
def make_case(tmp_path):
    """Factory: ``make_case(name="small1d", dim=1, filename=None, extra="", directory=tmp_path / "cases")``."""
    def make(name: str = "small1d", dim: int = 1, filename: str | None = None, extra: str = "",
             directory: Path | None = None) -> Path:
        return write_case(directory or tmp_path / "cases", name, dim, filename, extra)
    return make


@pytest.fixture
def case1d(make_case) -> Path:
    return make_case()


@pytest.fixture
def case2d(make_case) -> Path:
    return make_case(name="small2d", dim=2)


@pytest.fixture
def out_dir(tmp_path) -> Path:
    """A result directory that does not exist yet (the CLI must create it only when it writes)."""
    return tmp_path / "out"
