"""What the benchmarks share: a Django set-up on a fresh SQLite database with debug off, the
workbench over HTTP, and interleaved timing against the baseline every handler is compared with
(the thumbs sample block's ``vote`` handler).

Honest comparisons: a subject and its baseline are measured the same way (CPU time of this one
process, ``time.process_time``), in alternating rounds of equal length, so a change in machine
load hits both alike; each figure is printed as the min and the median over the rounds, with the
ratio taken round by round.
"""
import atexit
import json
import os
import shutil
import statistics
import tempfile
import time
from typing import NamedTuple

_READY = False


def setup_django():
    """Configure Django with the test settings and a fresh database, once per process; debug off
    (debug mode keeps every SQL statement and makes templates slower)."""
    global _READY  # pylint: disable=global-statement
    if _READY:
        return
    if "KKN_VAR_DIR" not in os.environ:
        os.environ["KKN_VAR_DIR"] = tempfile.mkdtemp(prefix="kkn-bench-")
        atexit.register(shutil.rmtree, os.environ["KKN_VAR_DIR"], ignore_errors=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kkn_xblocks.devserver.test_settings")
    import django  # pylint: disable=import-outside-toplevel
    django.setup()
    from django.conf import settings  # pylint: disable=import-outside-toplevel
    from django.core.management import call_command  # pylint: disable=import-outside-toplevel
    assert not settings.DEBUG, "benchmarks run with debug off"
    call_command("migrate", run_syncdb=True, verbosity=0)
    _READY = True


def machine_load():
    """The 1-, 5- and 15-minute load averages and the number of cores, to print beside a table."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


class Spread(NamedTuple):
    """The min and the median of a measured value over the rounds."""

    min: float
    median: float

    @classmethod
    def of(cls, values):
        return cls(min(values), statistics.median(values))


class Timing(NamedTuple):
    """One subject against the baseline: CPU seconds per call and the round-by-round ratio."""

    seconds: Spread
    baseline: Spread
    ratio: Spread
    queries: int


class Bench:
    """Blocks in the workbench runtime, driven over HTTP like the browser does."""

    def __init__(self):
        setup_django()
        from django.test import Client  # pylint: disable=import-outside-toplevel
        # No setup_test_environment(): it instruments every template rendering, which a server does not
        # do (the settings already allow the test client's host name).
        self.client = Client()
        self._scenarios = 0
        self._thumbs = None

    def load(self, xml):
        from workbench.runtime import WorkbenchRuntime  # pylint: disable=import-outside-toplevel
        runtime = WorkbenchRuntime()
        self._scenarios += 1
        runtime.id_generator.set_scenario(f"bench-{os.getpid()}-{self._scenarios}")
        return runtime.parse_xml_string(xml)

    def children(self, usage_id):
        from workbench.runtime import WorkbenchRuntime  # pylint: disable=import-outside-toplevel
        return list(WorkbenchRuntime("bench").get_block(usage_id).children)

    def post(self, usage_id, handler, data, user="student_1"):
        response = self.client.post(f"/handler/{usage_id}/{handler}/?student={user}",
                                    data=json.dumps(data), content_type="application/json")
        if response.status_code != 200:
            raise RuntimeError(f"{handler} answered {response.status_code}: {response.content[:200]!r}")
        return response

    def baseline_call(self):
        """A trivial handler of the workbench's own sample blocks, in the same runtime."""
        if self._thumbs is None:
            self._thumbs = self.children(self.load("<vertical_demo><thumbs/></vertical_demo>"))[0]
        thumbs = self._thumbs
        return lambda i: self.post(thumbs, "vote", {"voteType": "up"})

    def compare(self, call, calls=20, rounds=7):
        """``call(i)`` against the baseline, in alternating rounds of ``calls`` calls each.

        ``call`` gets a fresh index each time: 0 for the warm-up, 1 to ``calls * rounds`` while
        timed, and ``calls * rounds + 1`` for the call whose SQL statements are counted.
        """
        baseline = self.baseline_call()
        baseline(0)
        call(0)
        mine, theirs, ratios = [], [], []
        for r in range(rounds):
            theirs.append(_cpu_per_call(baseline, calls, 1 + r * calls))
            mine.append(_cpu_per_call(call, calls, 1 + r * calls))
            ratios.append(mine[-1] / theirs[-1])
        _result, queries = count_queries(lambda: call(calls * rounds + 1))
        return Timing(Spread.of(mine), Spread.of(theirs), Spread.of(ratios), queries)


def _cpu_per_call(call, calls, first):
    started = time.process_time()
    for i in range(first, first + calls):
        call(i)
    return (time.process_time() - started) / calls


def report_timing(report, name, timing, aim=None):
    """One line per subject: median ms per call, its min, the ratio to the baseline and the SQL count."""
    aim_text = f", aim <= {aim:g}" if aim else ""
    report(name, timing.seconds.median * 1000, "ms/call",
           f"min {timing.seconds.min * 1000:.3g}; ratio to thumbs.vote median {timing.ratio.median:.2f} "
           f"(min {timing.ratio.min:.2f}{aim_text}); {timing.queries} SQL statements")


def count_queries(function):
    """``(result, number of SQL queries)`` of calling ``function``."""
    from django.db import connection  # pylint: disable=import-outside-toplevel
    from django.test.utils import CaptureQueriesContext  # pylint: disable=import-outside-toplevel
    with CaptureQueriesContext(connection) as captured:
        result = function()
    return result, len(captured.captured_queries)
