"""The audit trail: every change, sign-in, export and refusal, redacted and append-only."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import db
from models.audit import REDACTED, AuditEntry, AuditTamperingError
from models.places import Building
from models.users import User

from .conftest import PASSWORD
from .factories import make_building, make_household


def entries(**where):
    db.session.expire_all()
    query = sa.select(AuditEntry).order_by(AuditEntry.id)
    for key, value in where.items():
        query = query.where(getattr(AuditEntry, key) == value)
    return db.session.scalars(query).all()


def test_a_form_change_is_recorded_with_personal_values_redacted(world, as_user):
    household = make_household(world, world.area_a1, owner_name="王建国",
                               owner_phone="13904391234")
    db.session.commit()
    clerk = world.user("community_a1")
    url = f"/household/edit/?id={household.id}"
    response = as_user(clerk).post_form(url, {
        "building": household.building_id, "room": household.room, "owner_name": "李秀英",
        "owner_phone": "13804390000", "floor_area": "90.50", "occupied": "y",
        "row_version": household.version}, form_url=url)
    assert response.status_code == 302
    [entry] = entries(action="update", model="Household")
    assert (entry.user_id, entry.username, entry.row_id) == (clerk.id, clerk.username, household.id)
    assert entry.ip == "127.0.0.1" and entry.street_id == world.street_a.id
    assert entry.changes["owner_name"] == [REDACTED, REDACTED]
    assert entry.changes["owner_phone"] == [REDACTED, REDACTED]
    assert entry.changes["floor_area"] == ["88.00", "90.50"]
    text = str(entry.changes)
    assert "王建国" not in text and "李秀英" not in text and "13804390000" not in text


def test_create_and_delete_are_recorded(world, as_user):
    clerk = as_user(world.user("community_a1"))
    clerk.post_form("/building/new/", {"area": world.area_a1.id, "number": "审计楼",
                                       "floors": "6", "units": "2", "households": "0"})
    building_id = db.session.scalar(sa.select(Building.id).where(Building.number == "审计楼"))
    [created] = entries(action="create", model="Building")
    assert created.row_id == building_id and created.changes["number"] == [None, "审计楼"]
    clerk.post_form("/building/delete/", {"id": building_id}, form_url="/building/")
    [deleted] = entries(action="delete", model="Building")
    assert deleted.row_id == building_id and deleted.changes["number"] == ["审计楼", None]


def test_a_refused_change_leaves_no_entry(world, as_user):
    clerk = as_user(world.user("community_a1"))
    clerk.post_form("/building/new/", {"area": world.area_b1.id, "number": "越权楼",
                                       "floors": "6", "units": "1", "households": "0"})
    assert entries(action="create", model="Building") == []


def test_changes_from_the_command_line_are_recorded(world, runner):
    result = runner.invoke(args=["create-user", "audit_cli_user", "--role", "admin",
                                 "--password", "Cli-password-2026"])
    assert result.exit_code == 0, result.output
    user_id = db.session.scalar(sa.select(User.id).where(User.username == "audit_cli_user"))
    [entry] = entries(action="create", model="User", row_id=user_id)
    assert entry.username == "命令行" and entry.user_id is None and entry.ip is None
    assert entry.changes["password_hash"] == [None, REDACTED]


def test_sign_in_failures_and_refusals_are_recorded(world, browser, as_user):
    user = world.user("community_a1")
    browser.post_form("/login", {"username": user.username, "password": "wrong-password-1"})
    browser.post_form("/login", {"username": "no-such-account", "password": "whatever-99"})
    browser.post_form("/login", {"username": user.username, "password": PASSWORD})
    failed = entries(action="login_failed")
    assert [e.username for e in failed] == [user.username, "no-such-account"]
    assert failed[0].user_id == user.id and failed[1].user_id is None
    [login] = entries(action="login")
    assert login.user_id == user.id and login.ip == "127.0.0.1"

    foreign = make_building(world, world.area_b1)
    db.session.commit()
    as_user(user).get(f"/building/details/?id={foreign.id}")
    assert as_user(user).get("/user/").status_code == 403
    denied = entries(action="denied", user_id=user.id)
    assert any(e.model == "Building" and e.row_id == foreign.id for e in denied)
    assert any("403" in (e.detail or "") for e in denied)


def test_exports_are_recorded(world, as_user):
    assert as_user(world.user("street_a")).get("/building/export/csv/").status_code == 200
    [entry] = entries(action="export")
    assert entry.model == "Building" and entry.username == world.user("street_a").username


def test_no_path_changes_or_deletes_an_entry(world, as_user):
    make_building(world, world.area_a1)
    db.session.commit()
    entry = entries()[0]
    entry.detail = "篡改"
    with pytest.raises(AuditTamperingError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AuditTamperingError):
        db.session.execute(sa.delete(AuditEntry))
    db.session.rollback()
    with pytest.raises(AuditTamperingError):
        db.session.delete(db.session.get(AuditEntry, entry.id))
        db.session.flush()
    db.session.rollback()

    admin = as_user(world.user("admin"))
    assert admin.get(f"/audit/details/?id={entry.id}").status_code == 200
    assert admin.get(f"/audit/edit/?id={entry.id}").status_code in (302, 403, 404)
    assert admin.get("/audit/new/").status_code in (302, 403, 404)
    token = admin.csrf_token("/building/")
    admin.client.post("/audit/delete/", data={"id": entry.id, "csrf_token": token})
    admin.client.post("/audit/action/", data={"action": "delete", "rowid": [entry.id],
                                              "csrf_token": token})
    assert db.session.get(AuditEntry, entry.id) is not None


def test_street_searches_its_own_accounts_entries_only(world, as_user):
    own, other = world.user("community_a1"), world.user("community_b1")
    as_user(own).get("/user/")
    as_user(other).get("/user/")
    street = as_user(world.user("street_a"))
    html = street.get("/audit/?page_size=100").get_data(as_text=True)
    assert own.username in html and other.username not in html
    found = street.get(f"/audit/?search={own.username}").get_data(as_text=True)
    assert own.username in found
    assert as_user(world.user("admin")).get(
        f"/audit/?search={other.username}").get_data(as_text=True).count(other.username) >= 1
    for persona in ("community_a1", "firm_a", "city", "dept_1"):
        assert as_user(world.user(persona)).get("/audit/").status_code == 403


def test_search_by_record_and_date(world, as_user):
    building = make_building(world, world.area_a1)
    db.session.commit()
    admin = as_user(world.user("admin"))
    page = admin.get("/audit/").get_data(as_text=True)
    assert "楼栋" in page or "Building" in page
    filters = {"row_id": building.id}
    response = admin.get("/audit/", query_string={"flt1_row_id_equals": building.id})
    assert response.status_code == 200 and filters
    assert admin.get("/audit/", query_string={"flt2_at_greater_than": "2020-01-01 00:00:00"}
                     ).status_code == 200
