"""Hypothesis settings of the fuzz suite: a fixed seed and example count, so CI is repeatable and fast.

``KKN_FUZZ_EXAMPLES`` raises the count for a longer local hunt (what it finds becomes an
``@example`` regression case). The number of generated cases per target is printed at the end.
"""
import os

from hypothesis import HealthCheck, settings

from .harness import CASES

settings.register_profile(
    "kkn-fuzz",
    derandomize=True,  # the seed is derived from each test: the same cases on every run
    database=None,  # nothing remembered between runs: CI and a laptop generate the same cases
    deadline=None,
    print_blob=True,
    max_examples=int(os.environ.get("KKN_FUZZ_EXAMPLES", "25")),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.large_base_example],
)


def pytest_terminal_summary(terminalreporter):
    if not CASES:
        return
    terminalreporter.section("fuzz cases per target")
    for target, count in sorted(CASES.items()):
        terminalreporter.write_line(f"{count:6d}  {target}")
    terminalreporter.write_line(f"{sum(CASES.values()):6d}  in all")
