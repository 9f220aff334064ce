"""The transition tables, exhaustively: every (state, action, role) of cases, escalations and
hazards is either carried out (state moves, timeline written) or refused in Chinese with
nothing changed."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import db
from models.case_operations import (ActionRefused, apply_case_action, apply_escalation_action,
                                    apply_hazard_action)
from models.cases import Case, CaseEvent, Escalation, local_now
from models.scoping import ROLES
from models.workflow import (CASE_MACHINE, ESCALATION_MACHINE, HAZARD_MACHINE, PROGRESS_ACTIONS,
                             Machine, Step)

from .factories_cases import make_case, make_escalation, make_hazard

PERSONA_OF_ROLE = {"admin": "admin", "city": "city", "street": "street_a",
                   "community": "community_a1", "firm": "firm_a", "department": "dept_1"}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_every_role_is_a_known_role_and_terminal_states_have_no_way_out():
    for machine in (CASE_MACHINE, ESCALATION_MACHINE, HAZARD_MACHINE):
        assert machine.roles <= set(ROLES)
    for state in ("closed", "not_in_remit", "closed_unresolved"):
        assert CASE_MACHINE.is_terminal(state)
    assert not CASE_MACHINE.is_terminal("received")
    assert ESCALATION_MACHINE.is_terminal("closed")
    assert HAZARD_MACHINE.is_terminal("verified")


def test_the_documented_path_exists():
    path = [("received", "assign", "assigned"), ("assigned", "start", "in_progress"),
            ("in_progress", "report_to_street", "reported_to_street"),
            ("reported_to_street", "escalate", "escalated"), ("escalated", "verify", "resolved"),
            ("resolved", "close", "closed"), ("resolved", "reopen", "reopened"),
            ("assigned", "return_case", "returned"), ("received", "not_in_remit", "not_in_remit")]
    for state, action, after in path:
        assert CASE_MACHINE.step(state, action).next_state == after


def test_refusals_are_in_chinese_and_name_the_state():
    machine = Machine("测试", {"a": "甲", "b": "乙"}, {"go": "前进"},
                      {("a", "go"): Step("b", frozenset({"street"}))})
    assert machine.refusal("a", "go", "street") is None
    assert machine.refusal("b", "go", "street") == "测试当前为“乙”，不能执行“前进”。"
    assert "无权" in machine.refusal("a", "go", "firm")
    assert "未知" in machine.refusal("a", "fly", "street")


def _snapshot(row) -> dict:
    db.session.flush()
    return {c.key: getattr(row, c.key) for c in sa.inspect(type(row)).column_attrs}


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# -- cases ------------------------------------------------------------------------------------

def _case_in(world, state: str, role: str) -> Case:
    assigned = state != "received"
    kind = "firm" if role == "firm" else "community"
    now = local_now()
    case = make_case(
        world, world.area_a1, state=state, received_at=now - timedelta(days=3),
        assigned_to=kind if assigned else None,
        assigned_firm_id=world.firm_a.id if assigned and kind == "firm" else None,
        assigned_community_id=world.community_a1.id if assigned and kind == "community" else None,
        deadline=now + timedelta(days=5) if assigned else None,
        closed_at=now if state in ("closed", "closed_unresolved", "not_in_remit") else None,
        satisfaction="satisfied" if state in ("resolved", "closed") else None)
    if state == "escalated":
        # One part already closed by another department: the street may verify.
        make_escalation(world, world.area_a1, case=case, department=world.dept_2,
                        state="closed", escalated_at=now - timedelta(days=1), accepted_at=now,
                        replied_at=now, closed_at=now,
                        reply_text="已处理。")
    return case


def _case_data(world, action):
    data = {"note": "现场核实，依法处理。", "satisfaction": "satisfied"}
    if action == "assign":
        data["assignee_kind"] = "community"
    if action == "escalate":
        data["departments"] = [(world.dept_1.id, None)]
    if action == "merge":
        data["into"] = make_case(world, world.area_a1, title="同一问题的另一次反映")
    return data


@pytest.mark.parametrize("state", list(CASE_MACHINE.state_labels))
def test_case_table_every_action_and_role(world, state):
    for action in CASE_MACHINE.action_labels:
        for role, persona in PERSONA_OF_ROLE.items():
            user = world.user(persona)
            case = _case_in(world, state, role)
            data = _case_data(world, action)
            before, events = _snapshot(case), _count(CaseEvent)
            escalations = _count(Escalation)
            step = CASE_MACHINE.step(state, action)
            where = (state, action, role)
            if step is not None and role in step.roles:
                event = apply_case_action(case, action, user, **data)
                db.session.flush()
                assert case.state == step.next_state, where
                assert event.case_id == case.id and event.action == action, where
                assert event.actor_id == user.id and event.note, where
                assert event.to_state == (None if action in PROGRESS_ACTIONS
                                          else step.next_state), where
                assert _count(CaseEvent) > events, where
            else:
                with pytest.raises(ActionRefused) as refused:
                    apply_case_action(case, action, user, **data)
                assert CHINESE.search(refused.value.message), where
                assert _snapshot(case) == before, where
                assert (_count(CaseEvent), _count(Escalation)) == (events, escalations), where
            db.session.rollback()


# -- escalations ------------------------------------------------------------------------------

def _escalation_in(world, state: str) -> Escalation:
    now = local_now()
    case = make_case(world, world.area_a1, state="escalated",
                     received_at=now - timedelta(days=5))
    reached = ("accepted", "replied", "closed")
    return make_escalation(
        world, world.area_a1, case=case, department=world.dept_1, state=state,
        escalated_at=now - timedelta(days=2), reply_due=now + timedelta(days=3),
        accepted_at=now - timedelta(days=1) if state in reached else None,
        replied_at=now - timedelta(hours=5) if state in ("replied", "closed") else None,
        closed_at=now - timedelta(hours=1) if state == "closed" else None,
        reply_text="已到现场查看。" if state != "sent" else None)


@pytest.mark.parametrize("state", list(ESCALATION_MACHINE.state_labels))
def test_escalation_table_every_action_and_role(world, state):
    for action in ESCALATION_MACHINE.action_labels:
        for role, persona in PERSONA_OF_ROLE.items():
            user = world.user(persona)
            escalation = _escalation_in(world, state)
            before, events = _snapshot(escalation), _count(CaseEvent)
            step = ESCALATION_MACHINE.step(state, action)
            where = (state, action, role)
            if step is not None and role in step.roles:
                event = apply_escalation_action(escalation, action, user, note="已依法处置。")
                db.session.flush()
                assert escalation.state == step.next_state, where
                assert event.case_id == escalation.case_id and event.actor_id == user.id, where
                assert "临江市城市管理行政执法局" in event.note, where
            else:
                with pytest.raises(ActionRefused) as refused:
                    apply_escalation_action(escalation, action, user, note="已依法处置。")
                assert CHINESE.search(refused.value.message), where
                assert _snapshot(escalation) == before, where
                assert _count(CaseEvent) == events, where
            db.session.rollback()


def test_a_department_acts_only_on_its_own_part(world):
    escalation = _escalation_in(world, "sent")
    with pytest.raises(ActionRefused, match="不在您的管辖范围"):
        apply_escalation_action(escalation, "accept", world.user("dept_2"))
    assert escalation.state == "sent"


# -- hazards ----------------------------------------------------------------------------------

def _hazard_in(world, state: str):
    now = local_now()
    steps = list(HAZARD_MACHINE.state_labels).index(state)
    return make_hazard(
        world, world.area_a1, status=state, found_at=now - timedelta(days=3),
        clearance_status="cleared" if steps >= 3 else "not_cleared",
        responsible_unit="安居物业" if steps >= 2 else None,
        contact_method="phone" if steps >= 2 else None,
        contacted_at=now - timedelta(days=2) if steps >= 2 else None,
        disposal_note="已清理。" if steps >= 3 else None,
        disposed_at=now - timedelta(days=1) if steps >= 3 else None,
        verified_at=now - timedelta(hours=2) if steps >= 4 else None)


@pytest.mark.parametrize("state", list(HAZARD_MACHINE.state_labels))
def test_hazard_table_every_action_and_role(world, state):
    data = {"note": "责任单位已清理完毕。", "responsible_unit": "安居物业", "contact_method": "phone"}
    for action in HAZARD_MACHINE.action_labels:
        for role, persona in PERSONA_OF_ROLE.items():
            user = world.user(persona)
            hazard = _hazard_in(world, state)
            before = _snapshot(hazard)
            step = HAZARD_MACHINE.step(state, action)
            where = (state, action, role)
            if step is not None and role in step.roles:
                apply_hazard_action(hazard, action, user, **data)
                assert hazard.status == step.next_state, where
                assert _snapshot(hazard) != before, where
            else:
                with pytest.raises(ActionRefused) as refused:
                    apply_hazard_action(hazard, action, user, **data)
                assert CHINESE.search(refused.value.message), where
                assert _snapshot(hazard) == before, where
            db.session.rollback()


def test_corridor_clutter_clearance_follows_the_hazard(world):
    user = world.user("community_a1")
    hazard = _hazard_in(world, "found")
    apply_hazard_action(hazard, "warning_line", user)
    apply_hazard_action(hazard, "contact", user, responsible_unit="安居物业", contact_method="visit")
    apply_hazard_action(hazard, "clearing", user)
    assert hazard.clearance_status == "clearing"
    apply_hazard_action(hazard, "dispose", user, note="堆物已清运。")
    assert (hazard.status, hazard.clearance_status) == ("disposed", "cleared")
    apply_hazard_action(hazard, "reject", user, note="仍有旧沙发未清。")
    assert (hazard.status, hazard.clearance_status, hazard.disposed_at) == (
        "contacted", "clearing", None)
    apply_hazard_action(hazard, "dispose", user, note="旧沙发已清运。")
    apply_hazard_action(hazard, "verify", user)
    db.session.commit()
    assert (hazard.status, hazard.clearance_status) == ("verified", "cleared")
    assert hazard.warning_line_at and hazard.contacted_at and hazard.verified_at
