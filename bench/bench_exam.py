"""Final exam: grading 100 questions and rendering 50, against a trivial workbench handler;
eligibility queries against the number of modules."""
from harness import Bench, count_queries, machine_load, report_timing

CALLS, ROUNDS = 20, 7


def bank(count):
    return [
        {"id": f"q{n}", "type": "multiple" if n % 5 == 0 else "single", "points": 1 + n % 3, "topic": f"modul-{n % 6}",
         "text": f"Fråga {n}: vilket påstående om kommunens näringslivsarbete stämmer **bäst**?",
         "explanation": "Förklaringen visas först när provet är klart.",
         "options": [{"id": f"o{k}", "text": f"Alternativ {k} till fråga {n}", "correct": k in (0, 2) if n % 5 == 0
                      else k == 0} for k in range(4)]}
        for n in range(count)
    ]


def exam_fields(count, draw=0):
    return {"display_name": "Slutprov", "programme_id": "bench-exam", "programme_title": "Bänkprogrammet",
            "exam_id": f"prov-{count}", "questions": bank(count), "draw_count": draw, "shuffle": True,
            "time_limit_minutes": 0, "attempts_allowed": 0, "pass_percent": 50, "review_policy": "answers_after_attempt"}


def right_letters(row, questions):
    right = {(q["id"], o["id"]) for q in questions for o in q["options"] if o["correct"]}
    return {item["id"]: ["ABCD"[i] for i, oid in enumerate(item["options"]) if (item["id"], oid) in right]
            for item in row.draw}


def run(report):
    bench = Bench()
    # pylint: disable=import-outside-toplevel
    from workbench.runtime import WorkbenchRuntime

    from kkn_xblocks.records import api
    from kkn_xblocks.records.models import ExamAttempt
    from kkn_xblocks.scenarios import block_element, scenario

    def load(fields):
        return bench.children(bench.load(scenario(block_element("kkn_exam", fields))))[0]

    print(f"   ({machine_load()}; CPU time per call, {ROUNDS} rounds of {CALLS} calls alternated with thumbs.vote)")
    # Grading: every call submits a fresh 100-question attempt (opened before the clock runs).
    graded = load(exam_fields(100))
    users = [f"g{i}" for i in range(CALLS * ROUNDS + 2)]  # one attempt per call: warm-up, timed, counted
    for user in users:
        bench.post(graded, "start", {}, user=user)
    attempts = {row.learner_key: row for row in ExamAttempt.objects.filter(exam_id="prov-100")}
    answers = {user: right_letters(attempts[f"local:{user}"], bank(100)) for user in users}
    timing = bench.compare(lambda i: bench.post(graded, "save_answers", {
        "attempt": 1, "answers": answers[users[i]]}, user=users[i]), CALLS, ROUNDS)
    report_timing(report, "kkn_exam.save_answers (100 answers)", timing)
    timing = bench.compare(lambda i: bench.post(graded, "submit", {"attempt": 1, "answers": answers[users[i]]},
                                                user=users[i]), CALLS, ROUNDS)
    assert ExamAttempt.objects.filter(exam_id="prov-100", status="submitted", passed=True).count() == len(users)
    report_timing(report, "kkn_exam.submit (grade 100 questions)", timing, aim=3)
    timing = bench.compare(lambda i: bench.post(graded, "review", {"attempt": 1}, user=users[i]), CALLS, ROUNDS)
    report_timing(report, "kkn_exam.review (her 100 answers, when she opens them)", timing)

    # Rendering: the page of a learner with a 50-question attempt open, and the start that draws it.
    shown = load(exam_fields(80, draw=50))
    starters = [f"r{i}" for i in range(CALLS * ROUNDS + 2)]
    timing = bench.compare(lambda i: bench.post(shown, "start", {}, user=starters[i]), CALLS, ROUNDS)
    report_timing(report, "kkn_exam.start (draw and render 50 of 80 questions)", timing, aim=3)

    def render(i):
        html = WorkbenchRuntime(starters[i % len(starters)]).get_block(shown).render("student_view", {}).body_html()
        assert html.count('class="kkn-question"') == 50
    report_timing(report, "kkn_exam.student_view (50-question attempt, in process)",
                  bench.compare(render, CALLS, ROUNDS))

    # Eligibility: the same queries whatever the number of modules.
    for modules in (6, 60):
        ids = [f"m{i}" for i in range(modules)]
        usage = load({**exam_fields(5), "required_modules": ids, "min_meetings": 1, "exam_id": f"elig-{modules}"})
        for module_id in ids:
            api.record_completion("local:e", "bench-exam", module_id, "1")
        api.check_in("local:e", "bench-exam", "t1", "s1", "present")
        block = WorkbenchRuntime("e").get_block(usage)
        person = block.person
        check = block._eligibility  # pylint: disable=protected-access
        check(person, api.NO_ACCOMMODATION)  # the workbench reads each field from its table once
        result, queries = count_queries(
            lambda c=check, p=person: c(p, api.accommodation_for(p.key, "bench-exam", "x")))
        assert result.eligible
        report(f"eligibility queries, {modules} modules", queries, "queries", "must not grow with the module count")

    # Verification: one indexed lookup, whatever the number of certificates.
    for i in range(2000):
        api.issue_certificate(f"c{i}", "bench-exam", "Bänkprogrammet", f"Deltagare {i}")
    code = api.certificate_of("c7", "bench-exam").code
    client = bench.client
    known = bench.compare(lambda i: client.get(f"/kkn/intyg/{code}/json/"), CALLS, ROUNDS)
    report_timing(report, "verification page, JSON (2000 certificates)", known)
    unknown = bench.compare(lambda i: client.get("/kkn/intyg/KKN-7Q4M-2HXD-9RTA-K3PB-M/json/"), CALLS, ROUNDS)
    report_timing(report, "verification page, JSON (unknown id)", unknown)
    report("  unknown id to known id", unknown.seconds.median / known.seconds.median, "x", "no scan: close to 1")
