"""The state machines of cases, escalations and hazards: (state, action) -> (next state, roles).

Pure data and functions (no Flask, no database): `models.case_operations` consults them before
it changes anything, and the screens draw only the buttons they allow. The Chinese labels of
states and actions live here too, so the tables and their wording cannot drift apart.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """Where an action leads and who may take it; `next_state` equal to the state: a record."""

    next_state: str
    roles: frozenset[str]


class Machine:
    """One transition table with the labels used in its refusal messages."""

    def __init__(self, name: str, state_labels: dict[str, str], action_labels: dict[str, str],
                 table: dict[tuple[str, str], Step]):
        self.name = name
        self.state_labels = state_labels
        self.action_labels = action_labels
        self.table = table
        unknown = {s for s, _ in table} | {step.next_state for step in table.values()}
        assert unknown <= set(state_labels), unknown - set(state_labels)
        assert {a for _, a in table} <= set(action_labels)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset().union(*(step.roles for step in self.table.values()))

    def step(self, state: str, action: str) -> Step | None:
        return self.table.get((state, action))

    def actions_for(self, state: str, role: str) -> list[str]:
        """The actions `role` may take in `state`, in the order the labels list them."""
        return [action for action in self.action_labels
                if role in getattr(self.step(state, action), "roles", ())]

    def refusal(self, state: str, action: str, role: str) -> str | None:
        """Why `role` may not take `action` in `state`, in Chinese; None when it may."""
        step = self.step(state, action)
        action_label = self.action_labels.get(action, action)
        state_label = self.state_labels.get(state, state)
        if action not in self.action_labels:
            return f"未知的操作“{action}”。"
        if step is None:
            return f"{self.name}当前为“{state_label}”，不能执行“{action_label}”。"
        if role not in step.roles:
            return f"您的账号角色无权在“{state_label}”状态下执行“{action_label}”。"
        return None

    def is_terminal(self, state: str) -> bool:
        return not any(s == state for s, _ in self.table)


ADMIN = frozenset({"admin"})
STREET = ADMIN | {"street"}
# Who takes cases in and decides where they go: the street and its communities.
INTAKE = STREET | {"community"}
# Who handles an assigned case: also the firm it was assigned to.
HANDLERS = INTAKE | {"firm"}
ASSIGNEES = ADMIN | {"community", "firm"}
DEPARTMENT = ADMIN | {"department"}

CASE_STATE_LABELS = {
    "received": "已受理",
    "assigned": "已交办",
    "in_progress": "办理中",
    "reported_to_street": "已上报街道",
    "escalated": "已吹哨",
    "resolved": "已办结",
    "closed": "已结案",
    "returned": "已退回",
    "reopened": "重新办理",
    "not_in_remit": "不属职责范围",
    "closed_unresolved": "未解决结案",
}
CASE_ACTION_LABELS = {
    "receive": "登记受理",
    "assign": "交办",
    "start": "开始办理",
    "mediate": "调解",
    "dissuade": "劝阻",
    "stop": "制止",
    "note": "办理记录",
    "report_to_street": "上报街道",
    "escalate": "吹哨部门",
    "department_accept": "部门报到",
    "department_reply": "部门回复",
    "department_close": "部门办结",
    "department_decline": "部门退回",
    "resend": "重新吹哨",
    "verify": "街道核实办结",
    "resolve": "办结",
    "return_case": "退回",
    "reopen": "重新办理",
    "not_in_remit": "认定不属职责",
    "close": "结案回访",
    "close_unresolved": "未解决结案",
    "merge": "并案",
}
# Progress entries: recorded on the timeline, the case stays in progress.
PROGRESS_ACTIONS = ("mediate", "dissuade", "stop", "note")


def _case_table() -> dict[tuple[str, str], Step]:
    table = {}

    def allow(states, action, next_state, roles):
        for state in states:
            table[(state, action)] = Step(next_state or state, frozenset(roles))

    allow(("received", "returned", "reopened"), "assign", "assigned", INTAKE)
    allow(("assigned",), "assign", "assigned", INTAKE)
    allow(("reported_to_street",), "assign", "assigned", STREET)
    allow(("received", "returned"), "not_in_remit", "not_in_remit", INTAKE)
    allow(("received", "assigned", "returned"), "merge", "closed", INTAKE)
    allow(("assigned", "reopened"), "start", "in_progress", HANDLERS)
    allow(("assigned", "in_progress"), "return_case", "returned", ASSIGNEES)
    allow(("in_progress",), "mediate", None, HANDLERS)
    allow(("in_progress",), "dissuade", None, HANDLERS)
    allow(("in_progress",), "stop", None, HANDLERS)
    allow(("received", "returned"), "note", None, INTAKE)
    allow(("assigned", "in_progress", "reopened"), "note", None, HANDLERS)
    allow(("reported_to_street", "escalated"), "note", None, INTAKE)
    allow(("in_progress",), "report_to_street", "reported_to_street", ASSIGNEES)
    allow(("in_progress",), "resolve", "resolved", HANDLERS)
    allow(("reported_to_street",), "resolve", "resolved", STREET)
    allow(("reported_to_street", "escalated"), "escalate", "escalated", STREET)
    allow(("escalated",), "verify", "resolved", STREET)
    allow(("resolved",), "close", "closed", INTAKE)
    allow(("resolved",), "reopen", "reopened", INTAKE)
    allow(("returned", "in_progress", "resolved"), "close_unresolved", "closed_unresolved",
          INTAKE)
    allow(("reported_to_street", "escalated"), "close_unresolved", "closed_unresolved", STREET)
    return table


CASE_MACHINE = Machine("案件", CASE_STATE_LABELS, CASE_ACTION_LABELS, _case_table())

ESCALATION_STATE_LABELS = {"sent": "已吹哨", "accepted": "已报到", "replied": "已回复",
                           "closed": "已办结", "returned": "已退回"}
ESCALATION_ACTION_LABELS = {"accept": "报到受理", "decline": "退回街道", "reply": "回复办理情况",
                            "close": "办结", "resend": "重新吹哨"}
ESCALATION_MACHINE = Machine("吹哨事项", ESCALATION_STATE_LABELS, ESCALATION_ACTION_LABELS, {
    ("sent", "accept"): Step("accepted", DEPARTMENT),
    ("sent", "decline"): Step("returned", DEPARTMENT),
    ("accepted", "reply"): Step("replied", DEPARTMENT),
    # A further reply adds to the first one while the department is still working.
    ("replied", "reply"): Step("replied", DEPARTMENT),
    ("replied", "close"): Step("closed", DEPARTMENT),
    ("returned", "resend"): Step("sent", STREET),
})
# The timeline entry each escalation action writes on its case.
ESCALATION_CASE_ACTIONS = {"accept": "department_accept", "decline": "department_decline",
                           "reply": "department_reply", "close": "department_close",
                           "resend": "resend"}
OPEN_ESCALATION_STATES = ("sent", "accepted", "replied")

HAZARD_STATE_LABELS = {"found": "已发现", "warned": "已设警示", "contacted": "已联系责任单位",
                       "disposed": "已处置", "verified": "已核验"}
HAZARD_ACTION_LABELS = {"warning_line": "设置警戒线", "post_notice": "张贴警示标语",
                        "contact": "联系责任单位", "clearing": "开始清理堆物",
                        "dispose": "登记处置结果", "verify": "核验销号",
                        "reject": "核验不合格"}


def _hazard_table() -> dict[tuple[str, str], Step]:
    # Warning line and notice may come before or after the responsible unit is contacted.
    table = {}
    for state, after in (("found", "warned"), ("warned", "warned"), ("contacted", "contacted")):
        table[(state, "warning_line")] = Step(after, HANDLERS)
        table[(state, "post_notice")] = Step(after, HANDLERS)
    for state in ("found", "warned"):
        table[(state, "contact")] = Step("contacted", HANDLERS)
    for state in ("warned", "contacted"):
        table[(state, "clearing")] = Step(state, HANDLERS)
    table[("contacted", "dispose")] = Step("disposed", HANDLERS)
    table[("disposed", "verify")] = Step("verified", INTAKE)
    table[("disposed", "reject")] = Step("contacted", INTAKE)
    return table


HAZARD_MACHINE = Machine("隐患", HAZARD_STATE_LABELS, HAZARD_ACTION_LABELS, _hazard_table())
