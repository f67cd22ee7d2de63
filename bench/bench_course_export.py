"""course_export: whole-process CPU time and peak memory of ``kkn-course build`` for generated
courses of 1k to 20k components, against ``tar czf`` of the OLX it writes; the preview's delay
from saving a page to showing it.

Measured the same way on both sides: each build and each ``tar czf`` is a child process, and its
CPU time (user + system, its own children included) and peak memory come from ``wait4``, from
outside. Runs alternate (cold build, tar, rebuild after one changed page) with equal repetitions;
min and median are printed. Aims (issue 16): cold build at 10k <= 8x tar, rebuild <= 2x, flat per
1k components, peak memory at 20k <= 150 MB, a changed page in the preview within 300 ms at 10k.
"""
import compileall
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from harness import machine_load

SIZES = (1_000, 5_000, 10_000, 20_000)
REPEAT = 3
PREVIEW_SIZE = 10_000
PER_UNIT = 10  # components per unit
UNITS_PER_MODULE = 50

PAGE = """# Sida {n}

Kommunens näringslivsarbete bygger på **samverkan** mellan företag, kommun och region. Den här sidan
är nummer {n} i modulen och beskriver ett [exempel](https://example.org/{n}) med en kort lista:

- företagsbesök och dialog
- etableringsservice
- platsutveckling
"""


def generate(folder: Path, components):
    """A course source with ``components`` components: pages and problems in modules of 50 units."""
    template = Path(__file__).resolve().parent.parent / "course_export" / "template"
    shutil.copytree(template, folder)
    shutil.rmtree(folder / "modules")
    units = components // PER_UNIT
    modules = max(1, -(-units // UNITS_PER_MODULE))
    for m in range(1, modules + 1):
        module = folder / "modules" / f"{m:03d}-modul"
        module.mkdir(parents=True)
        for name in ("introduktion", "kunskap", "inspiration", "uppgift"):
            (module / f"{name}.md").write_text(f"{name} för modul {m}.\n", encoding="utf-8")
        lines = [f"id: modul-{m}", f"number: {m}", f"title: Modul {m}", "weeks: 1", "introduction: introduktion.md",
                 "outcomes: [förstå, tillämpa]", "knowledge: kunskap.md", "inspiration: inspiration.md",
                 "task: {prompt: uppgift.md}", "units:"]
        for u in range(1, UNITS_PER_MODULE + 1):
            if (m - 1) * UNITS_PER_MODULE + u > units:
                break
            lines += [f"  - id: m{m}-u{u}", f"    title: Enhet {u}", "    content:"]
            for c in range(1, PER_UNIT + 1):
                if c % 5 == 0:
                    lines += ["      - problem:", f"          title: Fråga {c}", "          question: Vad gäller?",
                              "          choices: [{text: Rätt, correct: true}, {text: Fel}]"]
                else:
                    page = f"m{m}-u{u}-{c}.md"
                    (module / page).write_text(PAGE.format(n=f"{m}.{u}.{c}"), encoding="utf-8")  # no two alike
                    lines.append(f"      - page: {page}")
        (module / "module.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return modules  # the scaffold's exam and meeting stay: modul-1 still exists for the exam's topics


def child(argv, **kwargs):
    """``(CPU seconds, peak MB)`` of running ``argv`` as a child process, read with ``wait4``."""
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=errors, **kwargs)
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            errors.seek(0)
            raise RuntimeError(f"{argv[0]} failed: {errors.read().decode(errors='replace')[-2000:]}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def build_command(source, out, *extra):
    return [sys.executable, "-m", "course_export.cli", "build", str(source), "-o", str(out), *extra]


def measure(components, work: Path):
    source, tree = work / "src", work / "tree"
    generate(source, components)
    child(build_command(source, work / "first", "--tree", str(tree)))  # the floor's input; untimed
    page = source / "modules" / "001-modul" / "m1-u1-1.md"
    runs = {"build": [], "rebuild": [], "tar": [], "peak": []}
    for attempt in range(REPEAT):
        out = work / f"out-{attempt}"
        seconds, peak = child(build_command(source, out))  # cold: a fresh output folder, no cache
        runs["build"].append(seconds)
        runs["peak"].append(peak)
        runs["tar"].append(child(["tar", "czf", str(work / "floor.tar.gz"), "-C", str(tree), "course"])[0])
        page.write_text(PAGE.format(n=f"ändrad {attempt}"), encoding="utf-8")
        runs["rebuild"].append(child(build_command(source, out))[0])
        shutil.rmtree(out)
    return runs


def spread(values):
    return f"{statistics.median(values):.2f} (min {min(values):.2f})"


def as_installed():
    """Compile the package's bytecode as ``pip install`` does: the editable checkout under
    ``PYTHONDONTWRITEBYTECODE`` (set on these machines) would otherwise compile every module of ours
    again in each process, which no installed copy does."""
    root = Path(__file__).resolve().parent.parent
    for package in ("course_export", "kkn_xblocks"):
        compileall.compile_dir(root / package, quiet=1)


def run(report):
    as_installed()
    print(f"   ({machine_load()}; CPU seconds of whole processes, {REPEAT} alternated runs each)")
    rows = []
    for components in SIZES:
        with tempfile.TemporaryDirectory(prefix="kkn-bench-build-") as work:
            runs = measure(components, Path(work))
            report_build(report, components, runs, rows)
            if components == PREVIEW_SIZE:
                preview_delays(report, Path(work) / "src")
    # "added per 1k": the build time the components added since the previous size, without the
    # start-up every process pays (imports): flat = linear.
    print(f"\n   {'components':>10} {'build s':>8} {'rebuild s':>9} {'tar czf s':>9} {'build/tar':>9} "
          f"{'rebuild/tar':>11} {'s per 1k':>8} {'added per 1k':>12} {'peak MB':>8}   (medians; {machine_load()})")
    previous = None
    for components, runs, build_ratio, rebuild_ratio in rows:
        build = statistics.median(runs["build"])
        added = "" if previous is None else f"{(build - previous[1]) / (components - previous[0]) * 1000:.3f}"
        previous = (components, build)
        print(f"   {components:>10} {build:>8.2f} {statistics.median(runs['rebuild']):>9.2f} "
              f"{statistics.median(runs['tar']):>9.2f} {statistics.median(build_ratio):>9.2f} "
              f"{statistics.median(rebuild_ratio):>11.2f} {build / components * 1000:>8.3f} {added:>12} "
              f"{max(runs['peak']):>8.0f}")


def report_build(report, components, runs, rows):
    """The figures of one size, printed as they come; the row kept for the table at the end."""
    build_ratio = [b / t for b, t in zip(runs["build"], runs["tar"])]
    rebuild_ratio = [b / t for b, t in zip(runs["rebuild"], runs["tar"])]
    rows.append((components, runs, build_ratio, rebuild_ratio))
    report(f"build {components} components", statistics.median(runs["build"]), "s CPU",
           f"min {min(runs['build']):.2f}; tar czf {spread(runs['tar'])} s")
    report("  cold build / tar czf", statistics.median(build_ratio), "x",
           f"min {min(build_ratio):.2f}; aim <= 8 at 10k")
    report("  rebuild after one changed page / tar czf", statistics.median(rebuild_ratio), "x",
           f"min {min(rebuild_ratio):.2f}; rebuild {spread(runs['rebuild'])} s; aim <= 2 at 10k")
    report("  cold build per 1k components", statistics.median(runs["build"]) / components * 1000, "s CPU",
           "flat = linear")
    report("  peak memory of the build", max(runs["peak"]), "MB", "max of the runs; aim <= 150 at 20k")


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url):
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - our own local preview
        return response.read().decode("utf-8")


def preview_delays(report, source):
    """Wall time from saving a changed page to the first page load that shows it (the author's wait)."""
    port = _free_port()
    var = tempfile.mkdtemp(prefix="kkn-bench-preview-")
    env = {**os.environ, "KKN_VAR_DIR": var}
    server = subprocess.Popen([sys.executable, "-m", "course_export.cli", "preview", str(source), "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/kurs/m1-u1/"
        for _ in range(600):
            try:
                _get(url)
                break
            except OSError:
                time.sleep(0.1)
        page = source / "modules" / "001-modul" / "m1-u1-1.md"
        delays = []
        for attempt in range(REPEAT * 2):
            marker = f"förhandsvisning {attempt}"
            page.write_text(PAGE.format(n=marker), encoding="utf-8")
            saved = time.perf_counter()
            while marker not in _get(url):
                pass
            delays.append(time.perf_counter() - saved)
        report(f"preview: changed page shown, {PREVIEW_SIZE} components", statistics.median(delays) * 1000, "ms",
               f"min {min(delays) * 1000:.0f}, from save to the page load answering with it; aim <= 300")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(var, ignore_errors=True)
