"""Command line: migrations, demo data, accounts."""
from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from models import db
from models.cases import Case
from models.places import Community, ManagementArea
from models.tallies import CASES, HAZARDS
from models.users import User

DEMO_PASSWORD = "demo-password-1"


def table_counts() -> dict[str, int]:
    return {table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def _empty_database() -> None:
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


def _assert_audit_is_append_only_in_the_database() -> None:
    import pytest

    from models.audit import record

    record("export", "测试", None, "迁移检查")
    db.session.commit()
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with db.engine.begin() as connection:
            connection.execute(sa.text("UPDATE audit_entry SET detail = 'x'"))


def test_migrations_build_the_models_schema_and_go_down_cleanly(app):
    """On each database: init-db from empty equals the models; downgrade leaves nothing; the
    tallies migration fills them, and the case places migration the cases' community and
    street, from the rows already there."""
    from flask_migrate import downgrade, upgrade

    from .test_tallies import assert_kept, kept

    with app.app_context():
        _empty_database()
        try:
            result = app.test_cli_runner().invoke(args=["init-db"])
            assert result.exit_code == 0, result.output
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                assert compare_metadata(context, db.metadata) == []
            if db.engine.dialect.name == "postgresql":
                _assert_audit_is_append_only_in_the_database()
            runner = app.test_cli_runner()
            assert runner.invoke(args=["seed-demo", "--password", DEMO_PASSWORD]).exit_code == 0
            db.session.remove()
            downgrade(revision="0002")
            upgrade()
            assert kept(CASES) and kept(HAZARDS)
            assert_kept()
            assert db.session.scalar(sa.select(sa.func.count(Case.id))) > 0
            assert db.session.scalar(sa.select(sa.func.count(Case.id))
                                     .join(ManagementArea, Case.area_id == ManagementArea.id)
                                     .join(Community, ManagementArea.community_id == Community.id)
                                     .where(sa.or_(Case.community_id != Community.id,
                                                   Case.street_id != Community.street_id))) == 0
            db.session.remove()
            downgrade(revision="base")
            remaining = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
            assert remaining == set()
        finally:
            _empty_database()
            db.create_all()


def test_seed_demo_is_idempotent_and_prints_the_accounts(app_ctx, runner):
    first = runner.invoke(args=["seed-demo", "--password", DEMO_PASSWORD])
    assert first.exit_code == 0, first.output
    counts = table_counts()
    second = runner.invoke(args=["seed-demo", "--password", DEMO_PASSWORD])
    assert second.exit_code == 0, second.output
    assert table_counts() == counts
    assert DEMO_PASSWORD in first.output and "community_jianguo" in first.output
    names = set(db.session.scalars(sa.select(Community.name)))
    assert names == {"建国社区", "解放社区", "世纪春社区", "台兴社区", "台兴村"}
    assert db.session.scalar(sa.select(sa.func.count(ManagementArea.id))) >= 15


def test_every_demo_account_can_sign_in_and_see_its_home(app_ctx, runner):
    from .conftest import Browser

    runner.invoke(args=["seed-demo", "--password", DEMO_PASSWORD])
    users = db.session.scalars(sa.select(User)).all()
    assert {u.role for u in users} == {"admin", "city", "street", "community", "firm",
                                       "department"}
    for user in users:
        browser = Browser(app_ctx.test_client())
        response = browser.post_form("/login", {"username": user.username,
                                                "password": DEMO_PASSWORD})
        assert response.status_code == 302, user.username
        assert browser.get("/").status_code == 200, user.username


def test_create_user_ties_the_account_to_its_organisation(world, runner):
    result = runner.invoke(args=["create-user", "zhang", "--role", "community",
                                 "--community", "建国社区", "--password", "long-enough-pw"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.username == "zhang"))
    assert user.community_id == world.community_a1.id and user.check_password("long-enough-pw")
    refused = runner.invoke(args=["create-user", "li", "--role", "street",
                                  "--password", "long-enough-pw"])
    assert refused.exit_code != 0 and "--street" in refused.output


def test_the_database_refuses_a_role_without_its_organisation(world):
    import pytest

    db.session.add(User(username="broken", display_name="x", role="firm", password_hash="x"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()
