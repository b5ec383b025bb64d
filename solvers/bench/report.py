"""The bench's keys, their targets, and the two output files (``bench.json``, ``bench.md``)."""
from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path

# key -> (target as text, check(value, all keys) -> bool or None when reported without a target, meaning)
TARGETS = {
    "heat1d_explicit_fraction_of_copy_bandwidth": (">= 0.8", lambda v, k: v >= 0.8,
                                                   "effective bytes/s (16 B/point/step) over copy, the stepper "
                                                   "(temporally tiled, default threads; N = 1e6)"),
    "heat1d_explicit_untiled_fraction_of_copy_bandwidth": (">= 0.8", lambda v, k: v >= 0.8,
                                                           "the same, one untiled sweep per step, one thread"),
    "heat1d_explicit_speedup_vs_pypde": (">= 5", lambda v, k: v >= 5, "x py-pde's steady-state step (N = 1e5)"),
    "heat2d_explicit_speedup_vs_pypde": (">= 5", lambda v, k: v >= 5, "x py-pde's steady-state step (512^2)"),
    "cn_prefactored_speedup_vs_solve_banded": (">= 5", lambda v, k: v >= 5, "x solve_banded every step (N = 1e6)"),
    "burgers_weno5_fraction_of_copy_bandwidth": (">= 0.1", lambda v, k: v >= 0.1,
                                                 "fraction of the copy bound, 3 x 16 B/point/step (N = 1e6)"),
    "burgers_weno5_mupd_per_s": ("reported", None, "million point-updates per second (N = 1e6)"),
    "etdrk4_speedup_vs_numpy_fft": (">= 1.5", lambda v, k: v >= 1.5, "x the same algorithm in numpy.fft (2^17)"),
    "mfg_newton_speedup_vs_picard": (">= 2", lambda v, k: v >= 2, "x Picard's wall time to the same residual (HJB and FP <= 1e-8; Picard at its best damping; 200x200)"),
    "scaling_exponent_explicit": ("1.0 +- 0.1", lambda v, k: abs(v - 1.0) <= 0.1,
                                  "slope of log t/step vs log N, one thread"),
    "scaling_exponent_implicit_tridiagonal": ("1.0 +- 0.1", lambda v, k: abs(v - 1.0) <= 0.1,
                                              "slope of log t/step vs log N, one thread"),
    "scaling_exponent_spectral": ("N log N slope +- 0.15",
                                  lambda v, k: k.get("scaling_exponent_nlogn_reference") is not None
                                  and abs(v - k["scaling_exponent_nlogn_reference"]) <= 0.15,
                                  "slope of log t/step vs log N, one thread"),
    "scaling_exponent_nlogn_reference": ("reported", None, "slope of log(N log N) over the same N"),
    "scaling_exponent_explicit_default_threads": ("reported", None,
                                                  "the explicit slope on the default threads (policy included)"),
    "threads_speedup_2d": ("reported (> 1)", lambda v, k: v > 1.0, "2 threads over 1, parallel kernel, 1024^2"),
    "threads_serial_below_points": ("measured crossover", None, "points: serial kernel below"),
    "threads_threshold_points_in_code": ("set from the crossover", None, "steppers.PARALLEL_MIN_POINTS"),
    "threads_two_threads_from_points": ("measured crossover", None, "points: 2 threads faster from"),
    "threads_two_threads_points_in_code": ("set from the crossover", None, "steppers.THREADS_MIN_POINTS"),
    "compile_seconds_cold": ("reported", None, "s, default case, empty numba cache"),
    "compile_seconds_cached": ("reported", None, "s, default case, numba cache filled"),
    "pypde_compile_seconds_cold": ("reported", None, "s, py-pde stepper, empty numba cache"),
    "pypde_compile_seconds_cached": ("reported", None, "s, py-pde stepper, numba cache filled"),
}
KEYS = tuple(TARGETS)


def machine() -> dict:
    model = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info = {"cpu": model, "cores": os.cpu_count(), "platform": platform.platform(), "python": sys.version.split()[0]}
    try:
        info["memory_GiB"] = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30, 1)
    except (ValueError, OSError, AttributeError):
        pass
    return info


def versions() -> dict:
    import llvmlite
    import numba
    import numpy
    import scipy
    from .. import __version__
    from .heat import pypde_version
    return {"gridshock": __version__, "numpy": numpy.__version__, "scipy": scipy.__version__,
            "numba": numba.__version__, "llvmlite": llvmlite.__version__, "py-pde": pypde_version(),
            "numba_threads": numba.get_num_threads(), "numba_threading_layer_config": numba.config.THREADING_LAYER}


def verdict(key: str, keys: dict) -> str:
    value, check = keys.get(key), TARGETS[key][1]
    if value is None:
        return "not measured" if check is not None else ""
    if check is None:
        return ""
    return "met" if check(value, keys) else "MISSED"


def _fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def write(out_dir: Path, document: dict) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    js, md = out_dir / "bench.json", out_dir / "bench.md"
    js.write_text(json.dumps(document, indent=1, default=float) + "\n")
    md.write_text(markdown(document))
    return js, md


def markdown(doc: dict) -> str:
    keys = {k: doc[k] for k in KEYS}
    lines = ["# gridshock bench", "",
             f"{'Quick (tiny sizes, for the tests)' if doc['settings']['quick'] else 'Full run'}; "
             f"{doc['settings']['wall_s']:.0f} s wall. Ratios are medians of per-repetition ratios of "
             "implementations timed round-robin in this run; compile time is apart.", "",
             "## Ratios", "", "| key | value | target | | meaning |", "| --- | --- | --- | --- | --- |"]
    for k in KEYS:
        note = doc["notes"].get(k, "")
        lines.append(f"| `{k}` | {_fmt(keys[k])} | {TARGETS[k][0]} | {verdict(k, keys)}"
                     f"{' (' + note + ')' if note else ''} | {TARGETS[k][2]} |")
    lines += ["", "## Machine and versions", ""]
    for name, section in (("machine", doc["machine"]), ("versions", doc["versions"])):
        lines.append(f"- {name}: " + ", ".join(f"{k} {_fmt(v)}" for k, v in section.items()))
    lines.append(f"- load average at start / end: {doc['settings']['load_start']} / {doc['settings']['load_end']}")
    lines += ["", "## Raw medians (seconds unless named otherwise)", ""]
    for group, raw in doc["raw"].items():
        lines += [f"### {group}", ""]
        lines += _raw_lines(raw)
        lines.append("")
    return "\n".join(lines)


def _raw_lines(raw) -> list[str]:
    if raw is None:
        return ["not measured"]
    scalars = {k: v for k, v in raw.items() if not isinstance(v, (list, dict))}
    out = ["| quantity | value |", "| --- | --- |"] + [f"| {k} | {_fmt(v)} |" for k, v in scalars.items()]
    for k, v in raw.items():
        if isinstance(v, dict):
            out += ["", f"{k}:", ""] + _raw_lines(v)
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            cols = list(v[0])
            out += ["", f"{k}:", "", "| " + " | ".join(cols) + " |", "|" + " --- |" * len(cols)]
            out += ["| " + " | ".join(_fmt(r[c]) for c in cols) + " |" for r in v]
        elif isinstance(v, list):
            out += ["", f"{k}: " + ", ".join(_fmt(x) for x in v)]
    return out
