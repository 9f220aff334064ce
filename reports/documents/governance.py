"""Owners' self-governance filings: the preparatory-group notice and its publicity of the
preparation items (the street's own notices), and the owners' committee filing form."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from models.base import local_today
from models import db
from models.contracts import ServiceContract
from models.governance import (
    COMMITTEE_POSITIONS,
    FILING_DOCUMENTS,
    GENDERS,
    GROUP_MEMBER_CATEGORIES,
    GROUP_ROLES,
    MEETING_FORMS,
    POLITICAL_STATUSES,
    PREPARATION_TASKS,
    PUBLICITY_DAYS,
    AssemblyVote,
    group_deadlines,
)
from reports.filings import DocumentType, register

# Members are listed in this order on every document: 主任, 副主任, 委员, 候补委员.
POSITION_ORDER = {code: index for index, code in enumerate(COMMITTEE_POSITIONS)}
CATEGORY_ORDER = {"street": 0, "residents_committee": 1, "developer": 2, "owner": 3}


def masked(phone: str | None) -> str:
    """138****5678: documents for a notice board or a file never carry a full phone number."""
    if not phone:
        return ""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"


def _group_members(group) -> list[dict]:
    members = sorted(group.members, key=lambda m: (m.role != "leader",
                                                   CATEGORY_ORDER[m.category], m.id))
    return [{"name": m.name, "category": GROUP_MEMBER_CATEGORIES.label(m.category),
             "unit": m.room_or_unit or "", "role": GROUP_ROLES.label(m.role),
             "phone": masked(m.phone)} for m in members]


def _group_context(group) -> dict:
    members = group.members
    deadlines = {d.task: d for d in group_deadlines(group)}
    meeting_day = group.first_meeting_at.date() if group.first_meeting_at else None
    publicity_start = group.items_publicized_on
    return {
        "group": group, "area": group.area, "members": _group_members(group),
        "owner_count": sum(1 for m in members if m.category == "owner"),
        "meeting_deadline": deadlines.get("召开首次业主大会会议"),
        "tasks": [(text, bool(getattr(group, name))) for name, text in PREPARATION_TASKS],
        "meeting_form": MEETING_FORMS.label(group.first_meeting_form)
        if group.first_meeting_form else "",
        "meeting_day": meeting_day,
        "publicity_start": publicity_start,
        # The publicity runs until the eve of the meeting, and at least 15 days.
        "publicity_end": meeting_day - timedelta(days=1) if meeting_day else None,
        "publicity_days": PUBLICITY_DAYS,
    }


def _owners(group_or_committee) -> str:
    return f"{group_or_committee.area.name}全体业主"


register(DocumentType(
    key="preparatory_notice",
    title="筹备组成立公告",
    template="reports/preparatory_notice.html",
    model="PreparatoryGroup",
    prefix_suffix="发",
    layout="official",
    addressee=_owners,
    context=_group_context,
    purpose="街道办事处公告首次业主大会会议筹备组成立及成员名单，张贴于小区公告栏",
))

register(DocumentType(
    key="preparatory_publicity",
    title="筹备事项公示",
    template="reports/preparatory_publicity.html",
    model="PreparatoryGroup",
    prefix_suffix="发",
    layout="official",
    addressee=_owners,
    context=_group_context,
    purpose="首次业主大会会议召开15日前公示筹备事项、会议时间地点和形式",
))


def _election_vote(committee):
    """The assembly's vote electing this committee: the latest 选举 vote on or before the
    election day."""
    return db.session.scalar(
        sa.select(AssemblyVote).where(AssemblyVote.assembly_id == committee.assembly_id,
                                      AssemblyVote.matter == "committee",
                                      AssemblyVote.voted_on <= committee.elected_on)
        .order_by(AssemblyVote.voted_on.desc(), AssemblyVote.id.desc()))


def _current_contract(committee):
    return db.session.scalar(
        sa.select(ServiceContract).where(ServiceContract.area_id == committee.area_id,
                                         ServiceContract.active_on(local_today()))
        .order_by(ServiceContract.start_on.desc()))


def _committee_context(committee) -> dict:
    members = sorted(committee.members, key=lambda m: (POSITION_ORDER[m.position], m.id))
    return {
        "committee": committee, "area": committee.area, "assembly": committee.assembly,
        "vote": _election_vote(committee), "contract": _current_contract(committee),
        "meeting_form": MEETING_FORMS.label(committee.assembly.meeting_form),
        "members": [{"name": m.name, "gender": GENDERS.label(m.gender),
                     "birth": m.birth_month or "",
                     "political": POLITICAL_STATUSES.label(m.political_status),
                     "position": COMMITTEE_POSITIONS.label(m.position), "room": m.room or "",
                     "phone": masked(m.phone)} for m in members],
        "documents": [(text, bool(getattr(committee, name))) for name, text in FILING_DOCUMENTS],
    }


register(DocumentType(
    key="committee_filing",
    title="业主委员会备案表",
    template="reports/committee_filing.html",
    model="OwnersCommittee",
    prefix_suffix="业备",
    addressee=lambda committee: committee.area.community.street.office_name,
    context=_committee_context,
    purpose="业主委员会成立、换届、变更、注销向街道办事处备案",
))
