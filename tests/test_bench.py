"""The benchmark's own machinery (bench/): it must keep working as the schema grows."""
from __future__ import annotations

from bench import generate, run
from models.tallies import CASES as TALLIED_CASES

from .test_tallies import assert_kept, kept

CASES = 1000


def test_the_generator_fills_the_current_schema_and_the_lists_stay_within_five_statements(
        tmp_path):
    url = f"sqlite:///{tmp_path}/bench.sqlite"
    rows = generate.generate(url, CASES, quiet=True)["rows"]
    assert rows["case_record"] == CASES
    assert rows["case_event"] == CASES * generate.EVENTS_PER_CASE
    assert generate.existing(url, CASES) and not generate.existing(url, 2 * CASES)
    # Loaded around the ORM, the data set has its monthly tallies counted all the same.
    with run.workbench_app(url).app_context():
        assert len(kept(TALLIED_CASES)) > 12
        assert_kept()

    lists = run.bench_lists(url, runs=1)
    assert lists["cases"] == CASES
    for scope in ("community", "street"):
        assert lists["statements"][f"{scope}:20"] == lists["statements"][f"{scope}:100"] <= 5
        assert 0 < lists["pages"][f"{scope}:first"]["rows_in_scope"] < CASES

    # The scope pages, measured in a worker process of their own, all answer.
    pages = run.bench_dashboard(url, runs=1)
    assert {f"dashboard:{role}" for role in ("community", "street", "admin")} <= set(pages)
    assert all(isinstance(ms, float) for ms in pages.values()), pages


def test_the_statement_counter_keeps_only_what_the_action_sent():
    import sqlalchemy as sa

    engine = sa.create_engine("sqlite://")
    counter = run.StatementCounter(engine)
    with engine.connect() as connection:
        assert counter.during(lambda: connection.exec_driver_sql("SELECT 1")) == 1
        connection.exec_driver_sql("SELECT 2")
    assert [statement for statement, _ in counter.sent] == ["SELECT 1"]


def test_the_schema_fingerprint_is_the_same_in_every_process():
    """Data sets are reused across runs only if a new process computes the same fingerprint."""
    import os
    import subprocess
    import sys

    code = ("from sqlalchemy.dialects import sqlite; from bench import generate; "
            "print(generate.schema_fingerprint(generate.metadata(), sqlite.dialect()))")
    prints = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True, cwd=generate.ROOT,
                             env={**os.environ, "PYTHONHASHSEED": seed}).stdout
              for seed in ("1", "2", "3")}
    assert len(prints) == 1
