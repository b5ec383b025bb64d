"""``gridshock convergence``'s EOC table against the registered formal orders (issue 6): the study's expected
order is read from the registries, and the observed order of the asymptotic levels lies within 0.2 of it."""
from __future__ import annotations

from pathlib import Path

import h5py
import pytest

from solvers.cli import main
from solvers.equations.advection import BURGERS_SPACE_SCHEMES
from solvers.equations.space import SPACE_SCHEMES

CASES = Path(__file__).resolve().parents[2] / "cases"


def _study(tmp_path, case, levels, sets):
    argv = ["convergence", str(CASES / case), "--levels", str(levels), "--out", str(tmp_path), "--quiet"]
    for s in sets:
        argv += ["--set", s]
    code = main(argv)
    path = next(tmp_path.glob("*_convergence.h5"))
    with h5py.File(path) as f:
        g = f["convergence"]
        return code, float(g.attrs["expected_order"]), {k: float(g[k].attrs["observed_order"])
                                                        for k in g if isinstance(g[k], h5py.Group)}


@pytest.mark.parametrize("space", ["central2", "central4"])
def test_heat_eoc_matches_the_registered_space_order(tmp_path, space):
    """Crank-Nicolson with dt ~ h^(p/2): the density error falls at the space scheme's registered order."""
    code, expected, observed = _study(tmp_path, "heat_symmetric_1d.toml", 3, [
        "grid.points=[96]", "measure.allow_under_resolved=true", f'method.space="{space}"',
        'method.time="crank_nicolson"', "time.stop=0.3",
        "measure.times=[0.3]"])
    assert expected == SPACE_SCHEMES.get(space).order
    assert code == 0
    assert abs(observed["density_l2_error"] - expected) <= 0.2


def test_weno5_eoc_matches_the_registered_orders(tmp_path):
    """WENO5 flux + central4 diffusion + RK4 on the travelling shock: the solution order is the registered
    minimum of the flux (5) and the diffusion stencil (4); RK4 at the advective CFL gives dt^4 ~ h^4."""
    code, expected, observed = _study(tmp_path, "burgers_travelling_shock_1d.toml", 4, [
        "grid.points=[256]", 'method.space="weno5"', 'method.diffusion="central4"', 'method.time="rk4"',
        "method.crosscheck=false", "time.stop=0.5"])
    assert BURGERS_SPACE_SCHEMES.get("weno5").order == 5
    assert expected == min(BURGERS_SPACE_SCHEMES.get("weno5").order, SPACE_SCHEMES.get("central4").order)
    assert code == 0
    for name in ("score_l2_error", "score_linf_error"):
        assert abs(observed[name] - expected) <= 0.2, (name, observed[name])
