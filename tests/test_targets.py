"""The targets of DOMAIN.md §6: figures equal direct counts, as of any date, in scope only."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from demo import load_demo
from models.base import local_today
from models import db
from models.cases import Case, Escalation, Hazard
from models.fees import CollectionAction, FeeArrear
from models.governance import OwnersCommittee, PropertyManagementCommittee
from models.places import Community, ManagementArea, ServiceModeChange
from models.service import SatisfactionSurvey
from models.targets import end_of, month_ends, percent, targets
from models.users import User

from .conftest import PASSWORD

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


def test_a_community_account_sees_only_its_own_community(demo, app, as_user):
    user = _user("community_jianguo")
    result = targets(user, local_today())
    assert [row["name"] for row in result.communities] == ["建国社区"]
    assert_same(actual(result.total), expected({user.community_id}, local_today()))
    names = {a["community"] for rows in result.missing.values() for a in rows}
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
