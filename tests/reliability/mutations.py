"""Mutated case files for the CLI fuzz tests (hypothesis strategies) and the in-process CLI runner.

Every shipped case ``cases/*.toml`` is the seed. A :class:`Mutant` is the bytes of a case file plus extra
command-line arguments. Two families:

* structured mutations of the parsed case (drop a key or table, a wrong type, NaN / infinity, negative and
  huge sizes, unknown tables and keys, unknown or misplaced scheme names, ``--set`` items with odd values),
  applied to a *shrunk* copy of the case (short ``time.stop``, 4 saves, a coarse grid that still resolves the
  data) and re-serialised, so that a mutant that stays valid runs in well under a second;
* byte-level mutations of the original file text (non-UTF-8 bytes, empty files, truncation, duplicated keys and
  tables, control characters), run with the same shrinking as ``--set`` overrides.

:func:`run_cli` runs ``solvers.cli.main`` in this process and :func:`check_outcome` states the contract every
outcome must meet (CONTRACT.md): exit 0/1/2/3, no traceback, and nothing written on exit 2 or 3.
"""
from __future__ import annotations

import contextlib
import copy
import datetime as dt
import io
import math
import tomllib
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w
from hypothesis import strategies as st

from solvers.cli import main
from solvers.equations.advection import BURGERS_SPACE_SCHEMES
from solvers.equations.mfg import MFG_SPACE_SCHEMES
from solvers.equations.space import SPACE_SCHEMES
from solvers.grids.boundaries import BOUNDARY_KINDS
from solvers.integrators import TIME_SCHEMES
from solvers.integrators.mfg_solvers import MFG_SOLVERS, MFG_TIME_SCHEMES
from solvers.integrators.split_schemes import BURGERS_TIME_SCHEMES
from solvers.config.case import parse_case
from solvers.config.resolution import least_points, narrowest_layer, resolves
from solvers.config.schema import COMPARE_KEYS, COMPARISON_DEFAULTS, SCHEMA
from solvers.families import family_of

REPO = Path(__file__).resolve().parents[2]
CASE_FILES = sorted((REPO / "cases").glob("*.toml"))
CASE_NAMES = [p.name for p in CASE_FILES]
ORIGINAL_TEXT = {p.name: p.read_text(encoding="utf-8") for p in CASE_FILES}

SHORT_STOP = 0.05   # time.stop of the shrunk cases (every shipped case starts at 0)
SHORT_SAVES = 4


def _narrowest_scale(data: dict) -> float:
    """The length the grid must resolve: the narrowest std, the well width or the shock width."""
    kind = data.get("kind", "gaussian_mixture")
    if kind == "double_well":
        return math.sqrt(data["eps"] / 8.0)
    if kind == "travelling_shock":
        return 1.0 / data["amplitude"]      # 2 nu / A with nu = 0.5
    return min(data["stds"])


def shrink(raw: dict) -> dict:
    """A cheap variant of a valid case: short run, few saves, a grid with two points per narrowest std, refined
    where the short run's narrowest interface layer needs it (:mod:`solvers.config.resolution`)."""
    raw = copy.deepcopy(raw)
    t = raw.setdefault("time", {})
    t["stop"] = t.get("start", 0.0) + SHORT_STOP
    t["saves"] = SHORT_SAVES
    raw.get("measure", {}).pop("times", None)
    g, scale = raw["grid"], _narrowest_scale(raw.get("data", {}))
    g["points"] = [max(16, min(n, math.ceil((hi - lo) / (0.5 * scale))))
                   for n, lo, hi in zip(g["points"], g["lower"], g["upper"])]
    case = parse_case(raw)
    layer = narrowest_layer(case, family_of(case).rules)
    if layer is not None and not resolves(case, g["points"], layer.width):
        g["points"] = least_points(case, layer.width)
    return raw


SHRUNK = {name: shrink(tomllib.loads(text)) for name, text in ORIGINAL_TEXT.items()}


def shrink_overrides(name: str) -> list[str]:
    """The same shrinking as ``--set`` items (for byte-level mutants of the original text)."""
    raw = SHRUNK[name]
    return [f"--set=time.stop={SHORT_STOP}", f"--set=time.saves={SHORT_SAVES}",
            f"--set=measure.times=[{SHORT_STOP}]", f"--set=grid.points={raw['grid']['points']}"]


@dataclass
class Mutant:
    case: str                       # the seed case file name
    label: str                      # what was done, for the failure message
    content: bytes                  # the case file written for the run
    args: list[str] = field(default_factory=list)   # extra command-line arguments (--set=...)

    def describe(self) -> str:
        text = self.content.decode("utf-8", "backslashreplace")
        return f"{self.case}: {self.label}; args {self.args}\n--- case file ---\n{text[:3000]}"


# ------------------------------------------------------------------------------------------ paths in a dict

def leaf_paths(raw: dict) -> list[tuple]:
    """Every key (tables too) and every list element, as paths of keys / indices."""
    out: list[tuple] = []

    def walk(node, prefix):
        if isinstance(node, dict):
            for k, v in node.items():
                out.append(prefix + (k,))
                walk(v, prefix + (k,))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                out.append(prefix + (i,))
                walk(v, prefix + (i,))
    walk(raw, ())
    return out


def numeric_paths(raw: dict) -> list[tuple]:
    def get(path):
        node = raw
        for p in path:
            node = node[p]
        return node
    return [p for p in leaf_paths(raw) if isinstance(get(p), (int, float)) and not isinstance(get(p), bool)]


def set_path(raw: dict, path: tuple, value) -> None:
    node = raw
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value


def del_path(raw: dict, path: tuple) -> None:
    node = raw
    for p in path[:-1]:
        node = node[p]
    del node[path[-1]]


# ----------------------------------------------------------------------------------------------- values

NAN, INF = float("nan"), float("inf")
NONFINITE = [NAN, INF, -INF]
WRONG_TYPES = ["text", "", "auto", True, False, 0, -1, 1, 2.5, -0.0, [], [1], ["a"], [[1.0, 2.0]], [1, "a"],
               [True], {}, {"x": 1}, {"stop": 1.0}, dt.date(2020, 1, 1), dt.time(12, 30),
               dt.datetime(2020, 1, 1, 12, 0)]
HUGE_INTS = [10**9, 10**12, 2**31, 2**63 - 1, 10**30]
SMALL_INTS = [-(2**63), -(10**9), -1, 0, 1, 2, 7]
HUGE_FLOATS = [1e300, -1e300, 1.7976931348623157e308, -1.7976931348623157e308, 1e-300, 5e-324, -5e-324]
NAME_KEYS = [("equation",), ("data", "kind"), ("process", "kind"), ("process", "schedule"), ("grid", "boundary"),
             ("method", "space"), ("method", "time"), ("method", "diffusion"), ("method", "variable"),
             ("method", "advection_form"), ("mfg", "solver"), ("mfg", "terminal"), ("mfg", "coupling")]
KNOWN_NAMES = sorted(set(SPACE_SCHEMES.names() + TIME_SCHEMES.names() + BURGERS_SPACE_SCHEMES.names()
                         + BURGERS_TIME_SCHEMES.names() + MFG_SPACE_SCHEMES.names() + MFG_TIME_SCHEMES.names()
                         + MFG_SOLVERS.names() + list(BOUNDARY_KINDS)
                         + ["heat", "burgers", "mfg", "gaussian_mixture", "sine", "double_well", "travelling_shock",
                            "ve", "vp", "linear", "constant", "score", "textbook", "gradient", "upwind",
                            "none", "mean_quadratic", "quadratic", "data_log_density"]))
SCHEMA_KEYS = sorted([k if not s else f"{s}.{k}" for s, fields in SCHEMA.items() for k in fields]
                     + [f"compare.{q}.{k}" for q in COMPARISON_DEFAULTS for k in COMPARE_KEYS])
TOML_VALUES = ["nan", "-nan", "inf", "-inf", "1e999", "-1e999", "[nan]", "[inf, 1.0]", "[0.5, nan]", "[1e308, 1e308]",
               "[1, 2", "[]", "[[]]", "[[1.0, 2.0], [3.0]]", "{}", "{a = 1}", "true", "false", '"x"', "'x'", '"auto"',
               "auto", "1979-05-27", "07:32:00", "0", "-5", "-0.0", "1e-300", "5e-324", "100000000000000000000000",
               "9223372036854775807", "-9223372036854775808", "[100000, 100000]", "[1000000000]", '""', "=", "",
               "[8, 8, 8]", "[0]", "[-8]", "[8.5]", "[true]", '["exact", "bogus"]', "[0, 0]", "[1, 1]", "[0, 99]"]
BAD_BYTES = [b"\xff", b"\xfe\xff", b"\xc3\x28", b"\x80\x80", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\xc0\xaf"]
EMPTY_FILES = [b"", b"\n", b"   \n\t\n", b"# only a comment\n", b"\xef\xbb\xbf", b"[data]\n", b"[grid]\n[time]\n"]

key_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)
odd_names = st.one_of(st.sampled_from(KNOWN_NAMES), key_text, st.sampled_from(["", " exact", "RK4", "weno5 "]))


# ------------------------------------------------------------------------------------------- strategies

def _structured(name: str, label: str, raw: dict, args: list[str] | None = None) -> Mutant:
    return Mutant(name, label, tomli_w.dumps(raw).encode("utf-8"), args or [])


@st.composite
def drop_key(draw, name):
    raw = copy.deepcopy(SHRUNK[name])
    path = draw(st.sampled_from(leaf_paths(raw)))
    del_path(raw, path)
    return _structured(name, f"drop {path}", raw)


@st.composite
def wrong_type(draw, name):
    raw = copy.deepcopy(SHRUNK[name])
    path = draw(st.sampled_from(leaf_paths(raw)))
    value = draw(st.sampled_from(WRONG_TYPES))
    set_path(raw, path, value)
    return _structured(name, f"{path} = {value!r}", raw)


@st.composite
def non_finite(draw, name):
    raw = copy.deepcopy(SHRUNK[name])
    path = draw(st.sampled_from(numeric_paths(raw)))
    value = draw(st.sampled_from(NONFINITE))
    set_path(raw, path, value)
    return _structured(name, f"{path} = {value!r}", raw)


@st.composite
def bad_size(draw, name):
    """Negative, zero, tiny and huge numbers, where sizes live and anywhere a number is."""
    raw = copy.deepcopy(SHRUNK[name])
    dim = raw["dimension"]
    size_targets = [("grid", "points"), ("time", "saves"), ("mfg", "max_iterations"), ("measure", "components"),
                    ("time", "dt"), ("time", "stop"), ("method", "nu"), ("data", "stds")]
    path = draw(st.sampled_from(size_targets + numeric_paths(raw)))
    ints = st.sampled_from(SMALL_INTS + HUGE_INTS)
    floats = st.sampled_from(HUGE_FLOATS)
    if path == ("grid", "points"):
        value = draw(st.one_of(st.lists(ints, min_size=dim, max_size=dim), st.lists(ints, max_size=3),
                               st.sampled_from([[100000, 100000], [10**6, 10**6], [10**9], [10**9] * dim, [2**62] * dim])))
    elif path == ("measure", "components"):
        value = draw(st.lists(ints, min_size=0, max_size=3))
    elif path in (("data", "stds"),):
        value = draw(st.lists(st.one_of(ints, floats), min_size=1, max_size=3))
    else:
        value = draw(st.one_of(ints, floats))
    if path[0] not in raw:
        raw[path[0]] = {}
    set_path(raw, path, value)
    return _structured(name, f"{path} = {value!r}", raw)


@st.composite
def perturb(draw, name):
    """A number scaled or replaced by a nearby plausible one: mostly valid odd cases (they run, small)."""
    raw = copy.deepcopy(SHRUNK[name])
    paths = numeric_paths(raw)
    for _ in range(draw(st.integers(1, 2))):
        path = draw(st.sampled_from(paths))
        node = raw
        for p in path[:-1]:
            node = node[p]
        old = node[path[-1]]
        how = draw(st.sampled_from(["scale", "scale", "replace"]))
        if how == "scale":
            factor = draw(st.sampled_from([0.0, 0.1, 0.5, 0.9, 1.1, 2.0, 3.0, -1.0]))
            value = type(old)(old * factor) if isinstance(old, int) else old * factor
        else:
            value = draw(st.sampled_from([0, 1, 2, 8, 9, 0.5, 1e-3, -0.5]))
        node[path[-1]] = value
    start = draw(st.sampled_from([None, None, None, 0.01, 0.04]))
    if start is not None:
        raw["time"]["start"] = start
    return _structured(name, f"perturbed numbers (start {start})", raw)


@st.composite
def unknown_key(draw, name):
    raw = copy.deepcopy(SHRUNK[name])
    key = draw(key_text)
    where = draw(st.sampled_from(["top", "table", "section", "compare", "compare_key", "nested"]))
    value = draw(st.sampled_from([1, "x", [1, 2], {"a": 1}, True]))
    if where == "top":
        raw[key] = value
    elif where == "table":
        raw[key] = {"a": value}
    elif where == "section":
        section = draw(st.sampled_from([s for s in SCHEMA if s]))
        if isinstance(raw.get(section, {}), dict):
            raw.setdefault(section, {})[key] = value
    elif where == "compare":
        raw.setdefault("compare", {})[key] = {"atol": 1.0}
    elif where == "compare_key":
        q = draw(st.sampled_from(sorted(COMPARISON_DEFAULTS)))
        raw.setdefault("compare", {}).setdefault(q, {})[key] = value
    else:
        section = draw(st.sampled_from(["data", "grid", "time", "method"]))
        raw.setdefault(section, {})[key] = {"deeper": {"x": value}}
    return _structured(name, f"unknown {where} key {key!r} = {value!r}", raw)


@st.composite
def scheme_name(draw, name):
    """An unknown scheme / kind name, or a known one in a place where it may not belong."""
    raw = copy.deepcopy(SHRUNK[name])
    path = draw(st.sampled_from(NAME_KEYS))
    value = draw(st.one_of(odd_names, st.lists(odd_names, min_size=1, max_size=3)))
    if len(path) == 2:
        raw.setdefault(path[0], {})
    set_path(raw, path, value)
    return _structured(name, f"{path} = {value!r}", raw)


@st.composite
def set_items(draw, name):
    """``--set KEY=VALUE`` items: schema keys and junk keys with odd TOML values, and items that are not KEY=VALUE."""
    items = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["schema", "schema", "schema", "junk_key", "no_equals", "dots"]))
        value = draw(st.one_of(st.sampled_from(TOML_VALUES), st.text(max_size=20)))
        if kind == "schema":
            items.append(f"{draw(st.sampled_from(SCHEMA_KEYS))}={value}")
        elif kind == "junk_key":
            items.append(f"{draw(key_text)}={value}")
        elif kind == "no_equals":
            items.append(draw(st.text(max_size=20).filter(lambda s: "=" not in s)))
        else:
            items.append(draw(st.sampled_from(["=1", ".=1", "a..b=1", "grid.=1", ".grid=1", "grid.points.x=1",
                                               "name.x=1", "data.weights.0=1", "compare=1", "compare.x=1"])))
    return _structured(name, "--set items", copy.deepcopy(SHRUNK[name]), [f"--set={i}" for i in items])


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


@st.composite
def byte_level(draw, name):
    """Mutations of the original file text: encoding, emptiness, truncation, duplicates, control characters."""
    text = ORIGINAL_TEXT[name]
    data = text.encode("utf-8")
    kind = draw(st.sampled_from(["non_utf8", "non_utf8", "encoding", "empty", "truncate", "truncate",
                                 "duplicate_key", "duplicate_table", "control"]))
    if kind == "non_utf8":
        pos = draw(st.integers(0, len(data)))
        bad = draw(st.one_of(st.sampled_from(BAD_BYTES), st.binary(min_size=1, max_size=8)))
        content, label = data[:pos] + bad + data[pos:], f"bytes {bad!r} at {pos}"
    elif kind == "encoding":
        enc = draw(st.sampled_from(["utf-16", "utf-32", "latin-1", "cp1252"]))
        content, label = (text.replace("description = \"", "description = \"é ") if "é" not in text else text
                          ).encode(enc, "replace"), f"encoded as {enc}"
    elif kind == "empty":
        content = draw(st.sampled_from(EMPTY_FILES))
        label = f"file {content!r}"
    elif kind == "truncate":
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        content, label = data[:pos], f"truncated at byte {pos} of {len(data)}"
    elif kind in ("duplicate_key", "duplicate_table"):
        lines = _lines(text)
        if kind == "duplicate_key":
            pick = [i for i, ln in enumerate(lines) if "=" in ln and not ln.lstrip().startswith(("#", "["))]
        else:
            pick = [i for i, ln in enumerate(lines) if ln.lstrip().startswith("[")]
        i = draw(st.sampled_from(pick))
        where = draw(st.sampled_from(["next", "end"]))
        dup = lines[i] if lines[i].endswith("\n") else lines[i] + "\n"
        lines = lines[:i + 1] + [dup] + lines[i + 1:] if where == "next" else lines + ["\n", dup]
        content, label = "".join(lines).encode("utf-8"), f"duplicated line {i + 1} ({dup.strip()!r}) at {where}"
    else:
        pos = draw(st.integers(0, len(data)))
        ch = draw(st.sampled_from([b"\x00", b"\x1b", b"\x7f", b"\r", b"\x0c"]))
        content, label = data[:pos] + ch + data[pos:], f"control byte {ch!r} at {pos}"
    return Mutant(name, kind + ": " + label, content, shrink_overrides(name))


VARIANTS = {
    "heat": {("method", "space"): SPACE_SCHEMES.names(), ("method", "time"): TIME_SCHEMES.names()},
    "burgers": {("method", "space"): BURGERS_SPACE_SCHEMES.names(), ("method", "time"): BURGERS_TIME_SCHEMES.names(),
                ("method", "diffusion"): ["central2", "central4"], ("method", "variable"): ["score", "textbook"],
                ("method", "advection_form"): ["gradient", "upwind"], ("method", "crosscheck"): [True, False]},
    "mfg": {("method", "space"): MFG_SPACE_SCHEMES.names(), ("method", "time"): MFG_TIME_SCHEMES.names(),
            ("mfg", "solver"): MFG_SOLVERS.names(), ("mfg", "coupling"): ["none", "mean_quadratic"],
            ("mfg", "terminal"): ["quadratic", "data_log_density"], ("mfg", "damping"): [0.3, 1.0]},
}
COMMON_VARIANTS = {("grid", "boundary"): list(BOUNDARY_KINDS), ("time", "dt"): ["auto", 1e-4, 1e-3, 1e-2, 0.05],
                   ("time", "check_stability"): [True, False], ("time", "start"): [0.0, 0.01],
                   ("method", "nu"): [0.5, 0.25, 1.0], ("measure", "components"): [[0, 1], [1, 0]]}


@st.composite
def variant(draw, name):
    """Other registered schemes, boundaries, steps and options of the same equation: valid or cross-key
    invalid combinations; the valid ones run (shrunk)."""
    raw = copy.deepcopy(SHRUNK[name])
    choices = {**VARIANTS[raw["equation"]], **COMMON_VARIANTS}
    keys = sorted(choices, key=str)
    picked = []
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(keys))
        value = draw(st.sampled_from(choices[path]))
        raw.setdefault(path[0], {})[path[1]] = value
        picked.append(f"{'.'.join(path)}={value!r}")
    return _structured(name, "variant " + ", ".join(picked), raw)


def valid_shrunk(name):
    """The shrunk case itself (valid: it runs, exit 0 or 1)."""
    return st.just(name).map(lambda n: _structured(n, "shrunk case", copy.deepcopy(SHRUNK[n])))


def mutants(name: str, runs: bool = True) -> st.SearchStrategy[Mutant]:
    """Mostly invalid inputs; the valid ones are small and short. ``runs=False`` leaves out the two families
    meant to produce valid runs (:func:`perturb`, :func:`variant`, :func:`valid_shrunk`): the quick default test then runs few
    solvers (each first run of a solver compiles its kernels when the numba cache is cold)."""
    invalid = [drop_key(name), wrong_type(name), non_finite(name), bad_size(name), unknown_key(name),
               scheme_name(name), set_items(name), byte_level(name)]
    return st.one_of(*invalid, perturb(name), variant(name), valid_shrunk(name)) if runs else st.one_of(*invalid)


# ------------------------------------------------------------------------------------------------ running

@dataclass
class Outcome:
    code: object
    stdout: str
    stderr: str
    escaped: str | None          # the traceback of an exception that escaped main(), if any
    warnings: list[str] = field(default_factory=list)   # "file:line: Category: message" of every warning


# Modules that validate a case: a warning there means invalid input was not refused cleanly.
VALIDATION_MODULES = ("solvers/config/", "solvers/families/", "solvers/registry.py", "grids/boundaries.py",
                      "solvers/errors.py")


def run_cli(argv: list[str]) -> Outcome:
    """``solvers.cli.main(argv)`` in this process: stdout/stderr captured, warnings recorded (as the console
    script would print them, instead of pytest's warnings-as-errors)."""
    out, err = io.StringIO(), io.StringIO()
    escaped, code = None, None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
            warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            code = main(argv)
        except SystemExit as exc:      # argparse
            code = exc.code
        except BaseException:          # noqa: BLE001  anything escaping main() is a failure of the contract
            escaped = traceback.format_exc()
    seen = [f"{w.filename}:{w.lineno}: {w.category.__name__}: {w.message}" for w in caught]
    return Outcome(code, out.getvalue(), err.getvalue(), escaped, seen)


def files_under(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*")) if directory.exists() else []


def write_mutant(mutant: Mutant, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "case.toml"
    path.write_bytes(mutant.content)
    return path


def check_outcome(mutant: Mutant, case_path: Path, out_dir: Path, outcome: Outcome):
    """CONTRACT.md: exit 0/1/2/3, no traceback, a one-line diagnosis naming the file and what is allowed on 2,
    no warning while validating, nothing written on 2/3 and exactly the result file on 0/1."""
    code, stderr, escaped = outcome.code, outcome.stderr, outcome.escaped
    info = f"\n{mutant.describe()}\n--- exit {code}; stderr ---\n{stderr[-3000:]}"
    assert escaped is None, f"an exception escaped main():\n{escaped}{info}"
    bad = [w for w in outcome.warnings if code == 2 or any(m in w.replace("\\", "/") for m in VALIDATION_MODULES)]
    assert not bad, f"warnings while validating the input: {bad}{info}"
    assert "Traceback" not in stderr, f"traceback on stderr{info}"
    assert code in (0, 1, 2, 3), f"exit code {code!r} outside 0/1/2/3{info}"
    written = files_under(out_dir)
    if code in (2, 3):
        assert written == [], f"exit {code} left files in the output directory: {written}{info}"
        lines = [ln for ln in stderr.splitlines() if ln.startswith("gridshock: ")]
        assert lines, f"exit {code} without a 'gridshock: ' diagnosis{info}"
    if code == 2:
        msg = lines[-1]
        assert str(case_path) in msg, f"exit 2 message does not name the file{info}"
        assert "allowed" in msg, f"exit 2 message does not say what is allowed{info}"
    if code in (0, 1):
        assert len(written) == 1 and written[0].endswith(".h5"), f"exit {code} should write one .h5: {written}{info}"
