"""Row factories for owners' self-governance: each makes one row inside the given area."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import count

import sqlalchemy as sa

from models import db
from models.governance import (
    FILING_DOCUMENTS,
    AssemblyBallot,
    AssemblyVote,
    CommitteeMember,
    OwnersAssembly,
    OwnersCommittee,
    PreparatoryGroup,
    PreparatoryGroupMember,
    PropertyManagementCommittee,
)

from .factories import add, make_household, row_factory

# Session numbers only need to differ within an area; one counter keeps them apart everywhere.
_session_numbers = count(1)


@row_factory(PreparatoryGroup)
def make_preparatory_group(world, area, **kw):
    kw.setdefault("applicant", "业主代表王建国等32人")
    kw.setdefault("applied_on", date(2026, 9, 1))
    kw.setdefault("accepted_on", date(2026, 9, 8))
    kw.setdefault("formed_on", date(2026, 10, 20))
    kw.setdefault("status", "formed")
    return add(PreparatoryGroup(area=area, **kw))


@row_factory(PreparatoryGroupMember)
def make_group_member(world, area, group=None, **kw):
    kw.setdefault("name", "李秀英")
    kw.setdefault("category", "owner")
    kw.setdefault("phone", "13904391234")
    return add(PreparatoryGroupMember(group=group or make_preparatory_group(world, area), **kw))


@row_factory(OwnersAssembly)
def assembly_of(world, area, **kw):
    """The area's assembly, made on first use: an area has at most one assembly."""
    existing = db.session.scalar(sa.select(OwnersAssembly).filter_by(area_id=area.id))
    if existing is not None:
        return existing
    kw.setdefault("established_on", date(2024, 5, 18))
    kw.setdefault("statute_adopted", True)
    kw.setdefault("rules_adopted", True)
    return add(OwnersAssembly(area=area, name=f"{area.name}业主大会", **kw))


@row_factory(OwnersCommittee)
def make_committee(world, area, **kw):
    kw.setdefault("session_number", next(_session_numbers))
    kw.setdefault("elected_on", date(2024, 5, 18))
    kw.setdefault("term_start", date(2024, 5, 18))
    kw.setdefault("term_end", date(2029, 5, 17))
    kw.setdefault("member_count", 5)
    kw.setdefault("filing_status", "filed")
    kw.setdefault("filed_on", date(2024, 6, 10))
    for name, _ in FILING_DOCUMENTS:
        kw.setdefault(name, kw["filing_status"] == "filed")
    return add(OwnersCommittee(area=area, assembly=assembly_of(world, area), **kw))


@row_factory(CommitteeMember)
def make_committee_member(world, area, committee=None, **kw):
    kw.setdefault("name", "张桂兰")
    kw.setdefault("gender", "female")
    kw.setdefault("phone", "13904391234")
    return add(CommitteeMember(committee=committee or make_committee(world, area), **kw))


@row_factory(PropertyManagementCommittee)
def make_pm_committee(world, area, **kw):
    kw.setdefault("formed_on", date(2025, 6, 10))
    kw.setdefault("members", "街道办事处、社区居委会、业主代表各一名")
    kw.setdefault("reason", "业主参与率低，暂不具备成立业主委员会条件")
    return add(PropertyManagementCommittee(area=area, **kw))


@row_factory(AssemblyVote)
def make_vote(world, area, assembly=None, **kw):
    kw.setdefault("title", "续聘物业服务企业")
    kw.setdefault("matter", "firm")
    kw.setdefault("voted_on", date(2025, 12, 20))
    kw.setdefault("total_area", Decimal("30000.00"))
    kw.setdefault("total_owners", 300)
    kw.setdefault("participating_area", Decimal("24000.00"))
    kw.setdefault("participating_owners", 240)
    kw.setdefault("approving_area", Decimal("18000.00"))
    kw.setdefault("approving_owners", 180)
    return add(AssemblyVote(assembly=assembly or assembly_of(world, area), **kw))


@row_factory(AssemblyBallot)
def make_ballot(world, area, vote=None, household=None, **kw):
    kw.setdefault("choice", "yes")
    household = household or make_household(world, area)
    kw.setdefault("floor_area", household.floor_area)
    return add(AssemblyBallot(vote=vote or make_vote(world, area), household=household, **kw))
