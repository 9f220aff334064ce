"""Cases, hazards and escalations: department scope, numbering, form rules, the timeline."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from models import db
from models.base import local_now
from models.cases import Case, CaseEvent, Hazard

from .factories_cases import make_case, make_case_event, make_escalation, make_hazard


def listed_ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r"details/\?id=(\d+)", html)}


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_department_sees_only_cases_escalated_to_it(world, as_user):
    to_dept_1 = make_case(world, world.area_a1, state="escalated")
    to_both = make_case(world, world.area_a2, state="escalated")
    to_dept_2 = make_case(world, world.area_a1, state="escalated")
    other_street = make_case(world, world.area_b1, state="escalated")
    not_escalated = make_case(world, world.area_a1)
    own = make_escalation(world, world.area_a1, case=to_dept_1, department=world.dept_1)
    own_of_two = make_escalation(world, world.area_a2, case=to_both, department=world.dept_1)
    foreign_of_two = make_escalation(world, world.area_a2, case=to_both, department=world.dept_2)
    foreign = make_escalation(world, world.area_a1, case=to_dept_2, department=world.dept_2)
    make_escalation(world, world.area_b1, case=other_street, department=world.dept_2)
    db.session.commit()
    user = as_user(world.user("dept_1"))

    assert listed_ids(user.get("/case/?page_size=100").get_data(as_text=True)) == {
        to_dept_1.id, to_both.id}
    assert user.get(f"/case/details/?id={to_dept_1.id}").status_code == 200
    for hidden in (to_dept_2, other_street, not_escalated):
        response = user.get(f"/case/details/?id={hidden.id}")
        assert response.status_code in (302, 404), hidden.title
        assert hidden.number not in response.get_data(as_text=True)

    escalations = user.get("/escalation/?page_size=100").get_data(as_text=True)
    assert listed_ids(escalations) == {own.id, own_of_two.id}
    for hidden in (foreign_of_two, foreign):
        assert user.get(f"/escalation/details/?id={hidden.id}").status_code in (302, 404)
    assert user.get("/case/new/").status_code in (302, 403)


def test_case_numbers_are_unique_and_follow_the_year(world, as_user):
    cases = [make_case(world, world.area_a1) for _ in range(5)]
    cases.append(make_case(world, world.area_b1, received_at=datetime(2025, 12, 31, 16, 0)))
    db.session.commit()
    numbers = [case.number for case in cases]
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"JG-\d{4}-\d{6}", n) for n in numbers)
    assert numbers[-1] == "JG-2025-000001"
    this_year = sorted(int(n[-6:]) for n in numbers[:-1])
    assert this_year == list(range(this_year[0], this_year[0] + 5))

    with pytest.raises(IntegrityError):
        make_case(world, world.area_a1, number=numbers[0])
    db.session.rollback()


def _case_form(world, **fields):
    return {"case_type": "complaint", "source": "call", "hotline_ticket": "",
            "title": "楼上漏水纠纷", "description": "楼上卫生间漏水，协商未果。",
            "area": str(world.area_a1.id), "building": "", "complainant_name": "王秀英",
            "complainant_phone": "13904391234", "respondent": "5-302住户",
            "urgency": "ordinary", "received_at": "2026-11-20 09:30:00", "patrol": "",
            "hazard": "", **fields}


def test_hotline_case_needs_its_ticket_number(world, as_user):
    user = as_user(world.user("community_a1"))
    response = user.post_form("/case/new/", _case_form(world, source="hotline"))
    assert response.status_code == 200
    assert "“来源”为“12345热线”时须填写“热线工单号”。" in response.get_data(as_text=True)
    assert _count(Case) == 0 and _count(CaseEvent) == 0

    response = user.post_form("/case/new/", _case_form(world, source="hotline",
                                                       hotline_ticket="LJ2026112000087"))
    assert response.status_code == 302
    case = db.session.scalar(sa.select(Case))
    assert case.number.startswith("JG-2026-") and case.state == "received"
    assert [(e.action, e.to_state, e.actor_id) for e in case.events] == [
        ("receive", "received", world.user("community_a1").id)]


def test_database_refuses_a_hotline_case_without_ticket(world):
    with pytest.raises(IntegrityError):
        make_case(world, world.area_a1, source="hotline")
    db.session.rollback()


def _hazard_form(world, **fields):
    return {"area": str(world.area_a1.id), "building": "", "patrol": "",
            "category": "electrical", "severity": "major", "location": "3号楼1单元电表箱",
            "description": "电表箱内线路老化，有焦糊味。", "found_at": "2026-11-25 10:00:00",
            "deadline": "", **fields}


def test_clearance_status_follows_the_category(world, as_user):
    """Only corridor clutter carries a clearance status; the screens set it, not the clerk."""
    user = as_user(world.user("community_a1"))
    response = user.post_form("/hazard/new/", _hazard_form(world, clearance_status="cleared"))
    assert response.status_code == 302
    hazard = db.session.scalar(sa.select(Hazard))
    assert hazard.clearance_status is None and hazard.status == "found"
    # A major hazard: 3 working days from Wednesday 2026-11-25 → Monday 2026-11-30 17:00.
    assert hazard.deadline == datetime(2026, 11, 30, 17, 0)

    response = user.post_form("/hazard/new/", _hazard_form(
        world, category="corridor_clutter", location="2单元楼道"))
    assert response.status_code == 302
    clutter = db.session.scalar(sa.select(Hazard).where(Hazard.location == "2单元楼道"))
    assert clutter.clearance_status == "not_cleared"

    with pytest.raises(IntegrityError):
        make_hazard(world, world.area_a1, category="elevator", clearance_status="cleared")
    db.session.rollback()


def test_case_details_show_the_timeline_in_order(world, as_user):
    case = make_case(world, world.area_a1, received_at=datetime(2026, 11, 2, 8, 0))
    steps = [(datetime(2026, 11, 2, 9, 0), "receive", None, "received", "登记：居民来电反映"),
             (datetime(2026, 11, 3, 14, 0), "assign", "received", "assigned", "交办建国社区"),
             (datetime(2026, 11, 2, 8, 30), "note", None, None, "电话回访反映人")]
    for at, action, from_state, to_state, note in steps:
        make_case_event(world, world.area_a1, case=case, at=at, action=action,
                        from_state=from_state, to_state=to_state, note=note,
                        actor=world.user("street_a"))
    db.session.commit()
    case_id, actor_id = case.id, world.user("community_a1").id
    user = as_user(world.user("street_a"))

    html = user.get(f"/case/details/?id={case_id}").get_data(as_text=True)
    positions = [html.index(note) for note in ("电话回访反映人", "登记：居民来电反映", "交办建国社区")]
    assert positions == sorted(positions)
    assert "已受理 → 已交办" in html and world.user("street_a").display_name in html

    def statements():
        # Start each request from an empty identity map, as a real request does.
        db.session.expunge_all()
        counter = []
        listener = lambda *args: counter.append(1)  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert user.get(f"/case/details/?id={case_id}").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(counter)

    few = statements()
    for hour in range(10, 16):
        db.session.add(CaseEvent(case_id=case_id, at=datetime(2026, 11, 4, hour),
                                 action="note", actor_id=actor_id))
    db.session.commit()
    # More events never mean more statements (a newly seen actor may even save a look-up).
    assert statements() <= few


def test_overdue_deadlines_stand_out_until_the_case_is_closed(world, as_user):
    past = local_now() - timedelta(days=2)
    make_case(world, world.area_a1, title="电梯故障困人", state="in_progress",
              received_at=past - timedelta(days=5), deadline=past)
    make_case(world, world.area_a1, title="噪音扰民", state="closed", satisfaction="satisfied",
              received_at=past - timedelta(days=5), deadline=past, closed_at=past)
    db.session.commit()
    html = as_user(world.user("street_a")).get("/case/").get_data(as_text=True)
    assert html.count('class="overdue"') == 1
