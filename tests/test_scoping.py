"""Row scoping on every path, for every model view: the role × endpoint access matrix."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from admin_views.base import ScopedBaseView, ScopedModelView
from admin_views.home import HomeView
from models import db

from .factories import PERSONA_AREAS, PERSONA_ROLES, ROW_FACTORIES

AREAS = ("area_a1", "area_a2", "area_b1")
PERSONAS = tuple(PERSONA_AREAS)


def model_views(app):
    return [v for v in app.extensions["workbench_admin"]._views if isinstance(v, ScopedModelView)]


def area_views(app):
    return [v for v in model_views(app) if v.model in ROW_FACTORIES]


def listed_ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r"details/\?id=(\d+)", html)}


def view_ids(app):
    return [v.endpoint for v in area_views(app)]


@pytest.fixture
def rows(world):
    """One row per area for every area-scoped model view."""
    from flask import current_app

    made = {}
    for view in area_views(current_app):
        made[view.endpoint] = {name: ROW_FACTORIES[view.model](world, getattr(world, name))
                               for name in AREAS}
    db.session.commit()
    return {endpoint: {name: row.id for name, row in by_area.items()}
            for endpoint, by_area in made.items()}


def test_every_view_is_scoped(app):
    views = app.extensions["workbench_admin"]._views
    for view in views:
        assert isinstance(view, (ScopedModelView, ScopedBaseView, HomeView)), view
    for view in model_views(app):
        assert getattr(view.model, "__scope__", None) is not None, view.model


def test_every_area_scoped_model_has_a_row_factory(app):
    from models.scoping import ByArea, ByParent

    for view in model_views(app):
        if isinstance(view.model.__scope__, (ByArea, ByParent)):
            assert view.model in ROW_FACTORIES, f"no row factory for {view.model.__name__}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_lists_show_exactly_the_personas_rows(app, world, rows, as_user, persona):
    user = as_user(world.user(persona))
    role = PERSONA_ROLES[persona]
    for view in area_views(app):
        response = user.get(f"/{view.endpoint}/?page_size=100")
        if role not in view.read_roles:
            assert response.status_code == 403, view.endpoint
            continue
        assert response.status_code == 200, view.endpoint
        shown = listed_ids(response.get_data(as_text=True))
        ids = rows[view.endpoint]
        expected = {ids[a] for a in PERSONA_AREAS[persona]}
        assert expected <= shown, (view.endpoint, persona)
        assert not shown & ({ids[a] for a in AREAS} - expected), (view.endpoint, persona)
        for own in expected:
            details = user.get(f"/{view.endpoint}/details/?id={own}")
            assert details.status_code == 200, (view.endpoint, persona, "details")
            assert ">None<" not in "".join(details.get_data(as_text=True).split()), view.endpoint
            if role in view.write_roles and type(view).can_edit is not False:
                edit = user.get(f"/{view.endpoint}/edit/?id={own}")
                assert edit.status_code in (200, 302), (view.endpoint, persona, "edit")


@pytest.mark.parametrize("persona", ["street_a", "community_a1", "firm_a", "dept_1"])
def test_foreign_rows_cannot_be_reached_by_id(app, world, rows, as_user, persona):
    """Details, edit, delete, bulk delete and export of another tenant's row all fail."""
    user = as_user(world.user(persona))
    role = PERSONA_ROLES[persona]
    for view in area_views(app):
        if role not in view.read_roles:
            continue
        foreign = rows[view.endpoint]["area_b1"]
        for page in ("details", "edit"):
            response = user.get(f"/{view.endpoint}/{page}/?id={foreign}")
            assert response.status_code in (302, 403, 404), (view.endpoint, page)
        token = user.csrf_token(f"/{view.endpoint}/")  if role in view.write_roles else "x"
        user.client.post(f"/{view.endpoint}/delete/", data={"id": foreign, "csrf_token": token})
        user.client.post(f"/{view.endpoint}/action/", data={
            "action": "delete", "rowid": [foreign], "csrf_token": token})
        assert db.session.get(view.model, foreign) is not None, view.endpoint
        db.session.expire_all()
        if role in (view.export_roles or view.read_roles):
            export = user.get(f"/{view.endpoint}/export/csv/")
            assert export.status_code == 200, view.endpoint
            lines = export.get_data(as_text=True).strip().splitlines()
            listed = listed_ids(user.get(f"/{view.endpoint}/?page_size=100").get_data(as_text=True))
            assert foreign not in listed
            assert len(lines) - 1 == len(listed), view.endpoint


@pytest.mark.parametrize("persona", ["street_a", "community_a1"])
def test_own_rows_can_be_deleted(app, world, rows, as_user, persona):
    user = as_user(world.user(persona))
    view = next(v for v in area_views(app) if v.endpoint == "building")
    own = rows["building"]["area_a1"]
    token = user.csrf_token("/building/")
    user.client.post("/building/delete/", data={"id": own, "csrf_token": token})
    assert db.session.get(view.model, own) is None


def test_relation_choices_are_scoped(world, as_user):
    html = as_user(world.user("community_a1")).get("/building/new/").get_data(as_text=True)
    assert "建国花园" in html
    assert "解放小区" not in html and "大湖小区" not in html


def test_posted_foreign_id_is_refused(world, as_user):
    user = as_user(world.user("community_a1"))
    response = user.post_form("/building/new/", {
        "area": world.area_b1.id, "number": "9号楼", "floors": "6", "units": "1",
        "households": "0"}, form_url="/building/new/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "选择的值无效" in html and "Not a valid choice" not in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(
        sa.text("building")).where(sa.text("number = '9号楼'"))) == 0


def test_city_reads_everything_and_writes_nothing(world, rows, as_user):
    user = as_user(world.user("city"))
    assert user.get("/building/new/").status_code in (302, 403)
    token = user.csrf_token("/building/")
    user.client.post("/building/delete/", data={"id": rows["building"]["area_b1"],
                                                "csrf_token": token})
    from models.places import Building
    assert db.session.get(Building, rows["building"]["area_b1"]) is not None


def test_street_sees_only_its_own_street_and_communities(world, as_user):
    user = as_user(world.user("street_a"))
    communities = user.get("/community/").get_data(as_text=True)
    assert "建国社区" in communities and "解放社区" in communities
    assert "大湖社区" not in communities
    streets = user.get("/street/").get_data(as_text=True)
    assert "建国街道" in streets and "大湖街道" not in streets


def test_firm_sees_only_itself_among_firms(world, as_user):
    html = as_user(world.user("firm_a")).get("/firm/").get_data(as_text=True)
    assert "安居物业" in html and "大湖物业" not in html


def test_only_admin_manages_accounts(world, as_user):
    for persona in ("city", "street_a", "community_a1", "firm_a", "dept_1"):
        assert as_user(world.user(persona)).get("/user/").status_code == 403
    assert as_user(world.user("admin")).get("/user/").status_code == 200


def test_stranger_is_sent_to_login(client, world):
    response = client.get("/area/")
    assert response.status_code == 302 and "/login" in response.location


def test_lists_issue_a_constant_number_of_queries(app, world, as_user):
    """No list issues one query per row: 1 row and 15 rows in three areas cost the same."""
    from .factories import ROW_FACTORIES
    user = as_user(world.user("admin"))

    def statements(endpoint):
        counter = []
        listener = lambda *args: counter.append(1)  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert user.get(f"/{endpoint}/").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(counter)

    for view in area_views(app):
        ROW_FACTORIES[view.model](world, world.area_a1)
        db.session.commit()
        few = statements(view.endpoint)
        for n in range(14):
            # Rows of several areas: a relation loaded per row would load several rows.
            ROW_FACTORIES[view.model](world, getattr(world, AREAS[n % len(AREAS)]))
        db.session.commit()
        assert statements(view.endpoint) == few, view.endpoint
