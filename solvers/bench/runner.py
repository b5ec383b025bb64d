"""Runs every group at the full or the quick (test) sizes, collects the keys, writes the report."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import burgers, compile as compile_, heat, mfg, report, scaling, threads


@dataclass(frozen=True)
class Sizes:
    """What each group measures; ``FULL`` is ``make bench`` (about 5-8 minutes on 2 cores), ``QUICK`` the tests."""

    copy_n: int = 1_000_000
    pypde_1d_n: int = 100_000
    pypde_2d_n: int = 512
    cn_n: int = 1_000_000
    weno5_n: int = 1_000_000
    etdrk4_n: int = 2 ** 17
    mfg_cells: int = 200
    mfg_steps: int = 200
    mfg_repeats: int = 3
    scaling_sizes: tuple = (1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000, 3_000_000, 10_000_000)
    thread_sizes: tuple = (32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024)
    repeats: int = 11
    min_call_s: float = 0.05
    default_case_overrides: tuple = ()
    pypde_compile_n: int = 100_000
    pypde: bool = True


FULL = Sizes()
QUICK = Sizes(copy_n=10_000, pypde_1d_n=1_000, pypde_2d_n=32, cn_n=10_000, weno5_n=10_000, etdrk4_n=2 ** 10,
              mfg_cells=40, mfg_steps=10, mfg_repeats=1, scaling_sizes=(1_000, 4_000), thread_sizes=(16, 32),
              repeats=3, min_call_s=0.002, default_case_overrides=("grid.points=[96]", "time.saves=4",
                                                              "measure.allow_under_resolved=true"),
              pypde_compile_n=1_000, pypde=False)


@dataclass
class Collected:
    keys: dict = field(default_factory=lambda: {k: None for k in report.KEYS})
    raw: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)


def _pypde_available() -> bool:
    return heat.pypde_version() is not None


def _group(name: str, fn, *args):
    t0 = time.perf_counter()
    print(f"  {name} ...", end="", flush=True)
    out = fn(*args)
    print(f" {time.perf_counter() - t0:.1f} s", flush=True)
    return out


def run_groups(s: Sizes, c: Collected, use_pypde: bool) -> None:
    r, k = c.raw, c.keys
    r["heat1d_explicit_vs_copy"] = _group("explicit heat step vs copy", heat.explicit_vs_copy, s.copy_n,
                                          s.repeats, s.min_call_s)
    k["heat1d_explicit_fraction_of_copy_bandwidth"] = r["heat1d_explicit_vs_copy"]["fraction_of_copy_bandwidth"]
    k["heat1d_explicit_untiled_fraction_of_copy_bandwidth"] = \
        r["heat1d_explicit_vs_copy"]["untiled_fraction_of_copy_bandwidth"]
    if use_pypde:
        for dim, n in ((1, s.pypde_1d_n), (2, s.pypde_2d_n)):
            g = f"heat{dim}d_explicit_vs_pypde"
            r[g] = _group(f"explicit heat {dim}D vs py-pde", heat.explicit_vs_pypde, dim, n, s.repeats, s.min_call_s)
            k[f"heat{dim}d_explicit_speedup_vs_pypde"] = r[g]["speedup_vs_pypde"]
    r["cn_vs_solve_banded"] = _group("Crank-Nicolson vs solve_banded", heat.cn_vs_solve_banded, s.cn_n,
                                     max(3, s.repeats // 2), 2 * s.min_call_s)
    k["cn_prefactored_speedup_vs_solve_banded"] = r["cn_vs_solve_banded"]["speedup_vs_solve_banded"]
    r["burgers_weno5_vs_copy"] = _group("WENO5 + SSP-RK3 vs copy", burgers.weno5_vs_copy, s.weno5_n,
                                        max(3, s.repeats // 2), 2 * s.min_call_s)
    k["burgers_weno5_fraction_of_copy_bandwidth"] = r["burgers_weno5_vs_copy"]["fraction_of_copy_bandwidth"]
    k["burgers_weno5_mupd_per_s"] = r["burgers_weno5_vs_copy"]["Mupd_per_s"]
    r["etdrk4_vs_numpy_fft"] = _group("spectral ETDRK4 vs numpy.fft", burgers.etdrk4_vs_numpy, s.etdrk4_n,
                                      s.repeats, 2 * s.min_call_s)
    k["etdrk4_speedup_vs_numpy_fft"] = r["etdrk4_vs_numpy_fft"]["speedup_vs_numpy_fft"]
    r["mfg_newton_vs_picard"] = _group("MFG Newton vs Picard", mfg.newton_vs_picard, s.mfg_cells, s.mfg_steps,
                                       s.mfg_repeats)
    k["mfg_newton_speedup_vs_picard"] = r["mfg_newton_vs_picard"]["speedup_vs_picard"]
    r["scaling"] = _group("scaling with N", scaling.scaling, list(s.scaling_sizes), max(3, s.repeats // 2),
                          s.min_call_s)
    for kind in scaling.KINDS:
        k[f"scaling_exponent_{kind}"] = r["scaling"][kind]
    k["scaling_exponent_nlogn_reference"] = r["scaling"]["nlogn_reference"]
    k["scaling_exponent_explicit_default_threads"] = r["scaling"]["explicit_default_threads"]
    r["threads_2d"] = _group("2D threads", threads.threads, list(s.thread_sizes), s.repeats, s.min_call_s)
    k["threads_speedup_2d"] = r["threads_2d"]["threads_speedup_largest"]
    for key in ("serial_below_points", "threshold_points_in_code", "two_threads_from_points",
                "two_threads_points_in_code"):
        k[f"threads_{key}"] = r["threads_2d"][key]
    r["compile_default_case"] = _group("compile, default case", compile_.ours, list(s.default_case_overrides))
    k["compile_seconds_cold"] = r["compile_default_case"]["cold"]["compile_s"]
    k["compile_seconds_cached"] = r["compile_default_case"]["cached"]["compile_s"]
    if use_pypde:
        r["compile_pypde"] = _group("compile, py-pde", compile_.pypde, s.pypde_compile_n)
        k["pypde_compile_seconds_cold"] = r["compile_pypde"]["cold"]["compile_s"]
        k["pypde_compile_seconds_cached"] = r["compile_pypde"]["cached"]["compile_s"]


def _notes(c: Collected, quick: bool, use_pypde: bool) -> None:
    if not use_pypde:
        why = "py-pde not installed (make bench installs it)" if not _pypde_available() else "skipped in quick mode"
        for key in ("heat1d_explicit_speedup_vs_pypde", "heat2d_explicit_speedup_vs_pypde",
                    "pypde_compile_seconds_cold", "pypde_compile_seconds_cached"):
            c.notes[key] = why
    if c.keys["threads_serial_below_points"] is None:
        c.notes["threads_serial_below_points"] = "the parallel kernel on 1 thread was not faster at the largest size"
    if c.keys["threads_two_threads_from_points"] is None:
        c.notes["threads_two_threads_from_points"] = "2 threads were not faster than 1 at the largest size"
    if quick:
        c.notes["quick"] = "tiny sizes: the values exercise the code, they are not the machine's figures"


def run_benchmarks(quick: bool = False, out_dir: str | Path = "results", pypde: bool | None = None) -> int:
    """Measure every key, print the table of ratios, write ``out_dir/bench.json`` and ``out_dir/bench.md``.
    ``pypde=None``: compare with py-pde when it is installed, except in quick mode."""
    sizes = QUICK if quick else FULL
    use_pypde = (sizes.pypde if pypde is None else pypde) and _pypde_available()
    t0, load_start = time.perf_counter(), _load()
    c = Collected()
    print(f"gridshock bench ({'quick' if quick else 'full'}):", flush=True)
    run_groups(sizes, c, use_pypde)
    _notes(c, quick, use_pypde)
    doc = {**c.keys, "targets": {k: v[0] for k, v in report.TARGETS.items()}, "notes": c.notes,
           "machine": report.machine(), "versions": report.versions(),
           "settings": {"quick": quick, "pypde": use_pypde, "wall_s": time.perf_counter() - t0,
                        "load_start": load_start, "load_end": _load(), "sizes": sizes.__dict__},
           "raw": c.raw}
    js, md = report.write(Path(out_dir), doc)
    print()
    for key in report.KEYS:
        target, _, meaning = report.TARGETS[key]
        print(f"{key:<43} {report._fmt(c.keys[key]):>9}  {target:<22} {report.verdict(key, c.keys):<12} {meaning}")
    print(f"wrote {js} and {md} ({doc['settings']['wall_s']:.0f} s)")
    return 0


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"
