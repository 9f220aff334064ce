"""`flask stats targets`: the dashboard's figures as JSON, for reporting upward."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import click
import sqlalchemy as sa
from flask import Flask

from models.base import local_today
from models import db


@dataclass(frozen=True)
class CommandLineAdmin:
    """The scope of a run without --user: everything, as for the system administrator."""

    role: str = "admin"
    is_authenticated: bool = True
    active: bool = True


def register(app: Flask) -> None:
    app.cli.add_command(stats)


@click.group("stats")
def stats():
    """Statistics: the work targets of DOMAIN.md §6."""


@stats.command("targets")
@click.option("--date", "day", default=None, help="统计日期 YYYY-MM-DD（默认今天）。")
@click.option("--community", default=None, help="只统计该社区（村）。")
@click.option("--user", "username", default=None, help="按该账号的管辖范围统计（默认全部）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@click.option("--no-trend", is_flag=True, help="不计算近12个月走势。")
def targets_command(day, community, username, as_json, no_trend):
    """The same figures as the dashboard, for the same scope."""
    from models.places import Community
    from models.scoping import visible_to
    from models.targets import targets
    from models.users import User

    try:
        day = date.fromisoformat(day) if day else local_today()
    except ValueError:
        raise click.BadParameter("日期格式应为 YYYY-MM-DD。", param_hint="--date")
    user = CommandLineAdmin()
    if username:
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if user is None or not user.active:
            raise click.BadParameter(f"找不到可用账号 {username}。", param_hint="--user")
    chosen = None
    if community:
        matches = db.session.scalars(sa.select(Community).where(
            Community.name == community, visible_to(Community, user))).all()
        if not matches:
            raise click.BadParameter(f"找不到社区“{community}”，或不在该账号的范围内。",
                                     param_hint="--community")
        if len(matches) > 1:
            raise click.BadParameter(f"社区“{community}”在多个街道重名，请用 --user 指定街道账号。",
                                     param_hint="--community")
        chosen = matches[0]
    figures = targets(user, day, chosen, with_trend=not no_trend)
    if as_json:
        click.echo(json.dumps(figures.as_json(), ensure_ascii=False, indent=2))
        return
    click.echo(f"{figures.scope} 工作目标（截至{day.isoformat()}）")
    for row in figures.communities + [{"name": "合计", "figures": figures.total}]:
        f = row["figures"]
        satisfaction = f["satisfaction"]["percent"]
        click.echo(f"  {row['name']}: 业委会 {f['committee']['value']}/{f['committee']['total']}，"
                   f"专业化或自治 {f['service']['value']}/{f['service']['total']}，"
                   f"兜底 {f['fallback']['value']}，在办隐患 {f['hazards']['open']}，"
                   f"堆物清理 {f['hazards']['clutter_cleared']}/{f['hazards']['clutter_found']}，"
                   f"欠费清缴 {f['arrears']['collected']}/{f['arrears']['owed']}，"
                   f"按期办结 {f['cases']['on_time']}/{f['cases']['closed']}，"
                   f"满意率 {'—' if satisfaction is None else satisfaction}")


@stats.command("rebuild-tallies")
def rebuild_tallies_command():
    """Derive again what the application keeps from other rows, after rows were written around
    it: each case's community and street from its area, then the monthly tallies."""
    from models.cases import copy_places
    from models.tallies import rebuild

    copy_places(db.session.connection(), sa.true())
    rebuild(db.session.connection())
    db.session.commit()
    click.echo("已按所属区域重新核对案件的社区和街道，并按案件、吹哨记录和隐患重新统计月度汇总。")
