"""`flask backup PATH` and `flask restore PATH`: consistent copies of the whole database.

SQLite uses its online backup API (readers and writers may go on meanwhile); PostgreSQL
uses pg_dump's snapshot in custom format and pg_restore.
"""
from __future__ import annotations

import sqlite3
import subprocess

import click
from flask import Flask

from models import db


def register(app: Flask) -> None:
    app.cli.add_command(backup)
    app.cli.add_command(restore)


def _libpq_url() -> str:
    """The database URL as pg_dump understands it (no SQLAlchemy driver suffix)."""
    url = db.engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _sqlite_copy(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    source.backup(target)
    target.commit()


def _sqlite_path() -> str:
    return db.engine.url.database


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise click.ClickException(f"{command[0]} 失败：{result.stderr.strip()}")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def backup(path):
    """Write a consistent backup of the database to PATH while the app keeps running."""
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        with sqlite3.connect(_sqlite_path()) as source, sqlite3.connect(path) as target:
            _sqlite_copy(source, target)
    elif dialect == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", path, _libpq_url()])
    else:
        raise click.ClickException(f"不支持的数据库类型：{dialect}")
    click.echo(f"已备份到 {path}")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="不再确认，直接覆盖当前数据库。")
def restore(path, yes):
    """Replace the whole database with the backup at PATH."""
    if not yes:
        click.confirm("恢复将覆盖当前数据库中的全部数据，确定继续吗？", abort=True)
    db.session.remove()
    db.engine.dispose()
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        with sqlite3.connect(path) as source, sqlite3.connect(_sqlite_path()) as target:
            _sqlite_copy(source, target)
    elif dialect == "postgresql":
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "--dbname", _libpq_url(), path])
    else:
        raise click.ClickException(f"不支持的数据库类型：{dialect}")
    db.engine.dispose()
    click.echo(f"已从 {path} 恢复。")
