"""course_export: build time and peak memory for generated courses of 1k to 20k components.

The floor is ``tar czf`` over the OLX tree the build produced: no builder can write the archive
faster than tar and gzip alone. Aim: build time at most 2x the floor at 10k components, growing
linearly (the per-1k time stays flat).
"""
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = (1_000, 5_000, 10_000, 20_000)
PER_UNIT = 10  # components per unit
UNITS_PER_MODULE = 50

PAGE = """# Sida {n}

Kommunens näringslivsarbete bygger på **samverkan** mellan företag, kommun och region. Den här sidan
är nummer {n} i modulen och beskriver ett [exempel](https://example.org/{n}) med en kort lista:

- företagsbesök och dialog
- etableringsservice
- platsutveckling
"""

# Run in a child process so that peak memory is the build's own.
_CHILD = """
import json, pathlib, resource, sys, time
from course_export.archive import write_archive
from course_export.blocks import block_class
from course_export.olx import olx_files, write_tree
from course_export.source import read_course
for tag in ("kkn_module", "kkn_checkin", "kkn_exam"):
    block_class(tag)  # import the blocks (and Django) before the clock starts
import course_export.source as source_module
markdown = [0.0]
render = source_module.render_markdown
def timed_render(text):
    started = time.perf_counter()
    try:
        return render(text)
    finally:
        markdown[0] += time.perf_counter() - started
source_module.render_markdown = timed_render
source, out, tree = sys.argv[1:4]
t1 = time.perf_counter()
course = read_course(source)
t2 = time.perf_counter()
files = olx_files(course)
t3 = time.perf_counter()
write_archive(files, pathlib.Path(out) / "course.tar.gz")
t4 = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
write_tree(course, tree)  # the floor's input; not part of the build
print(json.dumps({"markdown": markdown[0], "read": t2 - t1, "tree": t3 - t2, "archive": t4 - t3, "build": t4 - t1, "peak_mb": peak}))
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


def measure(components, work: Path):
    source, out, tree = work / "src", work / "out", work / "tree"
    out.mkdir()
    tree.mkdir()
    generate(source, components)
    child = subprocess.run([sys.executable, "-c", _CHILD, str(source), str(out), str(tree)], check=True,
                           capture_output=True, text=True)
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    floor = []
    for _attempt in range(3):  # tar is quick and noisy at these sizes: take its best time
        started = time.perf_counter()
        subprocess.run(["tar", "czf", str(work / "floor.tar.gz"), "-C", str(tree), "course"], check=True)
        floor.append(time.perf_counter() - started)
    figures["tar"] = min(floor)
    figures["bytes"] = (out / "course.tar.gz").stat().st_size
    return figures


def run(report):
    rows = []
    for components in SIZES:
        with tempfile.TemporaryDirectory(prefix="kkn-bench-build-") as work:
            figures = measure(components, Path(work))
        rows.append((components, figures))
        ratio = figures["build"] / figures["tar"]
        report(f"build {components} components", figures["build"], "s",
               f"read {figures['read']:.2f} s, OLX {figures['tree']:.2f} s, archive {figures['archive']:.2f} s")
        report(f"  ratio to tar czf ({figures['tar']:.2f} s)", ratio, "x", "aim: <= 2 at 10k")
        rest = figures["build"] - figures["markdown"]
        report("  ratio without Markdown rendering", rest / figures["tar"], "x",
               f"Markdown {figures['markdown']:.2f} s ({figures['markdown'] / figures['build']:.0%} of the build)")
        report("  per 1k components", figures["build"] / components * 1000, "s", "flat = linear")
        report("  peak memory", figures["peak_mb"], "MB", f"archive {figures['bytes'] / 1e6:.1f} MB")
    print(f"\n   {'components':>10} {'build s':>8} {'markdown s':>10} {'tar czf s':>9} {'ratio':>6} "
          f"{'s per 1k':>8} {'peak MB':>8}")
    for components, f in rows:
        print(f"   {components:>10} {f['build']:>8.2f} {f['markdown']:>10.2f} {f['tar']:>9.2f} "
              f"{f['build'] / f['tar']:>6.2f} {f['build'] / components * 1000:>8.3f} {f['peak_mb']:>8.0f}")
