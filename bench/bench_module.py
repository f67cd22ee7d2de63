"""Distance-module block: progress query count vs module count, handler time vs a trivial handler."""
from harness import Bench, count_queries, machine_load, report_timing


def run(report):
    bench = Bench()
    from kkn_xblocks.records import api  # pylint: disable=import-outside-toplevel

    for modules in (6, 60):
        ids = [f"bench-m{i}" for i in range(modules)]
        for module_id in ids[: modules // 2]:
            api.record_completion(f"bench-{modules}", "bench", module_id, "1")
        progress, queries = count_queries(lambda: api.programme_progress(f"bench-{modules}", "bench", ids))
        assert progress.done == modules // 2
        report(f"progress queries, {modules} modules", queries, "queries", "must not grow with the module count")

    from kkn_xblocks.scenarios import block_element, scenario  # pylint: disable=import-outside-toplevel
    from kkn_xblocks.scenarios.module import MODULE_1  # pylint: disable=import-outside-toplevel
    usage = bench.children(bench.load(scenario(block_element("kkn_module", MODULE_1))))[0]
    print(f"   ({machine_load()}; CPU time per call, 7 rounds of 20 calls alternated with thumbs.vote)")
    text = " ".join(["Kommunens näringslivsarbete behöver en tydlig ansvarsfördelning."] * 20)
    for handler, payload in [
        ("save_draft", {"text": text}),
        ("submit_task", {"text": text}),
        ("check_answers", {"answers": {"q1": 1, "q2": 0}}),
    ]:
        timing = bench.compare(lambda i, h=handler, p=payload: bench.post(usage, h, p, user=f"s{i}"))
        report_timing(report, f"kkn_module.{handler}", timing)
