"""The result file layout of ``docs/results.md`` against real files: ``schema_version`` is ``SCHEMA_VERSION`` in
every kind of file, every path the doc lists as required (the ``<!-- required: KIND -->`` blocks) is present,
and every group, dataset and attribute name found in the files is documented.

Small cases run in process; the studies' Dask map is replaced by a serial one (the layout is what is tested).
"""
from __future__ import annotations

import re
from pathlib import Path

import h5py
import pytest

import solvers
from solvers.runs.run import run_case
from solvers.storage.results import SCHEMA_VERSION

ROOT = Path(solvers.__file__).resolve().parent.parent
DOC = ROOT / "docs" / "results.md"
CASES = ROOT / "cases"

COARSE = "measure.allow_under_resolved=true"    # small grids on purpose: the layout, not the accuracy
RUNS = {    # case -> overrides for a small, quick run
    "heat_symmetric_1d": ["grid.points=[192]", "time.saves=12", COARSE],
    "heat_three_components_2d": ["grid.points=[40, 40]", "time.saves=4", COARSE],
    "burgers_symmetric_1d": ["grid.points=[256]", "time.saves=8", COARSE],
    "mfg_generative_1d": ["grid.points=[200]", COARSE],
    "mfg_lq_coupled_1d": ["grid.points=[100]", COARSE],
}


# ---------------------------------------------------------------------------------------------------- the doc
def doc_text() -> str:
    return DOC.read_text()


def required_paths(kind: str) -> list[str]:
    """The fenced block after ``<!-- required: KIND -->`` in docs/results.md, one path per line."""
    text = doc_text()
    marker = f"<!-- required: {kind} -->"
    assert marker in text, f"docs/results.md has no {marker} block"
    block = text.split(marker, 1)[1].lstrip()
    assert block.startswith("```"), f"{marker} is not followed by a fenced block"
    body = block.split("\n", 1)[1].split("```", 1)[0]
    paths = [line.strip() for line in body.splitlines() if line.strip()]
    assert paths and all(p.startswith("/") for p in paths), paths
    return paths


def documented_names() -> set[str]:
    """Every name-like token inside inline code (backticks, within a line) or a fenced block of docs/results.md."""
    text = doc_text()
    fenced = re.findall(r"^```[^\n]*\n(.*?)^```", text, flags=re.S | re.M)
    prose = re.sub(r"^```[^\n]*\n.*?^```", "", text, flags=re.S | re.M)
    spans = fenced + [span for line in prose.splitlines() for span in re.findall(r"`([^`]+)`", line)]
    return {tok for span in spans for tok in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", span)}


# ---------------------------------------------------------------------------------------------------- checks
def _expand(f: h5py.File, path: str) -> list[tuple[str, object]]:
    """Concrete (path, object) pairs of a doc path; ``<...>`` stands for every subgroup. Missing: []."""
    found = [("", f)]
    for part in [p for p in path.split("/") if p]:
        step = []
        for prefix, obj in found:
            if not isinstance(obj, h5py.Group):
                continue
            if part.startswith("<") and part.endswith(">"):
                step += [(f"{prefix}/{k}", obj[k]) for k in obj if isinstance(obj[k], h5py.Group)]
            elif part in obj:
                step.append((f"{prefix}/{part}", obj[part]))
            else:
                return []
        found = step
    return found


def missing_required(path: Path, kind: str) -> list[str]:
    missing = []
    with h5py.File(path, "r") as f:
        for entry in required_paths(kind):
            where, _, attr = entry.partition("@")
            placeholder = "<" in where
            objects = _expand(f, where)
            if not objects and not placeholder:
                missing.append(entry)
            for concrete, obj in objects:
                if attr and attr not in obj.attrs:
                    missing.append(f"{concrete or '/'}@{attr}")
    return missing


def undocumented(path: Path, skip_children_of: tuple[str, ...] = ()) -> list[str]:
    """Names of groups, datasets and attributes in the file that docs/results.md never mentions."""
    names = documented_names()
    out = []
    with h5py.File(path, "r") as f:
        out += [f"/@{a}" for a in f.attrs if a not in names]

        def visit(name, obj):
            parent, _, leaf = name.rpartition("/")
            if f"/{parent}" in skip_children_of and not isinstance(obj, h5py.Group):
                return
            if f"/{parent}" not in skip_children_of and leaf not in names:
                out.append(f"/{name}")
            out.extend(f"/{name}@{a}" for a in obj.attrs if a not in names)

        f.visititems(visit)
    return out


def assert_schema(path: Path, *kinds: str, skip_children_of: tuple[str, ...] = ()) -> None:
    with h5py.File(path, "r") as f:
        assert "schema_version" in f.attrs, path
        assert int(f.attrs["schema_version"]) == SCHEMA_VERSION == 1
    for kind in kinds:
        assert missing_required(path, kind) == [], f"{path.name}: documented as required ({kind}) but missing"
    assert undocumented(path, skip_children_of) == [], f"{path.name}: not documented in docs/results.md"


@pytest.fixture
def serial_studies(monkeypatch):
    """Run the studies' tasks in this process instead of on a Dask cluster."""
    def serial(func, tasks, scheduler=None, progress=False, desc=""):
        return [func(*args) for args in tasks]
    import solvers.studies.convergence as convergence
    import solvers.studies.sweep as sweep
    monkeypatch.setattr(convergence, "map_tasks", serial)
    monkeypatch.setattr(sweep, "map_tasks", serial)
    try:
        import solvers.studies.work_precision as work_precision
        monkeypatch.setattr(work_precision, "map_tasks", serial)
    except ImportError:
        pass


# ---------------------------------------------------------------------------------------------------- tests
def test_the_doc_lists_required_paths_for_every_kind():
    for kind in ("run", "mfg", "convergence", "sweep", "work_precision"):
        assert "/@schema_version" in required_paths(kind) or kind == "mfg"
    text = doc_text()
    for phrase in ("schema_version", "version **0**", "postprocess", "newer"):
        assert phrase in text


@pytest.mark.parametrize("case", sorted(RUNS))
def test_run_results_follow_the_documented_layout(case, tmp_path):
    outcome = run_case(str(CASES / f"{case}.toml"), RUNS[case], str(tmp_path), progress=False)
    kinds = ("run", "mfg") if case.startswith("mfg") else ("run",)
    assert_schema(outcome.path, *kinds, skip_children_of=())
    with h5py.File(outcome.path, "r") as f:
        assert "kind" not in f.attrs                        # a run result has no kind
        assert ("mfg" in f) == case.startswith("mfg")


def test_convergence_file_follows_the_documented_layout(tmp_path, serial_studies):
    from solvers.studies.convergence import run_convergence
    study = run_convergence(str(CASES / "heat_symmetric_1d.toml"), 2, ["grid.points=[96]", COARSE],
                            str(tmp_path))
    assert study.path.name == "heat_symmetric_1d_convergence.h5"
    assert_schema(study.path, "convergence")
    with h5py.File(study.path, "r") as f:
        assert f.attrs["kind"] == "convergence"
        assert len([k for k in f["convergence"] if isinstance(f["convergence"][k], h5py.Group)]) >= 1


def test_sweep_summary_follows_the_documented_layout(tmp_path, serial_studies):
    """The sweep summary has no case attributes: its schema_version comes from atomic_h5 itself."""
    from solvers.studies.sweep import run_sweep
    outcomes = run_sweep(str(CASES / "heat_symmetric_1d.toml"), ["method.time=rk4,euler"],
                         ["grid.points=[96]", "time.saves=4", COARSE], str(tmp_path), progress=False)
    assert len(outcomes) == 2
    summary = tmp_path / "heat_symmetric_1d_sweep.h5"
    assert_schema(summary, "sweep", skip_children_of=("/settings",))
    for outcome in outcomes:                              # every variant is a normal run result
        assert_schema(outcome.path, "run")


def test_work_precision_file_follows_the_documented_layout(tmp_path, serial_studies):
    from solvers.studies import work_precision       # the project's own module: an import error must fail
    study = work_precision.run_work_precision(str(CASES / "heat_symmetric_1d.toml"), "central2+rk4", 2,
                                              ["grid.points=[64]", COARSE], str(tmp_path), peers="BDF")
    assert study.path.name == "heat_symmetric_1d_work_precision.h5"
    assert_schema(study.path, "work_precision", skip_children_of=("/work_precision",))
    with h5py.File(study.path, "r") as f:
        assert f.attrs["kind"] == "work_precision"
        g = f["work_precision"]
        measures = [m for m in g.attrs["measures"].split(",") if m]
        assert measures and g.attrs["primary_measure"] in measures
        kinds = {g[m].attrs["kind"] for m in g}
        assert kinds == {"gridshock", "solve_ivp"}
        for method in g.values():
            assert all(method[m].shape == (2,) for m in measures)
            assert method["points"].shape == (2,)


def test_postprocess_reads_this_schema_version():
    from postprocess.io import SUPPORTED_SCHEMA_VERSIONS as supported
    assert 0 in supported and SCHEMA_VERSION in supported
