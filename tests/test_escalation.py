"""The whistle through the screens: intake by a community, handling, escalation to two
departments, their replies, verification and closing; the board; department scope."""
from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import db
from models.cases import Attachment, Case, CaseEvent, Escalation, local_now

from .factories_cases import make_case, make_escalation, make_patrol

@pytest.fixture(autouse=True)
def attachment_dir(app, tmp_path):
    """Uploaded files go to a temporary folder, not the instance folder."""
    app.config["CASE_ATTACHMENT_DIR"] = str(tmp_path / "attachments")
    yield tmp_path / "attachments"
    app.config.pop("CASE_ATTACHMENT_DIR")


JPEG = b"\xff\xd8\xff\xe0" + b"0" * 2048


def _case_form(world, **fields):
    return {"case_type": "violation", "source": "visit", "hotline_ticket": "",
            "title": "楼顶私搭彩钢房", "description": "3号楼楼顶有住户私搭彩钢房。",
            "area": str(world.area_a1.id), "building": "", "complainant_name": "王秀英",
            "complainant_phone": "13904391234", "respondent": "3号楼6-602住户",
            "urgency": "ordinary", "received_at": local_now().strftime("%Y-%m-%d %H:%M:%S"),
            "patrol": "", "hazard": "", **fields}


def _act(browser, case_id, action, **fields):
    """Post one workflow form from the case page, with the row version it shows."""
    db.session.expire_all()
    version = db.session.get(Case, case_id).version
    page = f"/case/details/?id={case_id}"
    return browser.post_form(f"/case/action/{case_id}/",
                             {"action": action, "row_version": version, **fields},
                             form_url=page)


def _act_on_part(browser, escalation_id, action, **fields):
    db.session.expire_all()
    escalation = db.session.get(Escalation, escalation_id)
    return browser.post_form(f"/escalation/action/{escalation_id}/",
                             {"action": action, "row_version": escalation.version, **fields},
                             form_url=f"/case/details/?id={escalation.case_id}")


def _flash(browser, case_id) -> str:
    return browser.get(f"/case/details/?id={case_id}").get_data(as_text=True)


def test_a_complaint_goes_from_intake_through_two_departments_to_closing(world, as_user):
    community = as_user(world.user("community_a1"))
    response = community.post_form("/case/new/", {
        **_case_form(world), "attachments": (io.BytesIO(JPEG), "现场照片.jpg")},
        form_url="/case/new/")
    assert response.status_code == 302 and "/case/details/" in response.location
    case = db.session.scalar(sa.select(Case))
    case_id = case.id

    assert _act(community, case_id, "assign", assignee_kind="community").status_code == 302
    _act(community, case_id, "start", note="社区网格员到现场核实。")
    _act(community, case_id, "dissuade", note="上门劝阻，当事人拒绝拆除。")
    _act(community, case_id, "stop", note="再次制止，下达整改告知，当事人仍未改正。")
    _act(community, case_id, "report_to_street", note="劝阻无效，上报街道。")
    db.session.expire_all()
    assert db.session.get(Case, case_id).state == "reported_to_street"

    street = as_user(world.user("street_a"))
    page = street.get(f"/case/details/?id={case_id}").get_data(as_text=True)
    assert 'data-action="escalate"' in page
    due = (local_now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = _act(street, case_id, "escalate",
                    department_ids=[str(world.dept_1.id), str(world.dept_2.id)],
                    **{f"reply_due_{world.dept_1.id}": due}, note="请依法查处。")
    assert response.status_code == 302
    parts = {e.department_id: e for e in db.session.scalars(sa.select(Escalation))}
    assert set(parts) == {world.dept_1.id, world.dept_2.id}
    assert parts[world.dept_1.id].reply_due.strftime("%Y-%m-%dT%H:%M") == due
    assert parts[world.dept_2.id].reply_due > local_now()

    # The street cannot verify while departments are still working.
    _act(street, case_id, "verify", note="核实。")
    assert "尚有部门未办结" in _flash(street, case_id)

    for persona, reply in (("dept_1", "已下达限期拆除通知书。"), ("dept_2", "已约谈产权单位。")):
        department = as_user(world.user(persona))
        part = parts[world.user(persona).department_id].id
        assert department.get(f"/case/details/?id={case_id}").status_code == 200
        assert _act_on_part(department, part, "accept").status_code == 302
        _act_on_part(department, part, "reply", note=reply,
                     attachments=(io.BytesIO(b"%PDF-1.4 scan"), "回复函.pdf"))
        _act_on_part(department, part, "close")
    db.session.expire_all()
    assert {e.state for e in db.session.scalars(sa.select(Escalation))} == {"closed"}

    _act(street, case_id, "verify", note="两部门均已办结，现场核实彩钢房已拆除。")
    _act(community, case_id, "close", satisfaction="satisfied", note="回访反映人，满意。")
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    assert case.state == "closed" and case.satisfaction == "satisfied" and case.closed_at

    actions = [e.action for e in case.events]
    assert actions == ["receive", "assign", "start", "dissuade", "stop", "report_to_street",
                       "escalate", "department_accept", "department_reply", "department_close",
                       "department_accept", "department_reply", "department_close", "verify",
                       "close"]
    html = street.get(f"/case/details/?id={case_id}").get_data(as_text=True)
    rows = re.findall(r'<tr class="case-event" data-action="(\w+)"', html)
    assert rows == actions
    for text in ("上门劝阻，当事人拒绝拆除。", "已下达限期拆除通知书。", "已约谈产权单位。",
                 "已受理 → 已交办", "已吹哨 → 已办结", "已办结 → 已结案", "现场照片.jpg",
                 "回复函.pdf", world.user("dept_1").display_name):
        assert text in html, text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 3


def test_a_refused_step_on_the_screen_says_why_and_changes_nothing(world, as_user):
    case = make_case(world, world.area_a1)
    db.session.commit()
    firm = as_user(world.user("firm_a"))
    response = _act(firm, case.id, "assign", assignee_kind="community")
    assert response.status_code == 302
    html = firm.get(f"/case/details/?id={case.id}").get_data(as_text=True)
    assert "您的账号角色无权在“已受理”状态下执行“交办”。" in html
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == "received"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseEvent)) == 0


def test_a_stale_form_is_refused(world, as_user):
    case = make_case(world, world.area_a1)
    db.session.commit()
    community = as_user(world.user("community_a1"))
    token = community.csrf_token(f"/case/details/?id={case.id}")
    community.client.post(f"/case/action/{case.id}/", data={
        "action": "assign", "assignee_kind": "community", "row_version": case.version + 5,
        "csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == "received"


def test_foreign_cases_and_parts_cannot_be_acted_on(world, as_user):
    foreign = make_case(world, world.area_b1, state="escalated")
    part = make_escalation(world, world.area_b1, case=foreign, department=world.dept_2)
    db.session.commit()
    for persona in ("street_a", "community_a1", "firm_a", "dept_1"):
        user = as_user(world.user(persona))
        token = user.csrf_token("/escalation_board/") if persona != "firm_a" else "x"
        response = user.client.post(f"/case/action/{foreign.id}/", data={
            "action": "note", "note": "越权", "row_version": 1, "csrf_token": token})
        assert response.status_code in (302, 403, 404), persona
        response = user.client.post(f"/escalation/action/{part.id}/", data={
            "action": "accept", "row_version": 1, "csrf_token": token})
        assert response.status_code in (302, 403, 404), persona
    db.session.expire_all()
    assert db.session.get(Escalation, part.id).state == "sent"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseEvent)) == 0


def test_the_board_groups_open_escalations_overdue_first(world, as_user):
    now = local_now()
    late = make_escalation(world, world.area_a1, department=world.dept_1,
                           escalated_at=now - timedelta(days=9), reply_due=now - timedelta(days=1))
    soon = make_escalation(world, world.area_a2, department=world.dept_1,
                           escalated_at=now - timedelta(days=1), reply_due=now + timedelta(hours=5))
    later = make_escalation(world, world.area_a1, department=world.dept_2,
                            escalated_at=now, reply_due=now + timedelta(days=6))
    foreign = make_escalation(world, world.area_b1, department=world.dept_1,
                              escalated_at=now, reply_due=now + timedelta(days=2))
    db.session.commit()

    def rows(persona):
        html = as_user(world.user(persona)).get("/escalation_board/").get_data(as_text=True)
        return html, [int(i) for i in re.findall(r'data-escalation="(\d+)"', html)]

    html, shown = rows("street_a")
    assert set(shown) == {late.id, soon.id, later.id}
    assert shown.index(late.id) < shown.index(soon.id)
    assert 'class="overdue"' in html and 'class="due-soon"' in html
    assert "按部门" in html and "按社区" in html and "解放社区" in html
    _, shown = rows("dept_1")
    assert set(shown) == {late.id, soon.id, foreign.id}
    _, shown = rows("community_a1")
    assert set(shown) == {late.id, later.id}
    assert as_user(world.user("firm_a")).get("/escalation_board/").status_code == 403

    def statements():
        counter = []
        listener = lambda *args: counter.append(1)  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert as_user(world.user("admin")).get("/escalation_board/").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(counter)

    few = statements()
    for _ in range(6):
        make_escalation(world, world.area_a2, department=world.dept_2, escalated_at=now,
                        reply_due=now + timedelta(days=1))
    db.session.commit()
    assert statements() == few


def test_a_patrol_finding_becomes_a_case_or_a_hazard_in_one_step(world, as_user):
    patrol = make_patrol(world, world.area_a1, status="done", done_on=local_now().date(),
                         findings="2单元楼道堆放纸箱。")
    db.session.commit()
    community = as_user(world.user("community_a1"))
    page = f"/patrol/details/?id={patrol.id}"
    assert "转为案件" in community.get(page).get_data(as_text=True)
    response = community.post_form(f"/patrol/finding/{patrol.id}/", {
        "kind": "case", "row_version": patrol.version, "case_type": "violation",
        "title": "楼道堆放纸箱", "description": "2单元楼道堆放纸箱。"}, form_url=page)
    assert response.status_code == 302 and "/case/details/" in response.location
    response = community.post_form(f"/patrol/finding/{patrol.id}/", {
        "kind": "hazard", "row_version": patrol.version, "category": "corridor_clutter",
        "severity": "urgent", "location": "2单元1-3层楼道", "description": "纸箱堆放。"},
        form_url=page)
    assert response.status_code == 302 and "/hazard/details/" in response.location
    case = db.session.scalar(sa.select(Case))
    assert (case.patrol_id, case.source, case.state) == (patrol.id, "patrol", "received")
    from models.cases import Hazard
    hazard = db.session.scalar(sa.select(Hazard))
    assert hazard.patrol_id == patrol.id and hazard.clearance_status == "not_cleared"
    assert hazard.deadline == hazard.found_at + timedelta(hours=24)
    html = community.get(page).get_data(as_text=True)
    assert case.number in html and "2单元1-3层楼道" in html


def test_possible_duplicates_are_offered_and_merged(world, as_user):
    kept = make_case(world, world.area_a1, case_type="complaint", title="楼道堆放杂物严重")
    db.session.commit()
    community = as_user(world.user("community_a1"))
    response = community.post_form("/case/new/", _case_form(
        world, case_type="complaint", title="楼道堆放杂物"), form_url="/case/new/")
    duplicate_id = int(response.location.split("id=")[1])
    html = community.get(f"/case/details/?id={duplicate_id}").get_data(as_text=True)
    assert "疑似重复案件" in html and kept.number in html
    _act(community, duplicate_id, "merge", into=str(kept.id))
    db.session.expire_all()
    duplicate = db.session.get(Case, duplicate_id)
    assert (duplicate.state, duplicate.merged_into_id) == ("closed", kept.id)
    assert f"与案件{kept.number}重复" in duplicate.events[-1].note
    assert duplicate.number in db.session.get(Case, kept.id).events[-1].note


def test_the_overdue_command_lists_late_and_nearly_due_steps(world, runner):
    now = local_now()
    make_case(world, world.area_a1, title="电梯困人", state="assigned", assigned_to="community",
              assigned_community_id=world.community_a1.id,
              received_at=now - timedelta(days=9), deadline=now - timedelta(days=1))
    make_escalation(world, world.area_a2, department=world.dept_1,
                    escalated_at=now - timedelta(days=1), reply_due=now + timedelta(hours=3))
    make_case(world, world.area_a1, title="不着急", received_at=now,
              deadline=now + timedelta(days=9))
    db.session.commit()
    result = runner.invoke(args=["cases", "overdue"])
    assert result.exit_code == 0, result.output
    assert "已超期（1）" in result.output and "电梯困人" in result.output
    assert "即将到期（1）" in result.output and "临江市城市管理行政执法局" in result.output
    assert "不着急" not in result.output
    rows = json.loads(runner.invoke(args=["cases", "overdue", "--json"]).output)
    assert [(r["kind"], r["status"]) for r in rows] == [("案件", "overdue"), ("吹哨", "due_soon")]
