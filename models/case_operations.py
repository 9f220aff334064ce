"""Changes to cases, escalations and hazards: scope → transition table → data → mutate → timeline.

The screens and the command line change these rows only through the functions here. A
refused action raises `ActionRefused` with a Chinese message before anything is changed;
the caller commits an accepted one (and rolls back on a refusal, to drop written files too).
"""
from __future__ import annotations

import os
import secrets
from datetime import datetime, timedelta
from difflib import SequenceMatcher

import sqlalchemy as sa
from flask import current_app

from .base import db
from .cases import (ASSIGNEE_KINDS, CONTACT_METHODS, HAZARD_CATEGORIES,
                    HAZARD_SEVERITIES, MAX_ATTACHMENT_BYTES, SATISFACTION, Attachment, Case,
                    CaseEvent, Escalation, Hazard, Patrol, local_now, record_case_event)
from .contracts import ServiceContract
from .deadlines import case_deadline, escalation_deadline, hazard_deadline
from .orgs import Department
from .scoping import is_visible, visible_to
from .workflow import (CASE_MACHINE, ESCALATION_CASE_ACTIONS, ESCALATION_MACHINE, HAZARD_MACHINE,
                       OPEN_ESCALATION_STATES, PROGRESS_ACTIONS)

# Allowed uploads: extension -> (MIME type, leading bytes the file must start with).
ALLOWED_UPLOADS = {
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".pdf": ("application/pdf", b"%PDF-"),
}
ATTACHMENT_FOLDER = "attachments"
DEFAULT_DUPLICATE_WINDOW_DAYS = 14
SIMILAR_TITLE_RATIO = 0.6
# Actions whose note is the substance of the step (a reason, a result, what was done).
NOTE_REQUIRED = frozenset({"mediate", "dissuade", "stop", "note", "report_to_street", "resolve",
                           "return_case", "reopen", "not_in_remit", "close_unresolved"})
# Only the assignee itself hands a case back or reports it upwards.
ASSIGNEE_ONLY = frozenset({"return_case", "report_to_street"})
CLOSING_STATES = ("closed", "closed_unresolved", "not_in_remit")


class ActionRefused(Exception):
    """An action the table, the scope or the data does not allow; `message` is Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _settings():
    return current_app.config


def _note(data, action: str, labels) -> str | None:
    note = (data.get("note") or "").strip() or None
    if note is None and action in NOTE_REQUIRED:
        raise ActionRefused(f"“{labels[action]}”须填写说明。")
    return note


def _moment(value, earliest: datetime | None, what: str) -> datetime:
    """A business time given on a form: not in the future, not before `earliest`."""
    now = local_now()
    if value in (None, ""):
        return now
    if not isinstance(value, datetime):
        raise ActionRefused(f"“{what}”的格式应为“年-月-日 时:分”。")
    if value > now + timedelta(minutes=5):
        raise ActionRefused(f"“{what}”不能晚于当前时间。")
    if earliest is not None and value < earliest:
        raise ActionRefused(f"“{what}”不能早于{earliest:%Y-%m-%d %H:%M}。")
    return value


# -- attachments ------------------------------------------------------------------------------

def check_upload(file) -> tuple[str, bytes]:
    """(MIME type, bytes) of an uploaded photo or scan; refuses other types and big files."""
    name = os.path.basename(file.filename or "")
    extension = os.path.splitext(name)[1].lower()
    if extension not in ALLOWED_UPLOADS:
        raise ActionRefused(f"附件“{name}”的类型不允许：只能上传 JPG、PNG 照片或 PDF 扫描件。")
    data = file.read(MAX_ATTACHMENT_BYTES + 1)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ActionRefused(f"附件“{name}”超过 {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB。")
    if not data:
        raise ActionRefused(f"附件“{name}”是空文件。")
    mime_type, magic = ALLOWED_UPLOADS[extension]
    if not data.startswith(magic):
        raise ActionRefused(f"附件“{name}”的内容与其扩展名不符，可能已损坏或不是图片/PDF。")
    return mime_type, data


def attachment_folder() -> str:
    """CASE_ATTACHMENT_DIR when configured, else instance/attachments: never under static/."""
    return (current_app.config.get("CASE_ATTACHMENT_DIR")
            or os.path.join(current_app.instance_path, ATTACHMENT_FOLDER))


def attachment_path(stored_filename: str) -> str:
    return os.path.join(attachment_folder(), stored_filename)


def _uploads(files) -> list[tuple[str, str, bytes]]:
    """Check every file before anything is written: (original name, MIME type, bytes)."""
    checked = []
    for file in files or ():
        if file is None or not file.filename:
            continue
        mime_type, data = check_upload(file)
        checked.append((os.path.basename(file.filename)[-255:], mime_type, data))
    return checked


def _store(case: Case, event: CaseEvent | None, uploads, user) -> list[Attachment]:
    folder = attachment_folder()
    os.makedirs(folder, exist_ok=True)
    stored = []
    for original, mime_type, data in uploads:
        extension = os.path.splitext(original)[1].lower()
        # A generated name: nothing the uploader chose reaches the file system.
        name = secrets.token_hex(16) + (".jpg" if extension == ".jpeg" else extension)
        with open(os.path.join(folder, name), "xb") as handle:
            handle.write(data)
        attachment = Attachment(case=case, event=event, original_filename=original,
                                stored_filename=name, mime_type=mime_type,
                                size_bytes=len(data), uploaded_by=user)
        db.session.add(attachment)
        stored.append(attachment)
    return stored


def attach_files(case: Case, files, user, event: CaseEvent | None = None) -> list[Attachment]:
    """Store checked uploads with the case (and one step of it)."""
    return _store(case, event, _uploads(files), user)


# -- cases ------------------------------------------------------------------------------------

def _check_scope(row, user, what: str) -> None:
    if not is_visible(row, user):
        raise ActionRefused(f"该{what}不在您的管辖范围内。")


def _check_assignee(case: Case, action: str, user) -> None:
    if user.role == "firm" and not (case.assigned_to == "firm"
                                    and case.assigned_firm_id == user.firm_id):
        raise ActionRefused("该案件未交办给贵单位，不能办理。")
    if user.role == "community" and action in ASSIGNEE_ONLY and case.assigned_to != "community":
        raise ActionRefused("该案件交办给物业服务企业，只能由承办企业退回或上报。")


def firms_serving(area_id: int) -> list:
    """The firms under an active contract in the area: the firms a case there may go to."""
    from .orgs import PropertyFirm

    return db.session.scalars(
        sa.select(PropertyFirm).join(ServiceContract, ServiceContract.firm_id == PropertyFirm.id)
        .where(ServiceContract.area_id == area_id,
               ServiceContract.active_on(local_now().date()))
        .order_by(PropertyFirm.name).distinct()).all()


def _assign(case: Case, data) -> str | None:
    kind = data.get("assignee_kind")
    if kind not in ASSIGNEE_KINDS:
        raise ActionRefused("请选择承办方类别：社区（村）或物业服务企业。")
    if kind == "firm":
        firm_id = data.get("firm_id")
        serving = {firm.id: firm for firm in firms_serving(case.area_id)}
        firm = serving.get(int(firm_id)) if str(firm_id or "").isdigit() else None
        if firm is None:
            raise ActionRefused("请选择在本物业管理区域有有效服务合同的物业服务企业。")
        case.assigned_to, case.assigned_firm, case.assigned_community_id = "firm", firm, None
    else:
        community_id = case.area.community_id
        case.assigned_to, case.assigned_firm_id = "community", None
        case.assigned_community_id = community_id
    deadline = data.get("deadline")
    note = None
    if deadline in (None, ""):
        computed = case_deadline(case.case_type, case.urgency, local_now(), _settings())
        deadline, note = computed.at, computed.note
    elif not isinstance(deadline, datetime):
        raise ActionRefused("“办理期限”的格式应为“年-月-日 时:分”。")
    if deadline < max(case.received_at, local_now()):
        raise ActionRefused("“办理期限”不能早于当前时间。")
    case.deadline = deadline
    return note


def _departments(case: Case, data, user) -> list[tuple[Department, datetime, str | None]]:
    wanted = data.get("departments") or []
    if not wanted:
        raise ActionRefused("请至少选择一个吹哨部门。")
    chosen = []
    existing = {e.department_id for e in case.escalations}
    for department_id, reply_due in wanted:
        department = db.session.scalar(sa.select(Department).where(
            Department.id == department_id, visible_to(Department, user)))
        if department is None:
            raise ActionRefused("所选部门不存在。")
        if department.id in existing:
            raise ActionRefused(f"已向{department.name}吹哨；被退回的请使用“重新吹哨”。")
        note = None
        if reply_due in (None, ""):
            computed = escalation_deadline(local_now(), _settings())
            reply_due, note = computed.at, computed.note
        elif not isinstance(reply_due, datetime) or reply_due < local_now():
            raise ActionRefused(f"{department.name}的回复期限应为当前时间之后的“年-月-日 时:分”。")
        chosen.append((department, reply_due, note))
    return chosen


def _close(case: Case, data, satisfaction_required: bool) -> None:
    satisfaction = data.get("satisfaction") or None
    if satisfaction is not None and satisfaction not in SATISFACTION:
        raise ActionRefused("回访满意度无效。")
    has_complainant = bool(case.complainant_name or case.complainant_phone)
    if satisfaction_required and has_complainant and satisfaction is None:
        raise ActionRefused("结案前须回访反映人并选择回访满意度。")
    if satisfaction_required and satisfaction == "dissatisfied":
        raise ActionRefused("反映人不满意：请“重新办理”，确实无法解决的按“未解决结案”办理。")
    case.satisfaction = satisfaction
    case.closed_at = max(local_now(), case.received_at)


def _merge_target(case: Case, data, user) -> Case:
    into = data.get("into")
    if into is None or into.id == case.id:
        raise ActionRefused("请选择要保留的案件。")
    if not is_visible(into, user) or into.area_id != case.area_id:
        raise ActionRefused("只能并入同一物业管理区域内、您管辖范围内的案件。")
    if into.state in CLOSING_STATES:
        raise ActionRefused(f"案件{into.number}已结案，不能并入。")
    return into


def apply_case_action(case: Case, action: str, user, files=(), **data) -> CaseEvent:
    """Take `action` on `case` as `user`, or raise ActionRefused having changed nothing.

    data: note; assignee_kind, firm_id, deadline (assign); departments as
    [(department id, reply due or None)] (escalate); satisfaction (close, close_unresolved);
    into (merge: the case kept).
    """
    labels = CASE_MACHINE.action_labels
    refusal = CASE_MACHINE.refusal(case.state, action, user.role)
    if refusal:
        raise ActionRefused(refusal)
    _check_scope(case, user, "案件")
    _check_assignee(case, action, user)
    note = _note(data, action, labels)
    uploads = _uploads(files)
    step = CASE_MACHINE.step(case.state, action)
    remarks = []
    if action == "verify":
        open_parts = [e.department.name for e in case.escalations if e.is_open]
        if open_parts:
            raise ActionRefused(f"尚有部门未办结：{'、'.join(open_parts)}。")
        if not any(e.state == "closed" for e in case.escalations):
            raise ActionRefused("没有已办结的吹哨事项，不能核实办结。")
    elif action == "escalate":
        chosen = _departments(case, data, user)
    elif action == "merge":
        into = _merge_target(case, data, user)
    elif action == "close":
        _close(case, data, satisfaction_required=True)
    elif action == "close_unresolved":
        _close(case, data, satisfaction_required=False)
    elif action == "assign":
        remarks.append(_assign(case, data))
        with db.session.no_autoflush:
            who = (case.assigned_firm.name if case.assigned_to == "firm"
                   else case.area.community.name)
        remarks.insert(0, f"交办{who}，办理期限{case.deadline:%Y-%m-%d %H:%M}。")
    elif action == "not_in_remit":
        case.closed_at = max(local_now(), case.received_at)
    elif action == "reopen":
        case.satisfaction, case.closed_at = None, None
    if action == "escalate":
        for department, reply_due, estimate in chosen:
            db.session.add(Escalation(case=case, department=department, reply_due=reply_due,
                                      escalated_at=local_now()))
            remarks.append(f"吹哨{department.name}，回复期限{reply_due:%Y-%m-%d %H:%M}。")
            remarks.append(estimate)
    if action == "merge":
        case.merged_into = into
        case.closed_at = max(local_now(), case.received_at)
        remarks.append(f"与案件{into.number}重复，已并入该案件办理。")
        record_case_event(into, "merge", actor=user,
                          note=f"重复反映的案件{case.number}（{case.title}）并入本案件。")
    text = "\n".join(filter(None, [*remarks, note])) or None
    moves = action not in PROGRESS_ACTIONS
    event = record_case_event(case, action, actor=user, note=text,
                              to_state=step.next_state if moves else None)
    db.session.flush()
    _store(case, event, uploads, user)
    return event


def allowed_case_actions(case: Case, user) -> list[str]:
    """The actions whose buttons the case page shows to `user` (scope was checked already)."""
    actions = CASE_MACHINE.actions_for(case.state, user.role)
    if user.role == "firm" and not (case.assigned_to == "firm"
                                    and case.assigned_firm_id == user.firm_id):
        return []
    if user.role == "community" and case.assigned_to != "community":
        actions = [a for a in actions if a not in ASSIGNEE_ONLY]
    return actions


def possible_duplicates(case: Case, user) -> list[Case]:
    """Open cases of the same area received within N days: same type with a similar title,
    or the same building. N is DUPLICATE_WINDOW_DAYS (default 14)."""
    days = _settings().get("DUPLICATE_WINDOW_DAYS", DEFAULT_DUPLICATE_WINDOW_DAYS)
    window = timedelta(days=days)
    candidates = db.session.scalars(sa.select(Case).where(
        Case.area_id == case.area_id, Case.id != case.id, Case.merged_into_id.is_(None),
        Case.state.not_in(CLOSING_STATES),
        Case.received_at.between(case.received_at - window, case.received_at + window),
        visible_to(Case, user)).order_by(Case.received_at)).all()

    def similar(other: Case) -> bool:
        if case.building_id is not None and other.building_id == case.building_id:
            return True
        if other.case_type != case.case_type:
            return False
        a, b = case.title.strip(), other.title.strip()
        return a in b or b in a or SequenceMatcher(None, a, b).ratio() >= SIMILAR_TITLE_RATIO

    return [other for other in candidates if similar(other)]


# -- escalations ------------------------------------------------------------------------------

def apply_escalation_action(escalation: Escalation, action: str, user, files=(),
                            **data) -> CaseEvent:
    """A department's accept / decline / reply / close, or the street's re-sending.

    The step is written on the case's timeline, naming the department.
    """
    labels = ESCALATION_MACHINE.action_labels
    refusal = ESCALATION_MACHINE.refusal(escalation.state, action, user.role)
    if refusal:
        raise ActionRefused(refusal)
    _check_scope(escalation, user, "吹哨事项")
    if escalation.case.state != "escalated":
        raise ActionRefused(f"案件{escalation.case.number}已不在吹哨办理中。")
    note = (data.get("note") or "").strip() or None
    if note is None and action in ("decline", "reply"):
        raise ActionRefused(f"“{labels[action]}”须填写说明。")
    uploads = _uploads(files)
    now = max(local_now(), escalation.escalated_at)
    step = ESCALATION_MACHINE.step(escalation.state, action)
    remark = None
    if action == "accept":
        escalation.accepted_at = now
    elif action == "decline":
        escalation.reply_text = f"退回理由：{note}"
    elif action == "reply":
        escalation.replied_at = now
        escalation.reply_text = "\n".join(filter(None, [escalation.reply_text, note]))
    elif action == "close":
        escalation.closed_at = now
    elif action == "resend":
        reply_due = data.get("reply_due")
        if reply_due in (None, ""):
            computed = escalation_deadline(local_now(), _settings())
            reply_due, remark = computed.at, computed.note
        elif not isinstance(reply_due, datetime) or reply_due < local_now():
            raise ActionRefused("回复期限应为当前时间之后的“年-月-日 时:分”。")
        escalation.escalated_at, escalation.reply_due = local_now(), reply_due
        escalation.accepted_at = escalation.replied_at = escalation.reply_text = None
    escalation.state = step.next_state
    department = escalation.department.short_name or escalation.department.name
    text = "\n".join(filter(None, [f"{department}：{labels[action]}。", note, remark]))
    event = record_case_event(escalation.case, ESCALATION_CASE_ACTIONS[action], actor=user,
                              note=text)
    db.session.flush()
    _store(escalation.case, event, uploads, user)
    return event


def allowed_escalation_actions(escalation: Escalation, user) -> list[str]:
    if escalation.case.state != "escalated":
        return []
    if user.role == "department" and escalation.department_id != user.department_id:
        return []
    return ESCALATION_MACHINE.actions_for(escalation.state, user.role)


# -- hazards ----------------------------------------------------------------------------------

def apply_hazard_action(hazard: Hazard, action: str, user, **data) -> None:
    """Warning line, notice, contact, clearing, disposal, verification: each with its time."""
    refusal = HAZARD_MACHINE.refusal(hazard.status, action, user.role)
    if refusal:
        raise ActionRefused(refusal)
    _check_scope(hazard, user, "隐患")
    labels = HAZARD_MACHINE.action_labels
    at = _moment(data.get("at"), hazard.found_at, "时间")
    note = (data.get("note") or "").strip() or None
    corridor = hazard.category == "corridor_clutter"
    if action == "warning_line":
        if hazard.warning_line_at is not None:
            raise ActionRefused("已登记设置警戒线。")
        hazard.warning_line_at = at
    elif action == "post_notice":
        if hazard.notice_posted_at is not None:
            raise ActionRefused("已登记张贴警示标语。")
        hazard.notice_posted_at = at
    elif action == "contact":
        unit, method = (data.get("responsible_unit") or "").strip(), data.get("contact_method")
        if not unit or method not in CONTACT_METHODS:
            raise ActionRefused("请填写联系的责任单位并选择联系方式。")
        hazard.responsible_unit, hazard.contact_method, hazard.contacted_at = unit[:100], method, at
    elif action == "clearing":
        if not corridor or hazard.clearance_status != "not_cleared":
            raise ActionRefused("只有尚未清理的楼道堆物隐患才能登记“开始清理”。")
        hazard.clearance_status = "clearing"
    elif action == "dispose":
        if note is None:
            raise ActionRefused("请填写处置情况。")
        if hazard.contacted_at and at < hazard.contacted_at:
            raise ActionRefused("处置时间不能早于联系责任单位的时间。")
        hazard.disposal_note, hazard.disposed_at = note, at
        if corridor:
            hazard.clearance_status = "cleared"
    elif action == "verify":
        if at < hazard.disposed_at:
            raise ActionRefused("核验时间不能早于处置时间。")
        hazard.verified_at = at
    elif action == "reject":
        if note is None:
            raise ActionRefused(f"“{labels[action]}”须填写不合格的原因。")
        hazard.disposal_note = f"{hazard.disposal_note or ''}\n核验不合格：{note}".strip()
        hazard.disposed_at = None
        if corridor:
            hazard.clearance_status = "clearing"
    hazard.status = HAZARD_MACHINE.step(hazard.status, action).next_state
    db.session.flush()


def allowed_hazard_actions(hazard: Hazard, user) -> list[str]:
    actions = HAZARD_MACHINE.actions_for(hazard.status, user.role)
    done = {"warning_line": hazard.warning_line_at, "post_notice": hazard.notice_posted_at}
    return [a for a in actions if done.get(a) is None
            and (a != "clearing" or hazard.clearance_status == "not_cleared")]


def new_hazard_defaults(hazard: Hazard) -> str | None:
    """Deadline by severity (hours for urgent ones) and the clearance status of clutter.

    Returns the calendar remark when the deadline had to be estimated.
    """
    note = None
    if hazard.deadline is None:
        computed = hazard_deadline(hazard.severity, hazard.found_at or local_now(), _settings())
        hazard.deadline, note = computed.at, computed.note
    if hazard.category == "corridor_clutter" and hazard.clearance_status is None:
        hazard.clearance_status = "not_cleared"
    if hazard.category != "corridor_clutter":
        hazard.clearance_status = None
    return note


# -- patrols ----------------------------------------------------------------------------------

def _patrol_ready(patrol: Patrol, user) -> None:
    _check_scope(patrol, user, "巡查")
    if user.role not in ("admin", "street", "community"):
        raise ActionRefused("只有街道和社区可以登记巡查发现的问题。")
    if patrol.status != "done":
        raise ActionRefused("巡查完成后才能登记发现的问题。")


def _building_in_area(building_id, area_id):
    from .places import Building

    if not str(building_id or "").isdigit():
        return None
    building = db.session.get(Building, int(building_id))
    if building is None or building.area_id != area_id:
        raise ActionRefused("所选楼栋不属于本次巡查的物业管理区域。")
    return building


def case_from_patrol(patrol: Patrol, user, **data) -> Case:
    """A patrol finding taken in as a case, linked back to the patrol."""
    from .cases import CASE_TYPES

    _patrol_ready(patrol, user)
    title = (data.get("title") or "").strip()
    description = (data.get("description") or "").strip()
    if not title or not description:
        raise ActionRefused("请填写案件标题和问题描述。")
    case_type = data.get("case_type") or "patrol"
    if case_type not in CASE_TYPES:
        raise ActionRefused("案件类型无效。")
    case = Case(area=patrol.area, patrol=patrol, source="patrol", case_type=case_type,
                title=title[:100], description=description, respondent=data.get("respondent"),
                building=_building_in_area(data.get("building_id"), patrol.area_id),
                urgency="urgent" if data.get("urgent") else "ordinary")
    db.session.add(case)
    record_case_event(case, "receive", actor=user, to_state="received",
                      note=f"{patrol}发现，登记受理。")
    db.session.flush()
    return case


def hazard_from_patrol(patrol: Patrol, user, **data) -> Hazard:
    """A patrol finding registered as a hazard, linked back to the patrol."""
    _patrol_ready(patrol, user)
    category, severity = data.get("category"), data.get("severity") or "ordinary"
    if category not in HAZARD_CATEGORIES or severity not in HAZARD_SEVERITIES:
        raise ActionRefused("请选择隐患类别和严重程度。")
    location = (data.get("location") or "").strip()
    description = (data.get("description") or "").strip()
    if not location or not description:
        raise ActionRefused("请填写隐患位置和描述。")
    hazard = Hazard(area=patrol.area, patrol=patrol, category=category, severity=severity,
                    location=location[:200], description=description, found_at=local_now(),
                    building=_building_in_area(data.get("building_id"), patrol.area_id))
    new_hazard_defaults(hazard)
    db.session.add(hazard)
    db.session.flush()
    return hazard


def open_escalations(user=None):
    """Open escalations (visible to `user`, or all), overdue first then by reply deadline."""
    query = (sa.select(Escalation).where(Escalation.state.in_(OPEN_ESCALATION_STATES))
             .order_by(sa.case((Escalation.reply_due < local_now(), 0), else_=1),
                       Escalation.reply_due))
    if user is not None:
        query = query.where(visible_to(Escalation, user))
    return query


def deadline_report(now: datetime, window: timedelta) -> list[dict]:
    """Every open case, escalation and hazard whose deadline has passed or falls within
    `window`: overdue ones first, then by deadline. For the daily reminder (no user scope)."""
    from .cases import DEADLINE_MET_STATES

    horizon = now + window
    rows = []
    cases = db.session.scalars(sa.select(Case).options(
        sa.orm.joinedload(Case.area), sa.orm.joinedload(Case.assigned_firm),
        sa.orm.joinedload(Case.assigned_community)).where(
        Case.state.not_in(DEADLINE_MET_STATES), Case.deadline <= horizon)).all()
    for case in cases:
        owner = case.assigned_firm or case.assigned_community
        rows.append({"kind": "案件", "reference": case.number, "title": case.title,
                     "area": case.area.name, "responsible": str(owner) if owner else "",
                     "step": CASE_MACHINE.state_labels[case.state], "deadline": case.deadline})
    escalations = db.session.scalars(sa.select(Escalation).options(
        sa.orm.joinedload(Escalation.case).joinedload(Case.area)).where(
        Escalation.state.in_(("sent", "accepted")), Escalation.reply_due <= horizon)).all()
    for escalation in escalations:
        rows.append({"kind": "吹哨", "reference": escalation.case.number,
                     "title": escalation.case.title, "area": escalation.case.area.name,
                     "responsible": escalation.department.name,
                     "step": ESCALATION_MACHINE.state_labels[escalation.state],
                     "deadline": escalation.reply_due})
    hazards = db.session.scalars(sa.select(Hazard).where(
        Hazard.status.not_in(("disposed", "verified")), Hazard.deadline <= horizon)).all()
    for hazard in hazards:
        rows.append({"kind": "隐患", "reference": f"隐患{hazard.id}", "title": str(hazard),
                     "area": hazard.area.name, "responsible": hazard.responsible_unit or "",
                     "step": HAZARD_MACHINE.state_labels[hazard.status],
                     "deadline": hazard.deadline})
    for row in rows:
        row["status"] = "overdue" if row["deadline"] < now else "due_soon"
    return sorted(rows, key=lambda row: (row["status"] != "overdue", row["deadline"]))
