"""The city-wide report screens (吹哨报到看板, 业主自治进度, 物业费收缴率) at scale: rows come a
page at a time and narrow to a community, the summary figures still cover the whole scope, the
narrowing never leaves the user's scope, and the statements sent do not grow with the areas."""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from admin_views.cases import EscalationBoardView
from admin_views.fees import CollectionRateView
from admin_views.governance import GovernanceProgressView, _latest_term_end_warned
from models import db
from models.base import local_today
from models.cases import local_now
from models.governance import STAGES, add_months, reelection_warning_from

from .factories import make_area, make_community
from .factories_cases import make_escalation
from .factories_fees import make_arrear
from .factories_governance import (
    assembly_of,
    make_committee,
    make_pm_committee,
    make_preparatory_group,
)

PAGES = (EscalationBoardView, GovernanceProgressView, CollectionRateView)
URLS = ("/escalation_board/", "/governance_progress/", "/fee_collection_rate/")
OUT_OF_SCOPE = "不在您的管辖范围内"


@pytest.fixture
def pages_of_two(monkeypatch):
    """Two rows a page, so that a handful of rows spans several pages."""
    for view in PAGES:
        monkeypatch.setattr(view, "page_size", 2)


def statements_for(user, url: str) -> int:
    """How many SQL statements the page sends, sign-in bookkeeping included."""
    sent = []

    def count(*args):
        sent.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        page_html(user, url)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(sent)


def page_html(user, url: str) -> str:
    answer = user.get(url)
    assert answer.status_code == 200, url
    return answer.get_data(as_text=True)


def board_rows(html: str) -> list[int]:
    """Escalation ids in page order, each once (every row shows by department and by community)."""
    return list(dict.fromkeys(int(i) for i in re.findall(r'data-escalation="(\d+)"', html)))


def board_groups(html: str, kind: str) -> dict[str, tuple[int, int]]:
    return {name: (int(count), int(late)) for name, count, late in re.findall(
        rf'data-kind="{kind}" data-name="([^"]*)" data-count="(\d+)" data-overdue="(\d+)"',
        html)}


def progress_rows(html: str) -> dict[int, str]:
    """{area id: the stage code its row shows}."""
    return {int(area): stage for area, stage in re.findall(
        r'<tr data-area="(\d+)">.*?stage-(\w+)"', html, re.DOTALL)}


def progress_counts(html: str) -> dict[str, int]:
    return {code: int(count) for code, count in re.findall(
        r'data-stage="(\w+)" data-count="(\d+)"', html)}


def rate_areas(html: str) -> list[str]:
    return re.findall(r'<tr class="area-row" data-area="([^"]+)">', html)


def rate_firms(html: str) -> dict[str, int]:
    return {firm: int(count) for firm, count in re.findall(
        r'<tr class="firm-row" data-firm="([^"]+)" data-arrears="(\d+)">', html)}


def more_areas(world, count: int):
    """`count` new areas of street A, each in a new community."""
    return [make_area(make_community(world.street_a)) for _ in range(count)]


# -- 吹哨报到看板 ---------------------------------------------------------------------------------

def _escalations(world, areas):
    """One overdue escalation to department 1 per area and one running to department 2."""
    now = local_now()
    late = [make_escalation(world, area, department=world.dept_1,
                            escalated_at=now - timedelta(days=9),
                            reply_due=now - timedelta(days=1)) for area in areas]
    running = [make_escalation(world, area, department=world.dept_2, escalated_at=now,
                               reply_due=now + timedelta(days=3)) for area in areas]
    return late, running


def test_the_board_pages_its_rows_and_counts_the_whole_scope(world, as_user, pages_of_two):
    areas = [world.area_a1, world.area_a2, *more_areas(world, 1)]
    late, running = _escalations(world, areas)
    _escalations(world, [world.area_b1])
    db.session.commit()
    street = as_user(world.user("street_a"))

    first = page_html(street, "/escalation_board/")
    assert "共 6 件未办结，其中 <span class=\"text-danger\">3</span> 件已超期" in first
    assert "第 1/3 页" in first
    assert board_groups(first, "department") == {world.dept_1.name: (3, 3),
                                                 world.dept_2.name: (3, 0)}
    assert board_groups(first, "community")[world.community_a1.name] == (2, 1)
    shown = [board_rows(page_html(street, f"/escalation_board/?page={page}"))
             for page in range(3)]
    assert [len(rows) for rows in shown] == [2, 2, 2]
    # Every open escalation in scope exactly once, the overdue ones first.
    assert [row for rows in shown for row in rows] == [e.id for e in late + running]
    # Every page shows the same whole-scope figures.
    assert board_groups(page_html(street, "/escalation_board/?page=2"), "department") == \
        board_groups(first, "department")


def test_bad_board_pages_fall_back_to_the_nearest_page(world, as_user, pages_of_two):
    _escalations(world, [world.area_a1, world.area_a2])
    db.session.commit()
    street = as_user(world.user("street_a"))
    first = board_rows(page_html(street, "/escalation_board/"))
    assert board_rows(page_html(street, "/escalation_board/?page=abc")) == first
    assert board_rows(page_html(street, "/escalation_board/?page=-3")) == first
    assert board_rows(page_html(street, "/escalation_board/?page=99999999999999999999")) == \
        board_rows(page_html(street, "/escalation_board/?page=1"))


def test_the_board_narrows_to_a_community_and_a_department_in_scope(world, as_user):
    late, running = _escalations(world, [world.area_a1, world.area_a2])
    foreign, _ = _escalations(world, [world.area_b1])
    db.session.commit()
    street = as_user(world.user("street_a"))

    html = page_html(street, f"/escalation_board/?community={world.community_a2.id}")
    assert board_rows(html) == [late[1].id, running[1].id]
    assert board_groups(html, "department") == {world.dept_1.name: (1, 1),
                                                world.dept_2.name: (1, 0)}
    html = page_html(street, f"/escalation_board/?community={world.community_a2.id}"
                             f"&department={world.dept_2.id}")
    assert board_rows(html) == [running[1].id]

    # Another street's community is neither offered nor shown: the whole scope is, with a word.
    html = page_html(street, f"/escalation_board/?community={world.community_b1.id}")
    assert OUT_OF_SCOPE in html
    assert f'value="{world.community_b1.id}"' not in html
    assert set(board_rows(html)) == {e.id for e in late + running}
    html = page_html(street, "/escalation_board/?community=abc&department=1%20OR%201=1")
    assert OUT_OF_SCOPE in html and set(board_rows(html)) == {e.id for e in late + running}

    # A department sees what was sent to it, from every street, and only that.
    liaison = as_user(world.user("dept_1"))
    assert set(board_rows(page_html(liaison, "/escalation_board/"))) == \
        {e.id for e in late + foreign}
    html = page_html(liaison, f"/escalation_board/?department={world.dept_2.id}")
    assert OUT_OF_SCOPE in html and set(board_rows(html)) == {e.id for e in late + foreign}
    html = page_html(liaison, f"/escalation_board/?community={world.community_b1.id}")
    assert board_rows(html) == [foreign[0].id]


# -- 业主自治进度 ---------------------------------------------------------------------------------

def _stage_world(world) -> dict[int, str]:
    """Areas of street A in every stage, and on both sides of each rule's edge:
    {area id: the stage code area_stage gives it}."""
    today = local_today()
    warned = _latest_term_end_warned(today)
    started = date(today.year - 4, 1, 1)
    expected = {world.area_a1.id: "none", world.area_a2.id: "none"}

    def area(stage):
        made = make_area(world.community_a1)
        expected[made.id] = stage
        return made

    def committee(stage, **kw):
        kw.setdefault("elected_on", started)
        kw.setdefault("term_start", started)
        kw.setdefault("filed_on", started + timedelta(days=10))
        return make_committee(world, kw.pop("area", None) or area(stage), **kw)

    make_preparatory_group(world, area("none"), status="applied", accepted_on=None,
                           formed_on=None)
    make_preparatory_group(world, area("group_formed"))
    make_preparatory_group(world, area("group_formed"), status="assembly_held")
    superseded = area("none")
    make_preparatory_group(world, superseded, applied_on=date(2025, 1, 1))
    make_preparatory_group(world, superseded, status="dissolved")
    assembly_of(world, area("assembly_held"))
    make_pm_committee(world, area("pm_committee"))
    ended = area("assembly_held")
    assembly_of(world, ended)
    make_pm_committee(world, ended, status="ended")
    committee("elected", filing_status="not_filed", filed_on=None,
              term_end=today + timedelta(days=900))
    committee("expired", filing_status="not_filed", filed_on=None,
              term_end=today - timedelta(days=1))
    committee("filed", term_end=today + timedelta(days=900))
    committee("filed", term_end=warned + timedelta(days=1))
    committee("reelection_due", term_end=warned)
    committee("reelection_due", term_end=today)
    committee("expired", term_end=today - timedelta(days=1))
    committee("expired", status="expired", term_end=today + timedelta(days=900))
    committee("expired", status="expired", filing_status="not_filed", filed_on=None,
              term_end=today + timedelta(days=900))
    covered = area("pm_committee")
    committee(None, area=covered, term_end=today - timedelta(days=1))
    make_pm_committee(world, covered)
    committee("assembly_held", status="dissolved", term_end=today + timedelta(days=900))
    # The latest term (the highest session number) decides, whichever was entered first.
    renewed = area("elected")
    committee(None, area=renewed, session_number=2, filing_status="not_filed", filed_on=None,
              term_end=today + timedelta(days=900))
    committee(None, area=renewed, session_number=1, term_end=today + timedelta(days=900))
    return expected


def test_the_stage_counted_in_sql_is_the_stage_shown_for_every_branch(world, as_user):
    expected = _stage_world(world)
    db.session.commit()
    street = as_user(world.user("street_a"))
    html = page_html(street, "/governance_progress/")
    assert progress_rows(html) == expected
    assert progress_counts(html) == {code: list(expected.values()).count(code)
                                     for code in STAGES if code in expected.values()}
    for code in STAGES:
        narrowed = progress_rows(page_html(street, f"/governance_progress/?stage={code}"))
        assert narrowed == {area: stage for area, stage in expected.items() if stage == code}


@pytest.mark.parametrize("today", [date(2026, 11, 28), date(2026, 11, 30), date(2026, 12, 31),
                                   date(2027, 2, 28), date(2028, 2, 29), date(2027, 5, 31)])
def test_the_last_warned_term_end_splits_term_ends_as_term_state_does(today):
    warned = _latest_term_end_warned(today)
    for days in range(-5, 130):
        term_end = today + timedelta(days=days)
        assert (term_end <= warned) == (today >= reelection_warning_from(term_end)), term_end
    assert warned >= add_months(today, 3)


def test_progress_pages_its_areas_and_counts_the_whole_scope(world, as_user, pages_of_two):
    areas = more_areas(world, 3)
    make_pm_committee(world, areas[0])
    make_pm_committee(world, world.area_b1)
    db.session.commit()
    street = as_user(world.user("street_a"))
    first = page_html(street, "/governance_progress/")
    assert progress_counts(first) == {"none": 4, "pm_committee": 1}
    assert "共 5 个区域，每页 2 个，第 1/3 页" in first
    shown = [progress_rows(page_html(street, f"/governance_progress/?page={page}"))
             for page in range(3)]
    assert [len(rows) for rows in shown] == [2, 2, 1]
    listed = [area for rows in shown for area in rows]
    assert sorted(listed) == sorted([world.area_a1.id, world.area_a2.id, *(a.id for a in areas)])
    assert progress_counts(page_html(street, "/governance_progress/?page=2")) == \
        progress_counts(first)
    assert progress_rows(page_html(street, "/governance_progress/?page=abc")) == shown[0]


def test_progress_narrows_to_a_community_and_a_stage_in_scope(world, as_user):
    make_pm_committee(world, world.area_a2)
    make_pm_committee(world, world.area_b1)
    db.session.commit()
    street = as_user(world.user("street_a"))
    html = page_html(street, f"/governance_progress/?community={world.community_a2.id}")
    assert progress_rows(html) == {world.area_a2.id: "pm_committee"}
    assert progress_counts(html) == {"pm_committee": 1}
    html = page_html(street, "/governance_progress/?stage=pm_committee")
    assert progress_rows(html) == {world.area_a2.id: "pm_committee"}

    html = page_html(street, f"/governance_progress/?community={world.community_b1.id}")
    assert OUT_OF_SCOPE in html and f'value="{world.community_b1.id}"' not in html
    assert set(progress_rows(html)) == {world.area_a1.id, world.area_a2.id}
    html = page_html(street, "/governance_progress/?stage=nonsense&community=x")
    assert "没有这个业主自治阶段" in html
    assert set(progress_rows(html)) == {world.area_a1.id, world.area_a2.id}
    # A firm sees the areas it serves under contract, and no community beyond them.
    firm = as_user(world.user("firm_a"))
    html = page_html(firm, f"/governance_progress/?community={world.community_a2.id}")
    assert OUT_OF_SCOPE in html and set(progress_rows(html)) == {world.area_a1.id}


# -- 物业费收缴率 ---------------------------------------------------------------------------------

def test_collection_rate_pages_its_areas_and_totals_the_whole_scope(world, as_user,
                                                                    pages_of_two):
    areas = [world.area_a1, world.area_a2, *more_areas(world, 2)]
    for area in areas:
        make_arrear(world, area, firm=world.firm_a, amount_owed=Decimal("100"),
                    amount_paid=Decimal("50"))
    make_arrear(world, world.area_b1)
    db.session.commit()
    street = as_user(world.user("street_a"))
    first = page_html(street, "/fee_collection_rate/")
    assert "共 4 行（区域与企业的组合），每页 2 行，第 1/2 页" in first
    assert rate_firms(first) == {world.firm_a.name: 4}
    second = page_html(street, "/fee_collection_rate/?page=1")
    assert rate_firms(second) == rate_firms(first)
    listed = rate_areas(first) + rate_areas(second)
    assert listed == sorted(area.name for area in areas)
    assert rate_areas(page_html(street, "/fee_collection_rate/?page=abc")) == rate_areas(first)


def test_collection_rate_narrows_to_a_community_in_scope(world, as_user):
    make_arrear(world, world.area_a1)
    make_arrear(world, world.area_a2, firm=world.firm_a)
    make_arrear(world, world.area_b1)
    db.session.commit()
    street = as_user(world.user("street_a"))
    html = page_html(street, f"/fee_collection_rate/?community={world.community_a2.id}")
    assert rate_areas(html) == [world.area_a2.name]
    assert rate_firms(html) == {world.firm_a.name: 1}
    html = page_html(street, f"/fee_collection_rate/?community={world.community_b1.id}")
    assert OUT_OF_SCOPE in html and f'value="{world.community_b1.id}"' not in html
    assert sorted(rate_areas(html)) == sorted([world.area_a1.name, world.area_a2.name])
    assert world.area_b1.name not in html


# -- statements ----------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["admin", "street_a"])
def test_statements_do_not_grow_with_the_areas(world, as_user, persona):
    user = as_user(world.user(persona))

    def add_areas(count):
        for area in more_areas(world, count):
            _escalations(world, [area])
            make_arrear(world, area, firm=world.firm_a)
            make_committee(world, area)
            make_preparatory_group(world, area)
        db.session.commit()

    def statements():
        return [statements_for(user, url) for url in URLS]

    add_areas(1)
    few = statements()
    add_areas(6)
    assert statements() == few
    # Narrowed pages cost no more than the whole scope.
    community = world.community_a1.id
    assert [statements_for(user, f"{url}?community={community}&page=1") for url in URLS] == few


@pytest.mark.parametrize("persona", ["admin", "city", "street_a", "community_a1", "firm_a",
                                     "dept_1"])
def test_every_role_gets_its_page_or_a_refusal_whatever_the_query(world, as_user, persona):
    _escalations(world, [world.area_a1, world.area_b1])
    make_arrear(world, world.area_a1)
    make_committee(world, world.area_b1)
    db.session.commit()
    user = as_user(world.user(persona))
    refused = {"firm_a": {URLS[0]}, "dept_1": {URLS[1], URLS[2]}}.get(persona, set())
    for url in URLS:
        for query in ("", "?page=abc&community=abc&department=-1&stage=x",
                      f"?community={world.community_b1.id}&page=2"):
            answer = user.get(url + query)
            assert answer.status_code == (403 if url in refused else 200), (url, query)
