"""Owners' committee lifecycle: group composition and time limits, the 30-day filing with its
documents, term warnings, area stages, per-household ballots and the progress page."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace as Row

import sqlalchemy as sa

from models.base import local_today
from models import db
from models.governance import (
    FILING_DOCUMENTS,
    AssemblyVote,
    OwnersCommittee,
    PreparatoryGroup,
    area_stage,
    filed_in_time,
    filing_deadline,
    group_composition_problems,
    group_deadlines,
    reelection_warning_from,
    tally,
    term_state,
)

from .factories import make_household
from .factories_governance import (
    assembly_of,
    make_ballot,
    make_committee,
    make_group_member,
    make_pm_committee,
    make_preparatory_group,
    make_vote,
)

TODAY = date(2026, 11, 28)


def member(category="owner", role="member"):
    return Row(category=category, role=role)


def test_a_compliant_group_has_no_problems():
    members = [member("street", "leader"), member("developer"), *[member()] * 3]
    assert group_composition_problems(members) == []


def test_even_size_few_owners_and_an_owner_leader_are_each_named():
    problems = group_composition_problems(
        [member("owner", "leader"), member("developer"), member("residents_committee"),
         member("street")])
    assert "筹备组成员人数应为单数，现有4人。" in problems
    assert "业主代表应不少于筹备组成员的一半，现有业主代表1人、成员共4人。" in problems
    assert "筹备组组长应由街道办事处或居委会代表担任。" in problems


def test_owners_exactly_half_of_an_odd_group_is_not_enough_but_rounding_up_is():
    assert group_composition_problems([member("street", "leader"), member("developer"),
                                       member("residents_committee"), member(), member()])
    assert not group_composition_problems([member("residents_committee", "leader"),
                                           member("developer"), member(), member(), member()])


def test_group_time_limits_60_15_and_90_days():
    group = Row(accepted_on=date(2026, 9, 20), formed_on=None, first_meeting_at=None,
                items_publicized_on=None, status="applied")
    formation, = group_deadlines(group)
    assert formation.due == date(2026, 11, 19)
    assert formation.overdue(TODAY) and "已逾期9日" in formation.describe(TODAY)
    group = Row(accepted_on=date(2026, 9, 9), formed_on=date(2026, 10, 20),
                first_meeting_at=datetime(2027, 1, 9, 9), items_publicized_on=None,
                status="formed")
    formation, publicity, meeting = group_deadlines(group)
    assert not formation.overdue(TODAY)
    assert publicity.due == date(2026, 12, 25)
    assert meeting.due == date(2027, 1, 18) and not meeting.overdue(TODAY)


def test_filing_on_the_30th_day_is_on_time_and_the_31st_is_late():
    elected = date(2026, 1, 1)
    assert filing_deadline(elected) == date(2026, 1, 31)
    assert filed_in_time(elected, date(2026, 1, 31))
    assert not filed_in_time(elected, date(2026, 2, 1))


def test_reelection_is_warned_three_months_before_the_term_ends():
    committee = Row(status="in_term", term_end=date(2027, 2, 28))
    assert reelection_warning_from(committee.term_end) == date(2026, 11, 28)
    assert term_state(committee, date(2026, 11, 27)) == "in_term"
    assert term_state(committee, date(2026, 11, 28)) == "reelection_due"
    assert term_state(committee, date(2027, 3, 1)) == "expired"


def _committee(**kw):
    values = dict(status="in_term", filing_status="filed", elected_on=date(2024, 5, 1),
                  filed_on=date(2024, 5, 20), term_end=date(2029, 4, 30), member_count=5,
                  session_number=1, **{name: True for name, _ in FILING_DOCUMENTS})
    values.update(kw)
    return Row(**values)


def test_area_stages_follow_the_lifecycle():
    assert area_stage(TODAY).label == "无业委会"
    group = Row(status="formed", accepted_on=date(2026, 9, 9), formed_on=date(2026, 10, 20),
                first_meeting_at=None, items_publicized_on=None,
                **{name: False for name in ("task_owner_roll", "task_meeting_plan",
                                            "task_draft_rules", "task_voting_rules",
                                            "task_candidates", "task_election_rules",
                                            "task_other")})
    stage = area_stage(TODAY, group=group, group_members=[member("street", "leader")])
    assert stage.label == "筹备组已成立" and "筹备组成员人数应为单数" not in stage.missing[0]
    assembly = Row(statute_adopted=True, rules_adopted=False)
    assert area_stage(TODAY, assembly=assembly).missing == ("业主大会议事规则",)
    pending = _committee(filing_status="not_filed", elected_on=date(2026, 10, 31),
                         doc_identity=False)
    stage = area_stage(TODAY, committee=pending, committee_members=5)
    assert stage.label == "业委会已选举待备案" and stage.missing == ("委员身份与权属证明",)
    assert stage.deadline.due == date(2026, 11, 30)
    assert area_stage(TODAY, committee=_committee(), committee_members=3).missing == (
        "委员名单（已录入3人，应为5人）",)
    assert area_stage(TODAY, committee=_committee(term_end=date(2027, 2, 1))).label == "换届预警"
    assert area_stage(TODAY, committee=_committee(term_end=date(2026, 11, 1))).label == "任期届满"
    assert area_stage(TODAY, committee=_committee(term_end=date(2026, 11, 1)),
                      pm_committee=Row()).label == "物业管理委员会代行"


def _committee_form(world, **overrides):
    data = {"assembly": assembly_of(world, world.area_a1).id, "session_number": "1",
            "elected_on": "2026-01-01", "term_start": "2026-01-01", "term_end": "2031-01-01",
            "member_count": "5", "alternate_count": "0", "filing_type": "establish",
            "filing_status": "filed", "filed_on": "2026-01-31", "status": "in_term",
            **{name: "y" for name, _ in FILING_DOCUMENTS}}
    db.session.commit()
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_committee_cannot_be_filed_while_documents_are_missing(world, as_user):
    user = as_user(world.user("street_a"))
    response = user.post_form("/owners_committee/new/", _committee_form(
        world, doc_minutes=None, doc_identity=None))
    assert "备案材料不齐，不能标记为“已备案”，尚缺：会议记录、委员身份与权属证明。" in \
        response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OwnersCommittee)) == 0


def test_filing_on_the_30th_day_saves_without_a_late_warning(world, as_user):
    user = as_user(world.user("street_a"))
    response = user.post_form("/owners_committee/new/", _committee_form(world))
    assert response.status_code == 302
    assert "超过选举后30日" not in user.get(response.location).get_data(as_text=True)


def test_filing_on_the_31st_day_is_saved_and_marked_late(world, as_user):
    user = as_user(world.user("street_a"))
    response = user.post_form("/owners_committee/new/", _committee_form(
        world, filed_on="2026-02-01"))
    assert response.status_code == 302
    html = user.get(response.location).get_data(as_text=True)
    assert "超过选举后30日的备案期限（期限2026-01-31）" in html
    assert "逾期1日完成" in user.get("/owners_committee/").get_data(as_text=True)


def test_missing_documents_are_shown_on_the_committees_page(world, as_user):
    committee = make_committee(world, world.area_a1, filing_status="submitted", filed_on=None,
                               doc_statute=True)
    db.session.commit()
    html = as_user(world.user("community_a1")).get(
        f"/owners_committee/details/?id={committee.id}").get_data(as_text=True)
    assert "业主大会成立和业主委员会选举情况、业主大会议事规则" in html


def test_group_cannot_be_marked_formed_with_an_even_membership(world, as_user):
    group = make_preparatory_group(world, world.area_a1, status="applied", formed_on=None)
    make_group_member(world, world.area_a1, group=group, category="street", role="leader")
    make_group_member(world, world.area_a1, group=group)
    db.session.commit()
    user = as_user(world.user("street_a"))
    response = user.post_form(f"/preparatory_group/edit/?id={group.id}", {
        "area": world.area_a1.id, "applicant": group.applicant, "applied_on": "2026-09-01",
        "accepted_on": "2026-09-08", "formed_on": "2026-10-20", "status": "formed"})
    assert "筹备组组成不符合要求，暂不能标记为已成立：筹备组成员人数应为单数，现有2人。" in \
        response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(PreparatoryGroup, group.id).status == "applied"


def test_ballots_sum_into_the_vote(world, as_user):
    vote = make_vote(world, world.area_a1, total_area=Decimal("300.00"), total_owners=3,
                     participating_area=0, participating_owners=0, approving_area=0,
                     approving_owners=0)
    db.session.commit()
    user = as_user(world.user("community_a1"))
    for area, choice in (("100.00", "yes"), ("100.00", "yes"), ("100.00", "no")):
        household = make_household(world, world.area_a1, floor_area=Decimal(area))
        db.session.commit()
        assert user.post_form("/assembly_ballot/new/", {
            "vote": vote.id, "household": household.id, "choice": choice}).status_code == 302
    db.session.expire_all()
    vote = db.session.get(AssemblyVote, vote.id)
    assert (vote.participating_area, vote.participating_owners) == (Decimal("300.00"), 3)
    assert (vote.approving_area, vote.approving_owners) == (Decimal("200.00"), 2)
    assert vote.result.passed


def test_tally_at_exactly_two_thirds_and_three_quarters():
    ballots = [Row(floor_area=Decimal("50"), choice=c) for c in ("yes", "yes", "yes", "abstain")]
    counted = tally(ballots)
    assert counted.participating_owners == 4 and counted.approving_area == Decimal("150")
    from models.governance import vote_result
    result = vote_result("rebuild", Decimal("300"), 6, counted.participating_area,
                         counted.participating_owners, counted.approving_area,
                         counted.approving_owners)
    assert result.quorum_met and result.passed


def test_ballot_for_a_household_of_another_area_is_refused(world, as_user):
    vote = make_vote(world, world.area_a1)
    household = make_household(world, world.area_a2)
    db.session.commit()
    response = as_user(world.user("street_a")).post_form("/assembly_ballot/new/", {
        "vote": vote.id, "household": household.id, "choice": "yes"})
    assert "所选房屋不在该业主大会的物业管理区域内。" in response.get_data(as_text=True)


def test_progress_page_shows_each_area_in_scope_with_few_queries(app, world, as_user):
    make_committee(world, world.area_a1, filing_status="not_filed", filed_on=None,
                   elected_on=local_today(), term_start=local_today(),
                   term_end=date(local_today().year + 4, 1, 1))
    make_pm_committee(world, world.area_a2)
    make_ballot(world, world.area_b1)
    db.session.commit()
    user = as_user(world.user("street_a"))
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        html = user.get("/governance_progress/").get_data(as_text=True)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    assert "业委会已选举待备案" in html and "物业管理委员会代行" in html
    assert world.area_a1.name in html and world.area_b1.name not in html
    assert len(statements) < 20
    assert as_user(world.user("community_a1")).get("/governance_progress/").status_code == 200
