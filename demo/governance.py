"""Owners' self-governance in Jianguo Street: assemblies, committees, votes, one preparatory
group and one property-management committee."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from models import db
from models.governance import (
    FILING_DOCUMENTS,
    AssemblyVote,
    CommitteeMember,
    OwnersAssembly,
    OwnersCommittee,
    PreparatoryGroup,
    PreparatoryGroupMember,
    PropertyManagementCommittee,
)
from models.places import Community, ManagementArea

from . import get_or_create

# area, community, assembly established, meeting form, session, elected, term end, members,
# alternates, filing status, filed on, filing number
COMMITTEES = (
    ("建国花园", "建国社区", date(2019, 4, 13), "discussion", 2, date(2024, 4, 20),
     date(2029, 4, 19), 7, 2, "filed", date(2024, 5, 15), "临建业备〔2024〕3号"),
    ("江畔小区", "建国社区", date(2024, 9, 7), "written", 1, date(2024, 9, 7),
     date(2029, 9, 6), 5, 1, "filed", date(2024, 9, 30), "临建业备〔2024〕7号"),
    # Three-year term ending within three months of 2026-11-28: re-election is due.
    ("解放小区", "解放社区", date(2018, 2, 10), "discussion", 3, date(2024, 2, 20),
     date(2027, 2, 19), 5, 0, "filed", date(2024, 3, 12), "临建业备〔2024〕1号"),
    ("世纪春城", "世纪春社区", date(2024, 6, 16), "written", 1, date(2024, 6, 16),
     date(2029, 6, 15), 7, 2, "filed", date(2024, 7, 8), "临建业备〔2024〕5号"),
    ("春华苑", "世纪春社区", date(2025, 5, 24), "written", 1, date(2025, 5, 24),
     date(2030, 5, 23), 5, 1, "submitted", None, None),
    ("台兴家园", "台兴社区", date(2025, 3, 29), "discussion", 1, date(2025, 3, 29),
     date(2030, 3, 28), 5, 0, "filed", date(2025, 4, 21), "临建业备〔2025〕2号"),
    ("台兴新村", "台兴村", date(2025, 11, 15), "written", 1, date(2025, 11, 15),
     date(2030, 11, 14), 5, 1, "filed", date(2025, 12, 5), "临建业备〔2025〕6号"),
    # Elected a month ago and not yet filed.
    ("台兴村安置小区", "台兴村", date(2026, 10, 31), "written", 1, date(2026, 10, 31),
     date(2031, 10, 30), 5, 0, "not_filed", None, None),
)
# Filing documents received so far for committees not yet filed (all received for the rest).
RECEIVED = {
    "春华苑": ("doc_assembly_report", "doc_statute", "doc_procedure_rules",
               "doc_major_decisions", "doc_tally", "doc_minutes"),
    "台兴村安置小区": ("doc_assembly_report", "doc_statute", "doc_procedure_rules", "doc_tally"),
}
# (name, gender, birth month, political status); the first is 主任, the second 副主任.
PEOPLE = (
    ("王立国", "male", "1963-04", "cpc"), ("刘淑珍", "female", "1968-09", "cpc"),
    ("陈志刚", "male", "1975-02", "masses"), ("孙桂兰", "female", "1960-11", "masses"),
    ("赵春生", "male", "1971-07", "democratic"), ("杨丽娟", "female", "1982-03", "cpc"),
    ("周德胜", "male", "1958-12", "masses"), ("吴海燕", "female", "1986-05", "league"),
    ("马永刚", "male", "1979-08", "masses"), ("林红霞", "female", "1966-01", "cpc"),
)
# area, title, matter, voted on, participating share of area and owners (‰),
# approving share of the participating (‰)
VOTES = (
    ("建国花园", "2025年度业主委员会工作报告及2026年度工作计划", "ordinary",
     date(2025, 12, 27), 742, 731, 884, 869),
    ("建国花园", "续聘临江市安居物业服务有限公司（2027年1月1日起三年）", "firm",
     date(2026, 10, 18), 781, 768, 693, 702),
    ("世纪春城", "利用小区东侧共有场地设置收费停车位并由物业经营", "common_use",
     date(2026, 8, 9), 712, 705, 688, 671),
    ("解放小区", "续筹住宅专项维修资金（每平方米20元）", "fund_raise",
     date(2026, 5, 30), 806, 792, 781, 776),
)


def _area(name: str, community: str) -> ManagementArea:
    return db.session.scalar(
        sa.select(ManagementArea).join(Community).where(ManagementArea.name == name,
                                                        Community.name == community))


def _share(total, per_mille: int, whole: bool):
    part = total * per_mille / 1000
    return int(part) if whole else Decimal(part).quantize(Decimal("0.01"))


def load(password):
    assemblies = {}
    for index, (name, community, established, form, session, elected, term_end, members,
                alternates, filing, filed_on, number) in enumerate(COMMITTEES):
        area = _area(name, community)
        assembly = get_or_create(
            OwnersAssembly, {"area_id": area.id}, name=f"临江市建国街道{name}业主大会",
            established_on=established,
            meeting_form=form, statute_adopted=True, rules_adopted=True)
        assemblies[name] = assembly
        committee = get_or_create(
            OwnersCommittee, {"area_id": area.id, "session_number": session},
            assembly_id=assembly.id, elected_on=elected, term_start=elected, term_end=term_end,
            member_count=members, alternate_count=alternates,
            filing_type="establish" if session == 1 else "reelect", filing_status=filing,
            filed_on=filed_on, filing_number=number, office_address=f"{name}物业服务用房二楼",
            office_phone=f"0439-52{16 + index:02d}8{index}0", status="in_term",
            **{doc: filing == "filed" or doc in RECEIVED.get(name, ())
               for doc, _ in FILING_DOCUMENTS})
        _members(committee, index, members + alternates)
        _election(assembly, area, session, elected, index)
    for name, title, matter, voted_on, part_area, part_owners, yes_area, yes_owners in VOTES:
        assembly = assemblies[name]
        area = assembly.area
        total_area = (area.floor_area * Decimal("0.88")).quantize(Decimal("0.01"))
        participating_area = _share(total_area, part_area, False)
        participating_owners = _share(area.households, part_owners, True)
        get_or_create(
            AssemblyVote, {"assembly_id": assembly.id, "title": title}, matter=matter,
            voted_on=voted_on, total_area=total_area, total_owners=area.households,
            participating_area=participating_area, participating_owners=participating_owners,
            approving_area=_share(participating_area, yes_area, False),
            approving_owners=_share(participating_owners, yes_owners, True))
    _preparatory_group()
    get_or_create(
        PropertyManagementCommittee, {"area_id": _area("建国大街老旧片区", "建国社区").id,
                                      "formed_on": date(2025, 6, 10)},
        organiser="street", term_end=date(2028, 6, 9), status="active",
        members="建国街道办事处 刘建华（主任）；建国社区居委会 张秀兰；业主代表 高文博、"
                "何凤英、罗长青",
        reason="开放式片区，业主分散、参与率低，两次征集业主委员会候选人均未达到法定人数",
        notes="由临江市财政局包保，社区兜底提供保洁和公共设施维修")
    return []


def _election(assembly: OwnersAssembly, area: ManagementArea, session: int, elected: date,
              seed: int) -> None:
    """The vote that elected the committee, with figures the filing form reports."""
    total_area = (area.floor_area * Decimal("0.88")).quantize(Decimal("0.01"))
    participating_area = _share(total_area, 702 + seed * 11, False)
    participating_owners = _share(area.households, 694 + seed * 12, True)
    get_or_create(
        AssemblyVote, {"assembly_id": assembly.id, "title": f"选举第{session}届业主委员会委员"},
        matter="committee", voted_on=elected, total_area=total_area,
        total_owners=area.households, participating_area=participating_area,
        participating_owners=participating_owners,
        approving_area=_share(participating_area, 812 - seed * 9, False),
        approving_owners=_share(participating_owners, 806 - seed * 8, True))


def _members(committee: OwnersCommittee, seed: int, count: int) -> None:
    alternates = committee.alternate_count
    for n in range(count):
        name, gender, born, political = PEOPLE[(seed * 3 + n) % len(PEOPLE)]
        position = ("director" if n == 0 else "deputy" if n == 1 else
                    "alternate" if n >= count - alternates else "member")
        get_or_create(
            CommitteeMember, {"committee_id": committee.id, "name": name}, gender=gender,
            birth_month=born, political_status=political, position=position,
            room=f"{n % 4 + 1}号楼{n % 2 + 1}-{n % 3 + 1}0{n % 2 + 1}",
            phone=f"1390439{seed:02d}{n:02d}")


def _preparatory_group() -> None:
    # Accepted on 20 September: the group was due by 19 November and is not formed yet.
    get_or_create(
        PreparatoryGroup, {"area_id": _area("林业局家属院", "台兴社区").id,
                           "applied_on": date(2026, 9, 14)},
        applicant="林业局家属院业主苗德才等23人（占业主总数27%）", accepted_on=date(2026, 9, 20),
        status="applied", notes="建设单位临江市林业局已书面确认派员参加筹备组")
    area = _area("电业家属楼", "解放社区")
    group = get_or_create(
        PreparatoryGroup, {"area_id": area.id, "applied_on": date(2026, 9, 2)},
        applicant="电业家属楼业主高长青等38人（占业主总数26%）", accepted_on=date(2026, 9, 9),
        formed_on=date(2026, 10, 20), members_publicized_on=date(2026, 10, 22),
        status="formed", task_owner_roll=True, task_meeting_plan=True, task_draft_rules=True,
        first_meeting_at=datetime(2027, 1, 9, 9, 0),
        first_meeting_place="解放社区党群服务中心二楼会议室",
        first_meeting_form="written",
        items_publicized_on=date(2026, 11, 25), objection_place="解放社区党群服务中心一楼服务大厅",
        objection_phone="0439-5212202",
        notes="老旧小区，原建设单位为临江市供电公司；业主名册已公示7日，无异议")
    members = (
        ("刘建华", "street", "建国街道办事处", "leader", "0439-5212208"),
        ("李国庆", "residents_committee", "解放社区居委会", "member", "0439-5212202"),
        ("郭志强", "developer", "临江市供电公司", "member", "13904392261"),
        ("高长青", "owner", "2号楼1-302", "member", "13904392375"),
        ("何凤英", "owner", "1号楼2-101", "member", "13904392418"),
        ("罗文博", "owner", "3号楼1-201", "member", "13904392539"),
        ("朱玉梅", "owner", "4号楼2-502", "member", "13904392687"),
    )
    for name, category, unit, role, phone in members:
        get_or_create(PreparatoryGroupMember, {"group_id": group.id, "name": name},
                      category=category, room_or_unit=unit, role=role, phone=phone)
