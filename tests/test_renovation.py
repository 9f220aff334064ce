"""Old-complex renovation: dates in order, the housing bureau by default, who writes."""
from __future__ import annotations

import sqlalchemy as sa

from models import db
from models.renovation import RenovationProject


def project_form(world, **overrides):
    return {"area": world.area_a1.id, "name": "建国花园物业服务用房及四门落锁改造",
            "department": world.dept_2.id, "year": "2025", "budget": "860000",
            "start_on": "2025-05-10", "planned_end_on": "2025-10-31", "completed_on": "",
            "status": "in_progress", "notes": "", **overrides}


def test_project_is_saved_by_the_street(world, as_user):
    response = as_user(world.user("street_a")).post_form(
        "/renovation_project/new/", project_form(world), form_url="/renovation_project/new/")
    assert response.status_code == 302
    assert db.session.scalar(sa.select(RenovationProject.area_id)) == world.area_a1.id


def test_dates_out_of_order_are_refused(world, as_user):
    response = as_user(world.user("street_a")).post_form(
        "/renovation_project/new/", project_form(world, planned_end_on="2025-03-01"),
        form_url="/renovation_project/new/")
    assert response.status_code == 200
    assert "不能早于" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RenovationProject)) == 0


def test_new_project_is_led_by_the_housing_bureau(world, as_user):
    html = as_user(world.user("street_a")).get("/renovation_project/new/").get_data(as_text=True)
    assert f'selected value="{world.dept_2.id}"' in html or \
        f'value="{world.dept_2.id}" selected' in html


def test_communities_read_but_do_not_write(world, as_user):
    community = as_user(world.user("community_a1"))
    assert community.get("/renovation_project/").status_code == 200
    assert community.get("/renovation_project/new/").status_code in (302, 403)
    assert as_user(world.user("firm_a")).get("/renovation_project/").status_code == 403
