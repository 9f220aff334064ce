"""Owners' self-governance: vote thresholds, committee terms, personal data and scoping."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
import sqlalchemy as sa

from models import db
from models.governance import (
    AssemblyVote,
    CommitteeMember,
    OwnersCommittee,
    add_years,
    vote_result,
)

from .factories import ROW_FACTORIES
from .factories_governance import assembly_of, make_committee, make_committee_member, make_vote

# 300 m² and 30 owners in all; 200 m² and 20 owners are exactly two thirds.
TOTAL = dict(total_area=Decimal("300.00"), total_owners=30)


def decide(matter, participating_area, participating_owners, approving_area, approving_owners):
    return vote_result(matter, TOTAL["total_area"], TOTAL["total_owners"],
                       Decimal(participating_area), participating_owners,
                       Decimal(approving_area), approving_owners)


def test_quorum_is_met_at_exactly_two_thirds_of_area_and_owners():
    result = decide("ordinary", "200.00", 20, "150.00", 15)
    assert result.quorum_met and result.passed
    assert result.area_participation == Fraction(2, 3)
    assert result.owner_participation == Fraction(2, 3)


@pytest.mark.parametrize("area, owners", [("199.99", 20), ("200.00", 19)])
def test_quorum_fails_just_below_two_thirds_of_either(area, owners):
    result = decide("ordinary", area, owners, area, owners)
    assert not result.quorum_met and not result.passed
    assert result.verdict == "未通过（参与表决未达双三分之二）"


def test_ordinary_matter_needs_more_than_half_not_exactly_half():
    assert not decide("ordinary", "200.00", 20, "100.00", 10).passed
    assert not decide("ordinary", "200.00", 20, "100.01", 10).passed
    assert not decide("ordinary", "200.00", 20, "100.00", 11).passed
    assert decide("ordinary", "200.00", 20, "100.01", 11).passed


@pytest.mark.parametrize("matter", ["fund_raise", "rebuild", "common_use"])
def test_items_six_to_eight_pass_at_exactly_three_quarters(matter):
    assert decide(matter, "200.00", 20, "150.00", 15).passed
    assert not decide(matter, "200.00", 20, "149.99", 15).passed
    result = decide(matter, "200.00", 20, "150.00", 14)
    assert not result.passed and result.verdict == "未通过（同意未达双四分之三）"


@pytest.mark.parametrize("matter", ["procedure_rules", "statute", "committee", "firm",
                                    "fund_use", "other_major"])
def test_other_listed_matters_need_a_majority_only(matter):
    """民法典 第二百七十八条 第二款: items (一)-(五) and (九) pass with more than half."""
    assert decide(matter, "200.00", 20, "120.00", 12).passed
    assert not decide(matter, "200.00", 20, "100.00", 10).passed


def test_nobody_participating_fails_without_dividing_by_zero():
    result = decide("ordinary", "0", 0, "0", 0)
    assert not result.passed and result.area_approval == 0


def test_five_years_end_on_the_same_day_and_leap_days_fall_back():
    assert add_years(date(2026, 1, 1), 5) == date(2031, 1, 1)
    assert add_years(date(2024, 2, 29), 5) == date(2029, 2, 28)


def _committee_form(world, **overrides):
    data = {"assembly": assembly_of(world, world.area_a1).id, "session_number": "2",
            "elected_on": "2026-01-01", "term_start": "2026-01-01", "term_end": "2031-01-01",
            "member_count": "5", "alternate_count": "0", "filing_type": "reelect",
            "filing_status": "not_filed", "status": "in_term"}
    db.session.commit()
    return {**data, **overrides}


def _committees() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(OwnersCommittee))


def test_term_longer_than_five_years_is_refused_in_chinese(world, as_user):
    user = as_user(world.user("street_a"))
    response = user.post_form("/owners_committee/new/", _committee_form(world,
                              term_end="2031-01-02"))
    assert response.status_code == 200
    assert "业主委员会每届任期不得超过5年：任期届满日期最晚为2031年1月1日。" in \
        response.get_data(as_text=True)
    assert _committees() == 0


def test_term_of_exactly_five_years_is_saved_in_the_assemblys_area(world, as_user):
    user = as_user(world.user("street_a"))
    response = user.post_form("/owners_committee/new/", _committee_form(world))
    assert response.status_code == 302
    committee = db.session.scalar(sa.select(OwnersCommittee))
    assert committee.area_id == world.area_a1.id


def test_even_member_count_is_refused(world, as_user):
    user = as_user(world.user("community_a1"))
    response = user.post_form("/owners_committee/new/", _committee_form(world, member_count="6"))
    assert "业主委员会委员人数应为5至11人的单数。" in response.get_data(as_text=True)
    assert _committees() == 0


def test_committee_member_phone_is_masked_in_the_list(world, as_user):
    make_committee_member(world, world.area_a1, phone="13904395678")
    db.session.commit()
    html = as_user(world.user("community_a1")).get("/committee_member/").get_data(as_text=True)
    assert "139****5678" in html
    assert "13904395678" not in html


def test_community_cannot_add_a_member_to_another_communitys_committee(world, as_user):
    foreign = make_committee(world, world.area_a2)
    db.session.commit()
    user = as_user(world.user("community_a1"))
    response = user.post_form("/committee_member/new/", {
        "committee": foreign.id, "name": "赵德胜", "gender": "male",
        "political_status": "masses", "position": "member"}, form_url="/committee_member/new/")
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CommitteeMember)) == 0


def test_firm_reads_committees_of_its_areas_but_cannot_write(world, as_user):
    make_committee(world, world.area_a1)
    db.session.commit()
    user = as_user(world.user("firm_a"))
    response = user.get("/owners_committee/")
    assert response.status_code == 200 and "建国花园" in response.get_data(as_text=True)
    assert user.get("/owners_committee/new/").status_code in (302, 403)


def test_vote_result_is_shown_in_the_list_and_details(world, as_user):
    vote = make_vote(world, world.area_a1, matter="common_use", approving_area=Decimal("17000"),
                     approving_owners=170)
    db.session.commit()
    user = as_user(world.user("street_a"))
    assert "未通过（同意未达双四分之三）" in user.get("/assembly_vote/").get_data(as_text=True)
    details = user.get(f"/assembly_vote/details/?id={vote.id}").get_data(as_text=True)
    assert "同意门槛：四分之三以上" in details


def test_vote_with_more_approving_than_participating_is_refused(world, as_user):
    assembly = assembly_of(world, world.area_a1)
    db.session.commit()
    response = as_user(world.user("community_a1")).post_form("/assembly_vote/new/", {
        "assembly": assembly.id, "title": "增设充电桩", "matter": "common_use",
        "voted_on": "2026-06-01", "total_area": "300", "total_owners": "30",
        "participating_area": "200", "participating_owners": "20",
        "approving_area": "210", "approving_owners": "15"})
    assert "“同意面积（㎡）”不能大于“参与表决面积（㎡）”。" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AssemblyVote)) == 0


def test_every_governance_model_has_a_row_factory():
    from models import governance
    for name in ("PreparatoryGroup", "PreparatoryGroupMember", "OwnersAssembly",
                 "OwnersCommittee", "CommitteeMember", "PropertyManagementCommittee",
                 "AssemblyVote"):
        assert getattr(governance, name) in ROW_FACTORIES


def test_a_second_director_is_refused(world, as_user):
    member = make_committee_member(world, world.area_a1, position="director")
    db.session.commit()
    user = as_user(world.user("community_a1"))
    response = user.post_form("/committee_member/new/", {
        "committee": member.committee_id, "name": "赵德胜", "gender": "male",
        "political_status": "masses", "position": "director"})
    assert "该届业主委员会已有主任" in response.get_data(as_text=True)
    edit = f"/committee_member/edit/?id={member.id}"
    assert user.post_form(edit, {
        "committee": member.committee_id, "name": member.name, "gender": "female",
        "political_status": "masses", "position": "director"}).status_code == 302
