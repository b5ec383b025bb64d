"""Convergence studies that know their error floor (issue 14 item 7).

Levels whose error is within 10x of the round-off / reference floor are marked and left out of the order; a
measure without two levels above it is "not assessable" (no verdict, not a pass); a real order miss above the
floor still fails; ``--coarsen`` goes down from a case tuned for accuracy to show its asymptotic range.
"""
from __future__ import annotations

import math
from pathlib import Path

import h5py
import numpy as np
import pytest

from postprocess.io import load_result
from postprocess.model import checks
from postprocess.tables import eoc_table, order_lines
from solvers.cli import main
from solvers.studies.floor import EPS, FLOOR_FACTOR, NOT_ASSESSABLE, assess

CASES = Path(__file__).resolve().parents[2] / "cases"
HEAT = str(CASES / "heat_symmetric_1d.toml")


def _measures(path: Path) -> dict:
    with h5py.File(path) as f:
        g = f["convergence"]
        return {k: {"at_floor": g[k]["at_floor"][:], "floor": g[k]["floor"][:], "error": g[k]["error"][:],
                    **{a: g[k].attrs[a] for a in g[k].attrs}}
                for k in g if isinstance(g[k], h5py.Group)} | {"levels": g["levels"][:], "h": g["h"][:]}


# ---------------------------------------------------------------------------------------------- end to end
def test_shipped_heat_case_refined_into_the_floor_passes_and_marks_it(tmp_path, capsys):
    """The shipped grid (1536 points, central4 + rk4) refined twice, to t = 0.3: the finest density error is at
    round-off (7e-12 after 8e4 steps, eps N = 1.9e-11; its EOC 3.7 failed the old last-pair rule). It is marked
    ``(floor)`` in the table and the file, the order comes from the levels above it, exit 0."""
    code = main(["convergence", HEAT, "--levels", "3", "--set", "time.stop=0.3", "--set", "measure.times=[0.3]",
                 "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    m = _measures(tmp_path / "heat_symmetric_1d_convergence.h5")
    density = m["density_l2_error"]
    assert density["at_floor"].tolist()[0] is False and density["at_floor"][-1]
    assert density["error"][-1] <= FLOOR_FACTOR * density["floor"][-1]
    assert "(floor)" in out and "left out of the order" in out
    score = m["score_linf_error"]                        # still well above its floor: assessed at order 4
    assert score["assessment"] == "order met" and abs(score["observed_order"] - 4) <= 0.2
    csv = (tmp_path / "heat_symmetric_1d_convergence.csv").read_text().splitlines()
    assert "density_l2_error_at_floor" in csv[0] and csv[-1].split(",")[8] == "1"


def test_coarsening_the_shipped_case_shows_its_order(tmp_path, capsys):
    """``--coarsen`` from the shipped heat case (1536 -> 768 -> 384 points): levels -2, -1, 0, none at the floor,
    both measures at central4's order 4 within 0.2."""
    code = main(["convergence", HEAT, "--levels", "3", "--coarsen", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    m = _measures(tmp_path / "heat_symmetric_1d_convergence.h5")
    assert m["levels"].tolist() == [-2, -1, 0]
    np.testing.assert_allclose(m["h"], [12 / 384, 12 / 768, 12 / 1536])
    for name in ("density_l2_error", "score_linf_error"):
        assert not m[name]["at_floor"].any()
        assert abs(m[name]["observed_order"] - 4) <= 0.2, (name, m[name]["observed_order"])
        assert m[name]["fit_levels"].tolist() == [-1, 0]
    assert "coarsening from the case's grid" in out


def test_coarsening_below_what_the_case_accepts_is_refused(tmp_path, capsys):
    """192 points no longer resolve the interface layer: the case's own check refuses it, up front (exit 2)."""
    code = main(["convergence", HEAT, "--levels", "4", "--coarsen", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "level -3 (grid.points = [192]) is refused by the case" in err and "at most 3 with --coarsen" in err
    assert not list(tmp_path.glob("*.h5"))


def test_a_spectral_case_at_round_off_is_not_assessable_and_does_not_fail(tmp_path, capsys):
    """Fourier + the exact integrating factor, shipped to t = 1: every level's error is 2e-16 .. 3e-13, at the
    floor (the score's grows like 1/h: rounding of log p through the derivative). Both measures
    are "not assessable: at floor" (no verdict stored), the study exits 0 and says so."""
    code = main(["convergence", str(CASES / "heat_periodic_spectral_1d.toml"), "--levels", "2",
                 "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    m = _measures(tmp_path / "heat_periodic_spectral_1d_convergence.h5")
    for name in ("density_l2_error", "score_linf_error"):
        assert m[name]["at_floor"].all() and m[name]["assessment"] == NOT_ASSESSABLE and "passed" not in m[name]
    assert "no verdict" in out and "not assessable (at floor): density_l2_error, score_linf_error" in out


def test_help_documents_the_floor_and_coarsening(capsys):
    with pytest.raises(SystemExit):
        main(["convergence", "--help"])
    text = capsys.readouterr().out
    assert "--coarsen" in text and "at floor" in text and "not assessable" in text


# ---------------------------------------------------------------------------------------------- the assessment
H = 0.1 / 2.0 ** np.arange(5)
LEVELS = np.arange(5)


def test_a_real_order_miss_above_the_floor_fails():
    """Second-order errors where fourth order is expected, far above a tiny floor: FAIL (not vacuous) ..."""
    error = 1e-2 * (H / H[0]) ** 2
    a = assess(error, np.full(5, 1e-16), H, LEVELS, expected=4.0, tolerance=0.2)
    assert not a.at_floor.any()
    assert a.passed is False and a.assessment == "order missed" and abs(a.observed - 2) < 1e-9


def test_a_miss_is_not_hidden_by_floor_levels_below_it():
    """... and still FAIL when the finest levels sit at the floor: the order comes from the two finest above it."""
    error = 1e-3 * (H / H[0]) ** 2.5
    floor = np.array([1e-12, 1e-12, 1e-12, 1e-5, 1e-5])     # the last two within 10x of their floor
    a = assess(error, floor, H, LEVELS, expected=4.0, tolerance=0.2)
    assert a.at_floor.tolist() == [False, False, False, True, True]
    assert a.passed is False and a.fit_levels == [1, 2] and abs(a.observed - 2.5) < 1e-9


def test_a_measure_entirely_at_the_floor_is_not_assessable():
    """Round-off noise (it grows under refinement): no order, no verdict, said as such, and no failure."""
    steps = 1e4 * 4.0 ** LEVELS
    floor = EPS * steps
    error = 0.3 * floor
    a = assess(error, floor, H, LEVELS, expected=4.0, tolerance=0.2)
    assert a.at_floor.all() and a.passed is None and a.assessment == NOT_ASSESSABLE
    assert math.isnan(a.observed) and a.fit_levels == []
    one_above = assess(np.append(1e-6, error[1:]), floor, H, LEVELS, expected=4.0, tolerance=0.2)
    assert one_above.passed is None              # one level above the floor is not an order either


def test_not_assessable_is_stored_and_reported_without_a_verdict(tmp_path):
    """The study file of a measure at the floor has no ``passed`` (the summary counts no pass), its
    assessment says why, and the EOC table says 'no verdict' instead of PASS."""
    from solvers.families import load_case
    from solvers.studies import convergence

    floor = EPS * 1e4 * 4.0 ** LEVELS[:3]
    measures = {"density_l2_error": assess(0.3 * floor, floor, H[:3], LEVELS[:3], 4.0, 0.2),
                "score_linf_error": assess(1e-3 * (H[:3] / H[0]) ** 4, floor, H[:3], LEVELS[:3], 4.0, 0.2)}
    results = [dict(h=h, dt=h * h, run_s=0.1, steps=int(s)) for h, s in zip(H[:3], 1e4 * 4.0 ** LEVELS[:3])]
    base = {"case": load_case(HEAT, [])}
    path = tmp_path / "synthetic_convergence.h5"
    convergence._write_h5(path, base, "both", "refine", 4.0, list(LEVELS[:3]), results, measures, True, 0.0)
    with h5py.File(path) as f:
        g = f["convergence/density_l2_error"]
        assert "passed" not in g.attrs and g.attrs["assessment"] == NOT_ASSESSABLE
        assert f["convergence/score_linf_error"].attrs["passed"]
        assert f["comparison/convergence_order"].attrs["passed"]          # from the assessable measure
    result = load_result(path)
    verdicts = dict(checks(result))
    assert verdicts["order of density_l2_error"] is None and verdicts["order of score_linf_error"] is True
    lines = order_lines(result)
    assert lines[0].startswith("density_l2_error: not assessable: at floor") and lines[0].endswith("no verdict")
    assert "PASS" not in lines[0]
    assert "(floor)" in eoc_table(result)
