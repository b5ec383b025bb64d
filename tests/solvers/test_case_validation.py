"""Case-file validation (solvers.config.case / consistency) and the ``--set KEY=VALUE`` overrides.

Every invalid input is an InputError whose one-line message names the file, the key, the offending value and
what is allowed (CONTRACT.md). Most cases below are produced from the valid small case by one ``--set``.
"""
from __future__ import annotations

import tomllib

import pytest

from solvers.equations.space import SPACE_SCHEMES
from solvers.errors import InputError
from solvers.grids.boundaries import BOUNDARY_KINDS
from solvers.integrators import TIME_SCHEMES
from solvers.families import load_case
from solvers.config.schema import COMPARISON_DEFAULTS

from .conftest import SMALL_1D


def input_error(path, overrides=None) -> InputError:
    with pytest.raises(InputError) as info:
        load_case(path, overrides)
    exc = info.value
    assert exc.exit_code == 2
    return exc


def check_message(exc: InputError, path, key: str, value: str, allowed: list[str]) -> str:
    msg = str(exc)
    assert "\n" not in msg, msg
    assert str(path) in msg, f"file path missing: {msg}"
    assert f"'{key}'" in msg, f"key {key!r} missing: {msg}"
    assert value in msg, f"offending value {value!r} missing: {msg}"
    for word in allowed:
        assert word in msg, f"allowed {word!r} missing: {msg}"
    assert "allowed" in msg
    return msg


# --------------------------------------------------------------------------------------------------- valid


def test_the_small_cases_are_valid(case1d, case2d):
    c1 = load_case(case1d)
    assert (c1.name, c1.dim) == ("small1d", 1)
    assert c1["grid"]["points"] == [SMALL_1D["points"]]
    assert c1["time"]["stop"] == SMALL_1D["stop"]
    assert c1["time"]["dt"] == "auto"             # default filled in
    assert c1["time"]["start"] == 0.0
    assert c1["method"]["nu"] == 0.5
    assert c1.text == case1d.read_text()           # no override: the file text itself
    c2 = load_case(case2d)
    assert (c2.name, c2.dim) == ("small2d", 2)
    assert c2["grid"]["points"] == [48, 48]


# --------------------------------------------------------------------- invalid values, one --set each

INVALID = [
    # (override, key, offending value as printed, words of the allowed values)
    (["colour=12345"], "colour", "12345", ["name", "equation", "dimension", "[grid]", "[time]"]),
    (["grid.colour=12345"], "grid.colour", "12345", ["lower", "upper", "points", "boundary"]),
    (['grid.points="many"'], "grid.points", "'many'", ["integer"]),
    (['time.stop="soon"'], "time.stop", "'soon'", ["number"]),
    (["time.stop=-1"], "time.stop", "-1", ["time.start"]),
    (["time.stop=0"], "time.stop", "0", ["time.start"]),
    (["time.start=0.5"], "time.stop", "0.3", ["time.start = 0.5"]),
    (["time.stop=nan"], "time.stop", "nan", ["number"]),
    (["time.safety=2"], "time.safety", "2", ["(0, 1]"]),
    (["time.safety=0"], "time.safety", "0", ["(0, 1]"]),
    (["time.saves=1"], "time.saves", "1", [">= 2"]),
    (["time.saves=2.5"], "time.saves", "2.5", ["integer"]),
    (["time.dt=-1"], "time.dt", "-1", ["positive", "auto"]),
    (["time.dt=fast"], "time.dt", "'fast'", ["positive", "auto"]),
    (["time.check_stability=1"], "time.check_stability", "1", ["true", "false"]),
    (["method.nu=-1"], "method.nu", "-1", ["positive"]),
    (["method.nu=0"], "method.nu", "0", ["positive"]),
    (["grid.points=[4]"], "grid.points", "[4]", ["8"]),
    (["grid.points=[256, 256]"], "grid.points", "[256, 256]", ["1"]),
    (["grid.points=[256.0]"], "grid.points", "[256.0]", ["integer"]),
    (["grid.upper=[-5.0]"], "grid.upper", "-5", ["above"]),
    (["dimension=3"], "dimension", "3", ["1", "2"]),
    (["equation=schrodinger"], "equation", "'schrodinger'", ["heat"]),
    (["name=a/b"], "name", "'a/b'", ["letters", "digits"]),
    (["data.weights=[0.3, 0.6]"], "data.weights", "[0.3, 0.6]", ["summing to 1"]),
    (["data.weights=[1.5, -0.5]"], "data.weights", "-0.5", ["positive"]),
    (["data.weights=[]"], "data.weights", "[]", ["summing to 1"]),
    (["data.stds=[0.25, -0.25]"], "data.stds", "-0.25", ["positive"]),
    (["data.stds=[0.25]"], "data.stds", "[0.25]", ["2"]),
    (["data.means=[1.0]"], "data.means", "[1.0]", ["2", "coordinate"]),
    (["data.means=[-1.0, 1.0, 2.0]"], "data.means", "2.0", ["2", "coordinate"]),
    (['data.means=[-1.0, "one"]'], "data.means", "'one'", ["coordinate"]),
    # the grid must hold every component: mean +- 4 std = [-2, 2] here
    (["grid.upper=[1.5]"], "grid.upper", "[1.5]", ["4 std"]),
    (["grid.lower=[-1.5]"], "grid.lower", "[-1.5]", ["4 std"]),
    # one point per std at least: 16 cells on [-4, 4] is h = 0.5 > 0.25
    (["grid.points=[16]"], "grid.points", "[16]", ["spacing", "0.25"]),
    (["measure.times=[0.5]"], "measure.times", "0.5", ["0.3"]),
    (["measure.times=[-0.1, 0.2]"], "measure.times", "-0.1", ["0.3"]),
    (["measure.components=[0, 0]"], "measure.components", "[0, 0]", ["distinct"]),
    (["measure.components=[0, 5]"], "measure.components", "[0, 5]", ["0..1"]),
    (["compare.mass_error.atol=-1"], "compare.mass_error.atol", "-1", [">= 0"]),
    (["compare.mass_error.colour=1"], "compare.mass_error.colour", "1", ["rtol", "atol", "enabled"]),
    (["data=1"], "data", "1", ["table"]),
]


@pytest.mark.parametrize("overrides, key, value, allowed", INVALID, ids=[o[0][0] for o in INVALID])
def test_invalid_value_names_file_key_value_and_allowed(case1d, overrides, key, value, allowed):
    exc = input_error(case1d, overrides)
    check_message(exc, case1d, key, value, allowed)


def test_unknown_compare_quantity_lists_every_quantity(case1d):
    exc = input_error(case1d, ["compare.colour_error.atol=1"])
    check_message(exc, case1d, "compare.colour_error", "", list(COMPARISON_DEFAULTS))


@pytest.mark.parametrize("section, registry", [("space", SPACE_SCHEMES), ("time", TIME_SCHEMES)])
def test_unknown_scheme_lists_every_registered_name(case1d, section, registry):
    names = registry.names()
    assert len(names) >= 2
    exc = input_error(case1d, [f"method.{section}=leapfrog9"])
    check_message(exc, case1d, f"method.{section}", "'leapfrog9'", names)


def test_unknown_boundary_lists_every_kind(case1d):
    exc = input_error(case1d, ["grid.boundary=reflecting"])
    check_message(exc, case1d, "grid.boundary", "'reflecting'", list(BOUNDARY_KINDS))


def test_boundary_list_of_wrong_length(case1d):
    exc = input_error(case1d, ['grid.boundary=["exact", "exact"]'])
    check_message(exc, case1d, "grid.boundary", "['exact', 'exact']", list(BOUNDARY_KINDS))


@pytest.mark.parametrize("boundary", [b for b in BOUNDARY_KINDS if b != "periodic"])
def test_spectral_space_needs_periodic_boundaries(case1d, boundary):
    spectral = [n for n in SPACE_SCHEMES.names() if SPACE_SCHEMES.get(n).kind == "spectral"]
    assert spectral, "no spectral space scheme registered"
    for name in spectral:
        exc = input_error(case1d, [f"method.space={name}", f"grid.boundary={boundary}"])
        msg = check_message(exc, case1d, "method.space", repr(name), ["periodic"])
        assert boundary in msg        # the reason names the boundary that was given


def test_spectral_with_periodic_boundary_is_valid(case1d):
    spectral = [n for n in SPACE_SCHEMES.names() if SPACE_SCHEMES.get(n).kind == "spectral"]
    case = load_case(case1d, [f"method.space={spectral[0]}", "grid.boundary=periodic"])
    assert case["method"]["space"] == spectral[0]


def test_integrating_factor_needs_the_spectral_space_scheme(case1d):
    exact = [n for n in TIME_SCHEMES.names() if TIME_SCHEMES.get(n).kind == "exact"]
    others = [n for n in TIME_SCHEMES.names() if TIME_SCHEMES.get(n).kind != "exact"]
    assert exact and others
    for name in exact:
        exc = input_error(case1d, [f"method.time={name}", "method.space=central2"])
        msg = check_message(exc, case1d, "method.time", repr(name), others)
        assert "spectral" in msg


def test_two_dimensional_points_need_two_entries(case2d):
    exc = input_error(case2d, ["grid.points=[48]"])
    check_message(exc, case2d, "grid.points", "[48]", ["2"])


def test_two_dimensional_grid_must_hold_the_mixture(case2d):
    # component 0 is at (-1, 0) with std 0.3: x down to -2.2
    exc = input_error(case2d, ["grid.lower=[-2.0, -1.6]"])
    check_message(exc, case2d, "grid.lower", "-2.0", ["4 std", "axis 0"])


# ----------------------------------------------------------------------------------- whole-file errors


def test_malformed_toml(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('name = "broken"\nequation = heat\n[grid\n')
    exc = input_error(path)
    msg = str(exc)
    assert "\n" not in msg
    assert str(path) in msg
    assert "TOML" in msg
    assert "line" in msg                     # where the syntax error is


@pytest.mark.parametrize("missing", ["name", "equation", "dimension"])
def test_missing_required_top_level_key(make_case, missing):
    path = make_case()
    lines = [ln for ln in path.read_text().splitlines() if not ln.startswith(f"{missing} =")]
    path.write_text("\n".join(lines) + "\n")
    exc = input_error(path)
    check_message(exc, path, missing, "missing", [])


def test_missing_required_grid_key(make_case):
    path = make_case()
    path.write_text(path.read_text().replace("points = [256]\n", ""))
    exc = input_error(path)
    check_message(exc, path, "grid.points", "missing", ["integer"])


def test_missing_time_stop(make_case):
    path = make_case()
    path.write_text(path.read_text().replace("stop = 0.3\n", ""))
    check_message(input_error(path), path, "time.stop", "missing", ["number"])


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.toml"
    exc = input_error(path)
    assert str(path) in str(exc)


def test_file_that_is_not_utf8_text_is_an_input_error(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('name = "caf\xe9"\n'.encode("latin-1"))
    exc = input_error(path)               # not a UnicodeDecodeError traceback
    assert str(path) in str(exc)


# --------------------------------------------------------------------------------------- --set overrides


def test_set_dotted_keys_take_toml_values(case1d):
    case = load_case(case1d, ["grid.points=[512]", "data.weights=[0.3, 0.7]", "method.time=euler",
                              "time.stop=0.25", "time.check_stability=false", "time.dt=auto"])
    assert case["grid"]["points"] == [512]
    assert case["data"]["weights"] == [0.3, 0.7]
    assert case["method"]["time"] == "euler"          # bare word: a string
    assert case["time"]["stop"] == 0.25 and isinstance(case["time"]["stop"], float)
    assert case["time"]["check_stability"] is False   # TOML boolean, not the string "false"
    assert case["time"]["dt"] == "auto"


def test_set_text_parses_back_to_the_overridden_values(case1d):
    original = case1d.read_text()
    case = load_case(case1d, ["grid.points=[512]", "data.weights=[0.3, 0.7]", "method.time=euler",
                              "measure.times=[0.1, 0.2]"])
    assert case.text != original
    parsed = tomllib.loads(case.text)
    assert parsed["grid"]["points"] == [512]
    assert parsed["data"]["weights"] == [0.3, 0.7]
    assert parsed["method"]["time"] == "euler"
    assert parsed["measure"]["times"] == [0.1, 0.2]   # a table the file did not have
    # untouched keys survive, including the [compare.*] tables
    assert parsed["name"] == "small1d"
    assert parsed["data"]["means"] == [-1.0, 1.0]
    assert parsed["compare"]["mass_error"]["atol"] == 1e-5
    # the stored text is itself a valid case that gives the same values
    again = tmp = case1d.with_name("again.toml")
    tmp.write_text(case.text)
    assert load_case(again).values == case.values
    assert case1d.read_text() == original              # the file on disk is not changed


def test_later_set_wins(case1d):
    case = load_case(case1d, ["time.stop=0.2", "time.stop=0.25"])
    assert case["time"]["stop"] == 0.25


def test_set_error_is_attributed_to_the_file(case1d):
    exc = input_error(case1d, ["time.saves=1"])
    assert str(case1d) in str(exc)


@pytest.mark.parametrize("item", ["grid.points", "=128", "grid..points=1", ".points=1", "grid.=1"])
def test_malformed_set_is_an_input_error(case1d, item):
    exc = input_error(case1d, [item])
    msg = str(exc)
    assert "--set" in msg and repr(item) in msg
    assert "KEY=VALUE" in msg


@pytest.mark.parametrize("item", ["name.first=1", "grid.points.x=1"])
def test_set_below_a_non_table_is_an_input_error(case1d, item):
    exc = input_error(case1d, [item])
    assert str(case1d) in str(exc)
    assert item.split("=")[0] in str(exc)
