"""Meeting check-in: handler time vs a trivial workbench handler, roster queries vs participant count."""
import time

from harness import Bench, count_queries, machine_load, report_timing

CALLS, ROUNDS = 20, 7


def run(report):
    bench = Bench()
    # pylint: disable=import-outside-toplevel
    from django.db import reset_queries

    from kkn_xblocks import checkin_rules as rules
    from kkn_xblocks.records import api
    from kkn_xblocks.scenarios import block_element, scenario
    from kkn_xblocks.scenarios.checkin import PROGRAMME, meeting_2

    for participants in (10, 100, 1000):
        meeting = f"bench-roster-{participants}"
        for i in range(participants):
            key = f"{meeting}-{i}"
            api.save_profile(key, "bench", f"Deltagare {i}", f"Kommun {i % 20}", rules.ROLE_IDS[i % 4], "Skåne")
            if i % 2:
                api.check_in(key, "bench", meeting, "s1", "present")
        reset_queries()  # Django keeps only the last 9000 queries; the set-up above made more
        entries, queries = count_queries(lambda m=meeting: api.session_roster("bench", m, "s1", "Skåne"))
        assert len(entries) >= participants
        report(f"roster queries, {participants} participants", queries, "queries",
               "must not grow with the participant count")
        started = time.perf_counter()
        rules.group_roster(entries, rules.role_requirements(rules.DEFAULT_REQUIRED_ROLES))
        report(f"roster grouping, {participants} participants", (time.perf_counter() - started) * 1000, "ms")

    # A long code step keeps one code valid through the whole measurement.
    fields = {**meeting_2(), "code_step_seconds": 600}
    usage = bench.children(bench.load(scenario(block_element("kkn_checkin", fields))))[0]
    calls = 1 + 5 * 50  # the roster's size: 251 participants, each checked in by one timed call
    for i in range(calls):
        api.save_profile(f"local:b{i}", PROGRAMME, f"Deltagare {i}", "Lund", "culture", "Skåne")
    code = bench.post(usage, "staff_code", {"session_id": "skane-2"}, user="staff").json()["code"]

    print(f"   ({machine_load()}; CPU time per call, {ROUNDS} rounds of {CALLS} calls alternated with thumbs.vote)")
    fresh = CALLS * ROUNDS + 2
    timing = bench.compare(lambda i: bench.post(usage, "check_in", {"code": code}, user=f"b{i}"), CALLS, ROUNDS)
    report_timing(report, "kkn_checkin.check_in (new check-in)", timing, aim=2)
    timing = bench.compare(lambda i: bench.post(usage, "check_in", {"code": code}, user=f"b{i % fresh}"), CALLS, ROUNDS)
    report_timing(report, "kkn_checkin.check_in (already checked in)", timing, aim=2)
    timing = bench.compare(lambda i: bench.post(usage, "staff_code", {
        "session_id": "skane-2", "page_url": "http://127.0.0.1:8000/scenario/kkn_checkin.0/"}, user="staff"),
        CALLS, ROUNDS)
    report_timing(report, "kkn_checkin.staff_code (code + QR SVG)", timing)
    timing = bench.compare(lambda i: bench.post(usage, "panel", {"session_id": "skane-2"}, user="staff"), 5, ROUNDS)
    report_timing(report, f"kkn_checkin.panel (roster of {calls} participants)", timing, aim=2)
