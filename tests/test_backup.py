"""Backups: the demo data survives a backup and a restore, table by table."""
from __future__ import annotations

import sqlalchemy as sa

from demo import load_demo
from models import db

from .conftest import _empty_all_tables


def every_table() -> dict[str, list[tuple]]:
    db.session.expire_all()
    dump = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(sa.select(table)).all()
        dump[table.name] = sorted((tuple(str(v) for v in row) for row in rows))
    return dump


def test_backup_and_restore_round_trip_the_demo_data(app_ctx, runner, tmp_path):
    load_demo("demo-password-2026")
    db.session.commit()
    before = every_table()
    assert sum(len(rows) for rows in before.values()) > 100
    path = str(tmp_path / "jianguo.backup")

    result = runner.invoke(args=["backup", path])
    assert result.exit_code == 0, result.output
    db.session.remove()
    _empty_all_tables()
    assert every_table()["household"] == []

    result = runner.invoke(args=["restore", path, "--yes"])
    assert result.exit_code == 0, result.output
    assert every_table() == before


def test_restore_asks_before_overwriting(app_ctx, runner, tmp_path):
    path = tmp_path / "empty.backup"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    result = runner.invoke(args=["restore", str(path)], input="n\n")
    assert result.exit_code != 0 and "覆盖" in result.output
