"""No lost updates: a save built on an old version is refused, on every write path."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from admin_views.base import STALE
from models import db
from models.places import Building
from models.users import User

from .factories import make_building


def version_on(html: str) -> str:
    match = re.search(r'name="row_version" type="hidden" value="(\d+)"', html) or \
        re.search(r'id="row_version" name="row_version" type="hidden" value="(\d+)"', html)
    assert match, "the edit form carries no version"
    return match.group(1)


def building_form(building, **changes):
    return {"area": building.area_id, "number": building.number, "floors": building.floors,
            "units": building.units or 1, "households": building.households or 0, **changes}


def test_second_clerk_is_refused_and_told_what_changed(world, as_user):
    building = make_building(world, world.area_a1, floors=6, units=2, households=0)
    db.session.commit()
    url = f"/building/edit/?id={building.id}"
    first, second = as_user(world.user("community_a1")), as_user(world.user("street_a"))
    seen_first = version_on(first.get(url).get_data(as_text=True))
    seen_second = version_on(second.get(url).get_data(as_text=True))
    assert seen_first == seen_second == str(building.version)

    saved = first.post_form(url, {**building_form(building, floors="9"),
                                  "row_version": seen_first}, form_url=url)
    assert saved.status_code == 302
    refused = second.post_form(url, {**building_form(building, address="新地址 1 号"),
                                     "row_version": seen_second}, form_url=url)
    assert refused.status_code == 200
    html = refused.get_data(as_text=True)
    assert STALE in html and "层数" in html and "6 → 9" in html
    assert world.user("community_a1").username in html
    db.session.expire_all()
    row = db.session.get(Building, building.id)
    assert row.floors == 9 and row.address != "新地址 1 号" and row.version == 2


def test_a_current_version_saves(world, as_user):
    building = make_building(world, world.area_a1, floors=6, units=2, households=0)
    db.session.commit()
    url = f"/building/edit/?id={building.id}"
    clerk = as_user(world.user("community_a1"))
    for floors in ("7", "8"):
        version = version_on(clerk.get(url).get_data(as_text=True))
        assert clerk.post_form(url, {**building_form(building, floors=floors),
                                     "row_version": version}, form_url=url).status_code == 302
    db.session.expire_all()
    assert db.session.get(Building, building.id).floors == 8


def test_inline_list_edit_with_an_old_version_is_refused(world, as_user):
    target = world.user("firm_a")
    admin = as_user(world.user("admin"))
    html = admin.get("/user/?page_size=100").get_data(as_text=True)
    key = re.search(rf'data-pk="({target.id}@\d+)"', html).group(1)
    old_key = f"{target.id}@{target.version}"
    assert key == old_key
    token = admin.csrf_token("/user/")
    target.display_name = "改名后"
    db.session.commit()
    response = admin.client.post("/user/ajax/update/", data={
        "list_form_pk": old_key, "active": "", "csrf_token": token})
    assert response.status_code == 409
    assert STALE in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, target.id).active is True
    fresh = f"{target.id}@{db.session.get(User, target.id).version}"
    response = admin.client.post("/user/ajax/update/", data={
        "list_form_pk": fresh, "active": "", "csrf_token": token})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(User, target.id).active is False


def test_workflow_endpoints_compare_the_posted_version(app, world):
    view = next(v for v in app.extensions["workbench_admin"]._views if v.endpoint == "building")
    building = make_building(world, world.area_a1)
    db.session.commit()
    with app.test_request_context():
        assert view.version_conflict(building, str(building.version)) is None
        building.floors = 11
        db.session.commit()
        message = view.version_conflict(building, "1")
    assert message.startswith(STALE)


def test_a_concurrent_write_between_read_and_save_is_caught_by_the_database(world):
    building_id = make_building(world, world.area_a1).id
    db.session.commit()
    with db.engine.begin() as other:
        other.execute(sa.update(Building.__table__).where(Building.id == building_id)
                      .values(floors=3, version=2))
    building = db.session.get(Building, building_id)
    # As if read just before the other clerk's save landed.
    set_committed_value(building, "version", 1)
    building.floors = 12
    with pytest.raises(StaleDataError):
        db.session.commit()
    db.session.rollback()
