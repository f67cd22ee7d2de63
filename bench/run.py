#!/usr/bin/env python3
"""Run every benchmark (``bench/bench_*.py``) and print one line per figure.

    python3 dev.py bench            all benchmarks
    python3 dev.py bench module     only bench_module.py (names are matched as substrings)
"""
import importlib.util
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]


def report(name, value, unit, note=""):
    shown = f"{value:.3g}" if isinstance(value, float) else str(value)
    print(f"{name:<58} {shown:>12} {unit:<10} {note}".rstrip(), flush=True)


def main(argv):
    wanted = argv or [""]
    failures = 0
    for path in sorted(HERE.glob("bench_*.py")):
        if not any(w in path.stem for w in wanted):
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        print(f"== {path.stem}", flush=True)
        started = time.perf_counter()
        try:
            spec.loader.exec_module(module)
            module.run(report)
        except Exception as error:  # pylint: disable=broad-exception-caught
            failures += 1
            print(f"!! {path.stem} failed: {error!r}", flush=True)
        print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
