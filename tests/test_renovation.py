"""Old-complex renovation: dates, acceptance only when every item is done, progress, writers."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from models import db
from models.renovation import RenovationItem, RenovationProject

from .factories_renovation import make_renovation_item, make_renovation_project


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


def test_completion_needs_its_date(world, as_user):
    response = as_user(world.user("street_a")).post_form(
        "/renovation_project/new/", project_form(world, status="completed"),
        form_url="/renovation_project/new/")
    assert response.status_code == 200
    assert "必须填写实际完工日期" in response.get_data(as_text=True)


def test_a_project_without_items_is_not_accepted(world, as_user):
    response = as_user(world.user("street_a")).post_form(
        "/renovation_project/new/",
        project_form(world, status="accepted", completed_on="2025-10-20"),
        form_url="/renovation_project/new/")
    assert response.status_code == 200
    assert "尚未登记改造内容" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RenovationProject)) == 0


def accept(world, as_user, project):
    url = f"/renovation_project/edit/?id={project.id}"
    return as_user(world.user("street_a")).post_form(
        url, project_form(world, name=project.name, status="accepted",
                          completed_on="2025-10-20"), form_url=url)


def test_acceptance_waits_for_the_last_item(world, as_user):
    project = make_renovation_project(world, world.area_a1)
    make_renovation_item(world, world.area_a1, project=project, status="done",
                         done_on=date(2025, 9, 1))
    gates = make_renovation_item(world, world.area_a1, project=project, status="in_progress")
    db.session.commit()
    response = accept(world, as_user, project)
    assert response.status_code == 200
    assert "尚未完成" in response.get_data(as_text=True) and gates.description in \
        response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(RenovationProject, project.id).status == "planned"

    gates.status, gates.done_on = "done", date(2025, 10, 15)
    db.session.commit()
    assert accept(world, as_user, project).status_code == 302
    db.session.expire_all()
    assert db.session.get(RenovationProject, project.id).status == "accepted"


def test_items_of_an_accepted_project_stay_done(world, as_user):
    project = make_renovation_project(world, world.area_a1, status="accepted",
                                      completed_on=date(2025, 10, 20))
    db.session.commit()
    response = as_user(world.user("street_a")).post_form(
        "/renovation_item/new/", {"project": project.id, "kind": "other",
                                  "description": "补建垃圾分类亭", "status": "in_progress"},
        form_url="/renovation_item/new/")
    assert response.status_code == 200
    assert "已验收" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RenovationItem)) == 0


def test_done_item_needs_its_date(world, as_user):
    project = make_renovation_project(world, world.area_a1)
    db.session.commit()
    response = as_user(world.user("street_a")).post_form(
        "/renovation_item/new/", {"project": project.id, "kind": "gates",
                                  "description": "四门落锁", "status": "done"},
        form_url="/renovation_item/new/")
    assert response.status_code == 200
    assert "必须填写完成日期" in response.get_data(as_text=True)


def test_project_list_shows_the_progress(world, as_user):
    project = make_renovation_project(world, world.area_a1)
    make_renovation_item(world, world.area_a1, project=project, status="done",
                         done_on=date(2025, 9, 1))
    make_renovation_item(world, world.area_a1, project=project)
    db.session.commit()
    page = as_user(world.user("community_a1")).get("/renovation_project/").get_data(as_text=True)
    assert "1/2 项已完成" in page
