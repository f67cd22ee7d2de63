"""What the benchmarks share: a Django set-up on a fresh SQLite database, the workbench over HTTP,
and the baseline every handler is compared with (the thumbs sample block's ``vote`` handler)."""
import atexit
import json
import os
import shutil
import statistics
import tempfile
import time

_READY = False


def setup_django():
    """Configure Django with the test settings and a fresh database, once per process."""
    global _READY  # pylint: disable=global-statement
    if _READY:
        return
    if "KKN_VAR_DIR" not in os.environ:
        os.environ["KKN_VAR_DIR"] = tempfile.mkdtemp(prefix="kkn-bench-")
        atexit.register(shutil.rmtree, os.environ["KKN_VAR_DIR"], ignore_errors=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kkn_xblocks.devserver.test_settings")
    import django  # pylint: disable=import-outside-toplevel
    django.setup()
    from django.core.management import call_command  # pylint: disable=import-outside-toplevel
    call_command("migrate", run_syncdb=True, verbosity=0)
    _READY = True


class Bench:
    """Blocks in the workbench runtime, driven over HTTP like the browser does."""

    def __init__(self):
        setup_django()
        from django.test import Client  # pylint: disable=import-outside-toplevel
        from django.test.utils import setup_test_environment  # pylint: disable=import-outside-toplevel
        try:
            setup_test_environment()
        except RuntimeError:
            pass  # already set up by another benchmark in this process
        self.client = Client()
        self._scenarios = 0

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

    def seconds_per_call(self, call, calls=50, rounds=5):
        """Median over ``rounds`` of the mean seconds per call (after one warm-up call)."""
        call(0)
        results = []
        for r in range(rounds):
            start = time.perf_counter()
            for i in range(calls):
                call(r * calls + i)
            results.append((time.perf_counter() - start) / calls)
        return statistics.median(results)

    def baseline_seconds(self, calls=50, rounds=5):
        """A trivial handler of the workbench's own sample blocks, in the same runtime."""
        thumbs = self.children(self.load("<vertical_demo><thumbs/></vertical_demo>"))[0]
        return self.seconds_per_call(lambda i: self.post(thumbs, "vote", {"voteType": "up"}), calls, rounds)


def count_queries(function):
    """``(result, number of SQL queries)`` of calling ``function``."""
    from django.db import connection  # pylint: disable=import-outside-toplevel
    from django.test.utils import CaptureQueriesContext  # pylint: disable=import-outside-toplevel
    with CaptureQueriesContext(connection) as captured:
        result = function()
    return result, len(captured.captured_queries)
