"""The targets of DOMAIN.md §6: figures equal direct counts, as of any date, in scope only."""
from __future__ import annotations

import json
import re
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from demo import load_demo
from models.base import end_of, local_today
from models import db
from models.cases import Case, Escalation, Hazard
from models.fees import CollectionAction, FeeArrear
from models.governance import OwnersCommittee, PropertyManagementCommittee
from models.places import Community, ManagementArea, ServiceModeChange
from models.service import SatisfactionSurvey
from models.targets import (escalations_by_department, history, month_ends, percent,
                            scope_communities, scope_total, targets, trend)
from models.users import User
from reports.charts import coverage_chart, trend_chart

from .conftest import PASSWORD
from .factories import make_area, make_community
from .factories_cases import make_case, make_hazard
from .factories_fees import make_arrear, make_collection_action
from .factories_governance import make_committee, make_pm_committee
from .factories_service import make_survey

DATES = (local_today(), date(2026, 6, 30), date(2025, 12, 31))


def _mode_on(area, day):
    changes = sorted(area.mode_changes, key=lambda c: (c.changed_on, c.id))
    before = [c for c in changes if c.changed_on <= day]
    if before:
        return before[-1].to_mode
    return changes[0].from_mode if changes else area.service_mode


def expected(community_ids: set[int], day: date) -> dict:
    """The figures counted row by row in Python, independently of models.targets."""
    end = end_of(day)
    areas = [a for a in db.session.scalars(sa.select(ManagementArea))
             if a.community_id in community_ids]
    area_ids = {a.id for a in areas}
    committees = db.session.scalars(sa.select(OwnersCommittee)).all()
    pm_committees = db.session.scalars(sa.select(PropertyManagementCommittee)).all()

    def has_committee(area):
        return any(c.area_id == area.id and c.status != "dissolved"
                   and c.term_start <= day <= c.term_end for c in committees)

    def has_pm(area):
        return any(p.area_id == area.id and p.formed_on <= day
                   and (p.term_end >= day if p.term_end else p.status == "active")
                   for p in pm_committees)

    modes = [_mode_on(a, day) for a in areas]
    hazards = [h for h in db.session.scalars(sa.select(Hazard)) if h.area_id in area_ids]
    clutter = [h for h in hazards if h.category == "corridor_clutter" and h.found_at < end]
    arrears = [f for f in db.session.scalars(sa.select(FeeArrear))
               if f.area_id in area_ids and f.period_start <= day]
    arrear_ids = {f.id for f in arrears}
    collected = sum((a.amount_paid for a in db.session.scalars(sa.select(CollectionAction))
                     if a.arrear_id in arrear_ids and a.acted_on <= day), Decimal("0"))
    cases = [c for c in db.session.scalars(sa.select(Case)) if c.area_id in area_ids]
    closed = [c for c in cases if c.closed_at is not None and c.closed_at < end]
    on_time = [c for c in closed if c.deadline is None or c.closed_at <= c.deadline]
    case_ids = {c.id for c in cases}
    escalations = [e for e in db.session.scalars(sa.select(Escalation))
                   if e.case_id in case_ids and e.escalated_at < end]
    surveys = [s for s in db.session.scalars(sa.select(SatisfactionSurvey))
               if s.area_id in area_ids and day - timedelta(days=365) < s.surveyed_on <= day]
    respondents = sum(s.respondents for s in surveys)
    return {
        "areas": len(areas),
        "committee": sum(1 for a in areas if has_committee(a) or has_pm(a)),
        "pm_committee": sum(1 for a in areas if not has_committee(a) and has_pm(a)),
        "service": sum(1 for m in modes if m in ("professional", "self_managed")),
        "fallback": sum(1 for m in modes if m == "fallback"),
        "open_hazards": sum(1 for h in hazards if h.found_at < end
                            and (h.disposed_at is None or h.disposed_at >= end)),
        "clutter_found": len(clutter),
        "clutter_cleared": sum(1 for h in clutter if h.clearance_status == "cleared"
                               and h.disposed_at is not None and h.disposed_at < end),
        "owed": sum((f.amount_owed for f in arrears), Decimal("0")),
        "collected": collected,
        "closed": len(closed),
        "on_time": len(on_time),
        "average_days": (Decimal(str(sum((c.closed_at - c.received_at).total_seconds()
                                         for c in closed) / 86400 / len(closed)))
                         .quantize(Decimal("0.1")) if closed else None),
        "escalations": len(escalations),
        "satisfaction": percent(sum(s.very_satisfied + s.satisfied for s in surveys),
                                respondents),
    }


def actual(figures: dict) -> dict:
    return {
        "areas": figures["areas"],
        "committee": figures["committee"]["value"],
        "pm_committee": figures["committee"]["pm_committee"],
        "service": figures["service"]["value"],
        "fallback": figures["fallback"]["value"],
        "open_hazards": figures["hazards"]["open"],
        "clutter_found": figures["hazards"]["clutter_found"],
        "clutter_cleared": figures["hazards"]["clutter_cleared"],
        "owed": figures["arrears"]["owed"],
        "collected": figures["arrears"]["collected"],
        "closed": figures["cases"]["closed"],
        "on_time": figures["cases"]["on_time"],
        "average_days": figures["cases"]["average_days"],
        "escalations": figures["cases"]["escalations"],
        "satisfaction": figures["satisfaction"]["percent"],
    }


def _close_days(left, right):
    """Average days may differ by rounding of the last digit between SQL and Python."""
    if left is None or right is None:
        return left == right
    return abs(Decimal(left) - Decimal(right)) <= Decimal("0.1")


def assert_same(got: dict, want: dict):
    assert _close_days(got.pop("average_days"), want.pop("average_days"))
    assert got == want
    # Counts stay integers on every database (PostgreSQL sums integers as numeric).
    assert {k: type(v) for k, v in got.items()} == {k: type(v) for k, v in want.items()}


@pytest.fixture
def demo(app_ctx):
    load_demo(PASSWORD)
    db.session.commit()


def _user(username):
    return db.session.scalar(sa.select(User).where(User.username == username))


def test_figures_equal_direct_counts_on_the_demo_data(demo):
    street = _user("street")
    communities = {c.id: c for c in db.session.scalars(
        sa.select(Community).where(Community.street_id == street.street_id))}
    for day in DATES:
        result = targets(street, day, with_trend=False)
        assert {row["id"] for row in result.communities} == set(communities)
        for row in result.communities:
            assert_same(actual(row["figures"]), expected({row["id"]}, day))
        assert_same(actual(result.total), expected(set(communities), day))
    # The demo has history: the figures of a past date differ from today's.
    today, past = (targets(street, d, with_trend=False).total for d in DATES[:2])
    assert actual(today) != actual(past)

    day = date(2026, 11, 15)
    points = targets(street, day).trend
    assert [p["date"] for p in points] == month_ends(day)
    assert len(points) == 12 and points[0]["date"] == date(2025, 12, 31)
    for point in points:
        assert point["committee"] == targets(street, point["date"], with_trend=False
                                             ).total["committee"]["percent"]


def test_missing_areas_are_those_short_of_each_goal(demo):
    street = _user("street")
    committees = db.session.scalars(sa.select(OwnersCommittee)).all()
    pm_committees = db.session.scalars(sa.select(PropertyManagementCommittee)).all()
    areas = [a for a in db.session.scalars(sa.select(ManagementArea))
             if a.community.street_id == street.street_id]
    for day in DATES:
        covered = {c.area_id for c in committees
                   if c.status != "dissolved" and c.term_start <= day <= c.term_end} | \
            {p.area_id for p in pm_committees if p.formed_on <= day
             and (p.term_end >= day if p.term_end else p.status == "active")}
        modes = {a.id: _mode_on(a, day) for a in areas}
        missing = targets(street, day, with_trend=False).missing
        assert {a["id"] for a in missing["committee"]["areas"]} == {a.id for a in areas} - covered
        assert {a["id"] for a in missing["service"]["areas"]} == \
            {i for i, m in modes.items() if m not in ("professional", "self_managed")}
        assert {a["id"] for a in missing["fallback"]["areas"]} == \
            {i for i, m in modes.items() if m == "fallback"}
        assert all(missing[kind]["count"] == len(missing[kind]["areas"]) for kind in missing)
        assert missing["committee"]["areas"] and missing["service"]["areas"]
        first = targets(street, day, with_trend=False, missing_limit=2).missing
        for kind, listed in missing.items():
            assert first[kind] == {"count": listed["count"], "areas": listed["areas"][:2]}


def test_escalations_by_department_count_those_in_scope(demo):
    day = local_today()
    end = end_of(day)
    escalations = db.session.scalars(sa.select(Escalation)).all()
    counted = {}
    for username in ("admin", "street", "community_jianguo", "community_jiefang"):
        user = _user(username)
        communities = {community.id for community in scope_communities(user)}
        want = {}
        for e in escalations:
            if e.case.area.community_id in communities and e.escalated_at < end:
                replied = e.replied_at is not None and e.replied_at < end
                counts = want.setdefault(e.department.name, [0, 0, 0])
                counts[0] += 1
                counts[1] += replied
                counts[2] += replied and e.replied_at <= e.reply_due
        got = {row["department"]: [row["escalations"], row["replied"], row["replied_on_time"]]
               for row in escalations_by_department(user, day)}
        assert got == want, username
        counted[username] = sum(row[0] for row in want.values())
    assert counted["admin"] >= counted["street"] > counted["community_jianguo"]


def test_a_community_account_sees_only_its_own_community(demo, app, as_user):
    user = _user("community_jianguo")
    result = targets(user, local_today())
    assert [row["name"] for row in result.communities] == ["建国社区"]
    assert_same(actual(result.total), expected({user.community_id}, local_today()))
    names = {a["community"] for listed in result.missing.values() for a in listed["areas"]}
    assert names <= {"建国社区"}

    runner = app.test_cli_runner()
    day = "2026-06-30"
    output = runner.invoke(args=["stats", "targets", "--date", day, "--user", "street",
                                 "--json", "--no-trend"])
    assert output.exit_code == 0, output.output
    data = json.loads(output.output)
    direct = targets(_user("street"), date(2026, 6, 30), with_trend=False).as_json()
    assert data == {**direct, "trend": []}

    mine = runner.invoke(args=["stats", "targets", "--user", "community_jianguo", "--json",
                               "--no-trend"])
    assert [row["name"] for row in json.loads(mine.output)["communities"]] == ["建国社区"]
    other = runner.invoke(args=["stats", "targets", "--user", "community_jianguo",
                                "--community", "解放社区", "--json"])
    assert other.exit_code != 0 and "不在该账号的范围内" in other.output

    one = json.loads(runner.invoke(args=["stats", "targets", "--community", "解放社区",
                                         "--json", "--no-trend"]).output)
    jiefang = db.session.scalar(sa.select(Community.id).where(Community.name == "解放社区"))
    assert one["total"]["committee"]["value"] == expected({jiefang}, local_today())["committee"]

    page = as_user(_user("community_jianguo")).get("/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "业主委员会全覆盖" in html and "建国社区" in html
    for name in ("解放社区", "世纪春社区", "台兴社区", "台兴村"):
        assert name not in html
    street = as_user(_user("street"))
    html = street.get("/?date=2026-06-30").get_data(as_text=True)
    assert "截至2026年6月30日" in html and "台兴村" in html and "<svg" in html
    assert as_user(_user("community_jianguo")).get(f"/?community={jiefang}").status_code == 404


def test_service_mode_of_a_past_date_comes_from_the_history(world):
    area = world.area_a2
    area.service_mode = "professional"
    db.session.add_all([
        ServiceModeChange(area=area, changed_on=date(2025, 3, 1), from_mode="none",
                          to_mode="fallback", reason="原物业撤场，启动兜底代管"),
        ServiceModeChange(area=area, changed_on=date(2026, 2, 1), from_mode="fallback",
                          to_mode="professional", reason="选聘物业服务企业进驻"),
    ])
    db.session.commit()
    street = world.user("street_a")

    def figures(day):
        row = next(r for r in targets(street, day, with_trend=False).communities
                   if r["id"] == area.community_id)
        return row["figures"]["service"]

    assert figures(date(2025, 1, 1))["none"] == 1
    assert figures(date(2025, 6, 1))["fallback"] == 1
    assert figures(date(2026, 6, 1))["professional"] == 1


def test_dashboard_answers_every_role(world, as_user):
    for persona in ("admin", "city", "street_a", "community_a1", "firm_a", "dept_1"):
        assert as_user(world.user(persona)).get("/").status_code == 200


def test_the_dashboard_lists_the_first_areas_short_of_a_goal_and_counts_the_rest(world,
                                                                                  as_user):
    from admin_views.dashboard import MISSING_SHOWN

    for number in range(MISSING_SHOWN + 3):
        make_area(world.community_a1, f"待组建{number:02d}号小区")
    db.session.commit()
    html = as_user(world.user("community_a1")).get("/").get_data(as_text=True)
    committee = html.split("未成立业主委员会")[1].split("</ul>")[0]
    # The demo-free world has no committee anywhere: all 24 areas miss one, 20 are named.
    assert committee.count("<li>") == MISSING_SHOWN
    assert "（24）" in committee and "另有 4 个未列出" in committee
    assert "待组建00号小区" in committee and "待组建22号小区" not in committee


def test_home_counts_each_list_in_scope_and_links_a_cases_sub_records(world, as_user):
    from .factories_cases import make_case, make_case_event

    case = make_case(world, world.area_a1)
    make_case(world, world.area_b1)
    make_case_event(world, world.area_a1, case=case)
    db.session.commit()
    html = as_user(world.user("street_a")).get("/").get_data(as_text=True)
    counts = dict(re.findall(r'href="(/[a-z_]+/)"[^>]*>\s*<div class="text-muted small">[^<]+'
                             r'</div>\s*<div class="display-count">(\d+)</div>', html))
    assert counts["/case/"] == "1" and counts["/area/"] == "2"
    assert 'href="/case_event/"' in html and "/case_event/" not in counts


def test_day_boundaries_count_the_whole_day(world):
    hazard = Hazard(area=world.area_a1, category="corridor_clutter", location="1号楼楼道",
                    description="堆放纸箱", found_at=datetime(2026, 3, 5, 23, 30),
                    status="disposed", clearance_status="cleared",
                    contacted_at=datetime(2026, 3, 6, 8, 0),
                    disposed_at=datetime(2026, 3, 6, 17, 0))
    db.session.add(hazard)
    db.session.commit()
    street = world.user("street_a")
    on = {d: targets(street, d, with_trend=False).total["hazards"]
          for d in (date(2026, 3, 4), date(2026, 3, 5), date(2026, 3, 6))}
    assert on[date(2026, 3, 4)]["clutter_found"] == 0
    assert on[date(2026, 3, 5)]["open"] == 1 and on[date(2026, 3, 5)]["clutter_cleared"] == 0
    assert on[date(2026, 3, 6)]["open"] == 0 and on[date(2026, 3, 6)]["clutter_cleared"] == 1


def shown_in_trend(total: dict) -> dict:
    """The parts of a total that `history` counts: all but average days, open cases and
    escalations."""
    cases = total["cases"]
    return {**total, "cases": {key: cases[key] for key in ("closed", "on_time", "percent")}}


def assert_history_counts_each_day_alone(user, days, community=None):
    assert [shown_in_trend(total) for total in history(user, days, community)] == \
        [shown_in_trend(scope_total(user, day, community)[1]) for day in days]


def test_history_of_all_month_ends_equals_each_day_counted_alone(demo):
    jiefang = db.session.scalar(sa.select(Community).where(Community.name == "解放社区"))
    for username, community in (("admin", None), ("city", None), ("street", None),
                                ("street", jiefang), ("community_jianguo", None),
                                ("firm_1", None)):
        for day in (date(2026, 11, 15), date(2026, 2, 28)):
            assert_history_counts_each_day_alone(_user(username), month_ends(day), community)
    # The demo's history moves every figure the trend draws, so the comparison is not idle.
    points = trend(_user("street"), date(2026, 11, 15))
    for key in ("committee", "service", "hazards", "arrears", "cases", "satisfaction",
                "open_hazards"):
        assert len({point[key] for point in points}) > 1, key


def test_history_counts_rows_on_the_boundaries_of_each_day(world):
    """Rows dated on, just before and just after the days: each lands on the same days."""
    a1, a2 = world.area_a1, world.area_a2
    days = [date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]
    jan, feb = days[1], days[2]
    db.session.add_all([
        ServiceModeChange(area=a1, changed_on=jan, from_mode="none", to_mode="fallback",
                          reason="兜底代管"),
        ServiceModeChange(area=a1, changed_on=feb, from_mode="fallback", to_mode="none",
                          reason="撤出"),
        ServiceModeChange(area=a1, changed_on=feb, from_mode="none", to_mode="professional",
                          reason="选聘物业"),
    ])
    make_committee(world, a1, term_start=date(2024, 6, 1), term_end=jan)
    make_committee(world, a2, term_start=feb, term_end=date(2030, 1, 31), status="dissolved")
    make_pm_committee(world, a1, formed_on=jan, term_end=None, status="active")
    make_pm_committee(world, a2, formed_on=date(2025, 1, 1), term_end=None, status="ended")
    just_before, at_midnight = datetime.combine(jan, time(23, 59)), end_of(jan)
    make_hazard(world, a1, found_at=just_before, status="disposed", contacted_at=just_before,
                disposed_at=at_midnight, clearance_status="cleared")
    make_hazard(world, a2, found_at=at_midnight)
    arrear = make_arrear(world, a1, period_start=feb, period_end=date(2026, 12, 31))
    make_collection_action(world, a1, arrear=arrear, acted_on=jan, amount_paid=Decimal("100"))
    make_collection_action(world, a2, arrear=make_arrear(world, a2, period_start=jan,
                                                           period_end=date(2026, 12, 31)),
                           acted_on=feb, amount_paid=Decimal("50.05"))
    for surveyed_on in (jan - timedelta(days=365), feb - timedelta(days=364)):
        survey = make_survey(world, a1)
        survey.period_start = survey.period_end = surveyed_on
        survey.surveyed_on = surveyed_on
    make_case(world, a1, received_at=datetime(2025, 12, 1), state="closed",
              closed_at=at_midnight, deadline=datetime(2025, 12, 15))
    make_case(world, a2, received_at=datetime(2026, 1, 2), state="closed",
              closed_at=datetime.combine(feb, time(23, 59, 59)), deadline=None)
    db.session.commit()
    for persona in ("admin", "street_a", "community_a1", "community_a2"):
        assert_history_counts_each_day_alone(world.user(persona), days)
    assert_history_counts_each_day_alone(world.user("street_a"), days, world.community_a2)


@contextmanager
def counted_statements():
    """The number of SQL statements sent while the block runs: {"count": n}."""
    seen = {"count": 0}

    def count(*args):
        seen["count"] += 1

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def test_dashboard_statements_do_not_grow_with_communities_or_months(world, as_user):
    street = world.user("street_a")
    browser = as_user(street)
    assert browser.get("/").status_code == 200
    with counted_statements() as few:
        browser.get("/")
    for _ in range(3):
        area = make_area(make_community(world.street_a))
        make_case(world, area, received_at=datetime(2026, 1, 5), state="closed",
                  closed_at=datetime(2026, 1, 9), deadline=datetime(2026, 1, 20))
        make_hazard(world, area, found_at=datetime(2026, 2, 1))
        make_committee(world, area)
    db.session.commit()
    with counted_statements() as many:
        html = browser.get("/").get_data(as_text=True)
    assert html.count("<tr") > 4 and many["count"] == few["count"]

    day = date(2026, 11, 15)
    trend(street, day, months=1)  # loads the user's expired attributes once, outside the count
    with counted_statements() as quarter:
        trend(street, day, months=3)
    with counted_statements() as two_years:
        trend(street, day, months=24)
    assert quarter["count"] == two_years["count"]


def test_kept_charts_are_drawn_again_when_a_figure_changes(demo):
    street = _user("street")
    figures = targets(street, date(2026, 11, 15))
    assert trend_chart(figures.trend) == trend_chart(targets(street, date(2026, 11, 15)).trend)
    assert trend_chart(figures.trend) != trend_chart(targets(street, date(2026, 10, 15)).trend)
    rows = figures.communities
    changed = [{**rows[0], "figures": {**rows[0]["figures"], "service": {"percent": None}}},
               *rows[1:]]
    assert coverage_chart(rows) != coverage_chart(changed)
    renamed = [{**rows[0], "name": "新社区"}, *rows[1:]]
    assert "新社区" in coverage_chart(renamed)
