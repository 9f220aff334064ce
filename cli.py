"""Command-line tasks: schema, demo data and accounts."""
from __future__ import annotations

import secrets

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext

from cli_backup import register as register_backup
from cli_stats import register as register_stats
import cli_cases
from models import db
from models.scoping import ROLES
from models.users import ROLE_ORGANISATION, User
from security import password_problem


def register_commands(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_user)
    app.cli.add_command(filings)
    cli_cases.register(app)
    register_backup(app)
    register_stats(app)
    for command in app.cli.commands.values():
        _with_app_context(command)


def _with_app_context(command: click.Command) -> None:
    """Run every command (and subcommand) inside the app context, as `@app.cli.command` would."""
    if isinstance(command, click.Group):
        for subcommand in command.commands.values():
            _with_app_context(subcommand)
    elif command.callback is not None and not getattr(command.callback, "_in_app_context", False):
        command.callback = with_appcontext(command.callback)
        command.callback._in_app_context = True


@click.command("init-db")
def init_db():
    """Bring the database to the newest schema through the migrations."""
    from flask_migrate import upgrade

    upgrade()
    click.echo("数据库已升级到最新结构。")


@click.command("seed-demo")
@click.option("--password", default=None, help="所有演示账号的密码（默认随机生成）。")
def seed_demo(password):
    """Load Jianguo Street's demo data (idempotent) and print the demo accounts."""
    from demo import load_demo

    password = password or secrets.token_urlsafe(9)
    accounts = load_demo(password)
    db.session.commit()
    click.echo("演示数据已就绪。演示账号（用户名 / 角色 / 单位）：")
    for user in accounts:
        click.echo(f"  {user.username:<22} {user.role_label:<12} {user.organisation or ''}")
    click.echo(f"所有演示账号的密码：{password}")


def _lookup(model, name: str | None, what: str):
    if name is None:
        return None
    row = db.session.scalar(sa.select(model).where(model.name == name))
    if row is None:
        raise click.BadParameter(f"找不到{what}“{name}”。")
    return row


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(list(ROLES)), required=True)
@click.option("--street")
@click.option("--community")
@click.option("--firm")
@click.option("--department")
@click.option("--display-name", default=None)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user(username, role, street, community, firm, department, display_name, password):
    """Create an account tied to the one organisation its role needs."""
    from models.orgs import Department, PropertyFirm
    from models.places import Community, Street

    orgs = {
        "street_id": _lookup(Street, street, "街道"),
        "community_id": _lookup(Community, community, "社区"),
        "firm_id": _lookup(PropertyFirm, firm, "物业企业"),
        "department_id": _lookup(Department, department, "部门"),
    }
    required = ROLE_ORGANISATION.get(role)
    for column, org in orgs.items():
        if column == required and org is None:
            raise click.UsageError(f"角色 {role} 需要指定 --{column.removesuffix('_id')}。")
        if column != required and org is not None:
            raise click.UsageError(f"角色 {role} 不应指定 --{column.removesuffix('_id')}。")
    problem = password_problem(password, username)
    if problem:
        raise click.UsageError(problem)
    if db.session.scalar(sa.select(User).where(User.username == username)):
        raise click.UsageError(f"用户名 {username} 已存在。")
    user = User(username=username, display_name=display_name or username, role=role,
                **{column: org.id for column, org in orgs.items() if org is not None})
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"已创建账号 {username}（{ROLES.label(role)}）。")


@click.group("filings")
def filings():
    """Printed documents: list the types, render one to PDF."""


@filings.command("list")
def filings_list():
    """The document types, with the record each is printed from."""
    import reports.documents  # noqa: F401
    from reports.filings import DOCUMENT_TYPES

    for document_type in DOCUMENT_TYPES.values():
        click.echo(f"{document_type.key:<22} {document_type.model:<22} {document_type.title}")


@filings.command("render")
@click.argument("doc_type")
@click.argument("record_id", type=int)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--user", "username", default=None,
              help="以该账号的权限出具（默认以系统身份，不受范围限制）。")
def filings_render(doc_type, record_id, output, username):
    """Issue (or reprint) one document and write its PDF."""
    import reports.documents  # noqa: F401
    from reports.filings import DOCUMENT_TYPES, build_pdf, find_record, issue

    document_type = DOCUMENT_TYPES.get(doc_type)
    if document_type is None:
        raise click.BadParameter(f"未知的文书类型 {doc_type}；可用 `filings list` 查看。")
    user = None
    if username:
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if user is None:
            raise click.BadParameter(f"找不到账号 {username}。")
        record = find_record(document_type, record_id, user)
    else:
        record = db.session.get(document_type.model_class, record_id)
    if record is None:
        raise click.UsageError(f"找不到编号为 {record_id} 的记录，或不在该账号的范围内。")
    issued = issue(document_type, record, user)
    db.session.commit()
    with open(output, "wb") as handle:
        handle.write(build_pdf([(document_type, record, issued)], user))
    click.echo(f"{issued.number} → {output}")
