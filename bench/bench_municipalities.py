"""Municipalities as the unit: the overview's queries and time vs the programme's size, and the
shared task's save vs a trivial workbench handler."""
from harness import Bench, count_queries, report_timing


def run(report):
    bench = Bench()
    # pylint: disable=import-outside-toplevel
    from django.db import reset_queries

    from kkn_xblocks import checkin_rules as rules
    from kkn_xblocks import clock
    from kkn_xblocks.records import api
    from kkn_xblocks.records.models import Attendance, ModuleCompletion, Participation
    from kkn_xblocks.scenarios import block_element, scenario
    from kkn_xblocks.scenarios.module import MODULE_1

    meetings = [{"id": f"m{n}", "title": f"Träff {n}"} for n in range(1, 6)]
    modules = [{"id": f"mod{n}", "title": f"Modul {n}"} for n in range(1, 6)]
    places = [(region, name) for region, names in rules.SOUTHERN_MUNICIPALITIES.items() for name in names]
    for municipalities, per in ((2, 10), (20, 10), (60, 10)):
        programme = f"bench-overview-{municipalities}"
        people, rows, done = [], [], []
        for index, (region, name) in enumerate(places[:municipalities]):
            for number in range(per):
                key = f"{programme}-{index}-{number}"
                people.append(Participation(learner_key=key, programme_id=programme, name=f"Deltagare {key}",
                                            municipality=name, role=rules.ROLE_IDS[number % 2], region=region))
                rows += [Attendance(learner_key=key, programme_id=programme, meeting_id=m["id"], session_id="s",
                                    status="present", method="code", recorded_at=clock.now()) for m in meetings]
                done += [ModuleCompletion(learner_key=key, programme_id=programme, module_id=m["id"],
                                          module_version="1", completed_at=clock.now()) for m in modules[:3]]
        Participation.objects.bulk_create(people)
        Attendance.objects.bulk_create(rows)
        ModuleCompletion.objects.bulk_create(done)
        usage = bench.children(bench.load(scenario(block_element("kkn_checkin", {
            "programme_id": programme, "meeting_id": "m1", "overview_meetings": meetings,
            "overview_modules": modules}))))[0]
        reset_queries()
        _facts, queries = count_queries(lambda p=programme: api.overview_facts(
            p, [m["id"] for m in meetings], [m["id"] for m in modules]))
        label = f"{municipalities} municipalities, {municipalities * per} participants"
        report(f"overview record queries, {label}", queries, "queries", "must stay 3")
        _response, queries = count_queries(lambda u=usage: bench.post(u, "overview", {}, user="staff"))
        report(f"overview handler queries, {label}", queries, "queries", "must not grow with the size")
        timing = bench.compare(lambda i, u=usage: bench.post(u, "overview", {}, user="staff"), calls=5, rounds=5)
        report_timing(report, f"kkn_checkin.overview, {label}", timing)

    usage = bench.children(bench.load(scenario(block_element("kkn_module", {**MODULE_1,
                                                                            "task_mode": "municipality"}))))[0]
    api.save_profile("local:bench-shared", MODULE_1["programme_id"], "Anna", "Ystad", "culture", "Skåne")
    version = [0]

    def save(_i):
        version[0] = bench.post(usage, "shared_save", {"text": f"Text {version[0]}", "version": version[0]},
                                user="bench-shared").json()["version"]

    timing = bench.compare(save, calls=20, rounds=5)
    report_timing(report, "kkn_module.shared_save (version check + revision)", timing)
