"""The `cases` command group: the daily reminder of overdue and nearly-due steps."""
from __future__ import annotations

import json

import click
from flask import Flask, current_app

STATUS_LABELS = {"overdue": "已超期", "due_soon": "即将到期"}


def register(app: Flask) -> None:
    app.cli.add_command(cases)


@click.group("cases")
def cases():
    """Cases, escalations and hazards."""


@cases.command("overdue")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出，便于推送提醒。")
def overdue(as_json):
    """Print the overdue and nearly-due steps of cases, escalations and hazards."""
    from models.case_operations import deadline_report
    from models.cases import local_now
    from models.deadlines import warning_window

    rows = deadline_report(local_now(), warning_window(current_app.config))
    if as_json:
        click.echo(json.dumps(
            [{**row, "deadline": row["deadline"].isoformat(timespec="minutes"),
              "status_label": STATUS_LABELS[row["status"]]} for row in rows],
            ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("没有超期或即将到期的办理环节。")
        return
    for status in ("overdue", "due_soon"):
        group = [row for row in rows if row["status"] == status]
        if not group:
            continue
        click.echo(f"{STATUS_LABELS[status]}（{len(group)}）：")
        for row in group:
            click.echo(f"  [{row['kind']}] {row['reference']} {row['title']} · {row['area']}"
                       f" · {row['step']} · {row['responsible'] or '—'}"
                       f" · 期限 {row['deadline']:%Y-%m-%d %H:%M}")
