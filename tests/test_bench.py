"""The benchmark's own machinery (bench/): it must keep working as the schema grows."""
from __future__ import annotations

from bench import generate, run

CASES = 1000


def test_the_generator_fills_the_current_schema_and_the_lists_stay_within_five_statements(
        tmp_path):
    url = f"sqlite:///{tmp_path}/bench.sqlite"
    rows = generate.generate(url, CASES, quiet=True)["rows"]
    assert rows["case_record"] == CASES
    assert rows["case_event"] == CASES * generate.EVENTS_PER_CASE
    assert generate.existing(url, CASES) and not generate.existing(url, 2 * CASES)

    lists = run.bench_lists(url, runs=1)
    assert lists["cases"] == CASES
    for scope in ("community", "street"):
        assert lists["statements"][f"{scope}:20"] == lists["statements"][f"{scope}:100"] <= 5
        assert 0 < lists["pages"][f"{scope}:first"]["rows_in_scope"] < CASES
