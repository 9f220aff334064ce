"""The work targets of DOMAIN.md §6, per community and for the whole scope, as of any date.

Every figure is counted per community over the rows `visible_to` lets the user see, from dated
history only, so a past date gives the figures of that day:

- owners' committee: committee terms (term_start..term_end), property-management committees
  (formed_on..term_end) standing in for one (DOMAIN.md §3);
- service mode: the ServiceModeChange history, falling back to the area's current mode;
- hazards: found_at and disposed_at (a corridor-clutter hazard counts as cleared once its
  clearance status is "cleared" and it was disposed of by that day), and cases: received_at,
  closed_at and deadline, both read through the monthly tallies of `models.tallies`;
- fee arrears: owed by the arrears whose period began by that day, collected by the
  collection actions dated by that day;
- escalations: escalated_at, replied_at, reply_due;
- satisfaction: the surveys carried out in the twelve months up to that day.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from . import tallies
from .base import db, end_of, start_of
from .cases import Case, Escalation, Hazard
from .fees import CollectionAction, FeeArrear
from .governance import OwnersCommittee, PropertyManagementCommittee
from .orgs import Department
from .places import SERVICE_MODES, Community, ManagementArea, ServiceModeChange, Street
from .scoping import CITY_WIDE, visible_to
from .service import SatisfactionSurvey

# Goals in per cent (open hazards: a count). The notice sets full coverage, clutter cleared
# completely and arrears collected; it gives no satisfaction figure, so 90% is our default.
GOALS = {
    "committee": Decimal(100),
    "service": Decimal(100),
    "clutter": Decimal(100),
    "arrears": Decimal(100),
    "on_time": Decimal(100),
    "satisfaction": Decimal(90),
}
COVERED_MODES = ("professional", "self_managed")
# Committees whose status is "dissolved" carry no dissolution date: they never count.
UNCOUNTED_COMMITTEE_STATUS = "dissolved"
SATISFACTION_WINDOW_DAYS = 365
TREND_MONTHS = 12
CENT = Decimal("0.01")
SECONDS_A_DAY = 86400


def percent(part, whole) -> Decimal | None:
    """part / whole in per cent with one decimal; None when there is nothing to count."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT, ROUND_HALF_UP)


def month_ends(day: date, months: int = TREND_MONTHS) -> list[date]:
    """The last day of each of the `months` months up to `day`; the last one is `day`."""
    ends = [day]
    first = day.replace(day=1)
    for _ in range(months - 1):
        first_of_previous = (first - timedelta(days=1)).replace(day=1)
        ends.append(first - timedelta(days=1))
        first = first_of_previous
    return list(reversed(ends))


# -- scope --------------------------------------------------------------------------------

def scope_communities(user, community: Community | None = None) -> list[Community]:
    """The communities the figures are broken down by: those the user may see."""
    query = sa.select(Community).where(visible_to(Community, user))
    if community is not None:
        query = query.where(Community.id == community.id)
    return list(db.session.scalars(query.order_by(Community.street_id, Community.id)))


def scope_name(user, community: Community | None = None) -> str:
    """What the total row stands for: the community, the street, the firm's areas or the city."""
    if community is not None:
        return community.name
    if user.role == "street" and user.street_id:
        return db.session.get(Street, user.street_id).name
    if user.role == "community" and user.community_id:
        return db.session.get(Community, user.community_id).name
    if user.role in CITY_WIDE:
        return "全市"
    return "服务区域合计"


def area_condition(user, community: Community | None = None) -> sa.ColumnElement[bool]:
    condition = visible_to(ManagementArea, user)
    if community is not None:
        condition = sa.and_(condition, ManagementArea.community_id == community.id)
    return condition


def _area_ids(user, community) -> sa.Select | None:
    """The ids of the areas in the scope; None for the whole city, which needs no condition.

    Joining the areas, or asking for all of them, made SQLite read a city's rows one area at
    a time and PostgreSQL join every case: several times slower than one pass over a table."""
    areas = area_condition(user, community)
    return None if areas.compare(sa.true()) else sa.select(ManagementArea.id).where(areas)


def _tally_scope(user, community) -> tallies.Scope:
    return tallies.Scope(user, community.id if community is not None else None)


def _scoped(model, user, community):
    """Rows of an area-scoped `model` in the scope, with their area id."""
    condition = visible_to(model, user)
    areas = _area_ids(user, community)
    if areas is not None:
        condition = sa.and_(condition, model.area_id.in_(areas))
    return sa.select(model.area_id).where(condition)


def _by_community(per_area: sa.Select) -> sa.Select:
    """The sums of `per_area`, a query grouped by area id (its first column), per community."""
    rows = per_area.subquery()
    area_id, *sums = rows.c
    return (sa.select(ManagementArea.community_id, *(sa.func.sum(column) for column in sums))
            .join(rows, ManagementArea.id == area_id).group_by(ManagementArea.community_id))


# -- the figures, grouped by community id --------------------------------------------------

# The area conditions below are uncorrelated IN lists: both databases read the committees
# once for all areas, where a correlated EXISTS probed them once per area (a city: 10,000).

def _owners_committee_in_term(day: date):
    return ManagementArea.id.in_(sa.select(OwnersCommittee.area_id).where(
        OwnersCommittee.status != UNCOUNTED_COMMITTEE_STATUS,
        OwnersCommittee.term_start <= day, OwnersCommittee.term_end >= day))


def _pm_committee_in_lieu(day: date):
    return ManagementArea.id.in_(sa.select(PropertyManagementCommittee.area_id).where(
        PropertyManagementCommittee.formed_on <= day,
        sa.or_(PropertyManagementCommittee.term_end >= day,
               sa.and_(PropertyManagementCommittee.term_end.is_(None),
                       PropertyManagementCommittee.status == "active"))))


def mode_on(day: date) -> sa.ColumnElement[str]:
    """An area's service mode on `day`: the last change by then, else what the first later
    change started from, else the current mode (no change recorded at all)."""
    last = (sa.select(ServiceModeChange.to_mode)
            .where(ServiceModeChange.area_id == ManagementArea.id,
                   ServiceModeChange.changed_on <= day)
            .order_by(ServiceModeChange.changed_on.desc(), ServiceModeChange.id.desc())
            .limit(1).scalar_subquery())
    following = (sa.select(ServiceModeChange.from_mode)
                 .where(ServiceModeChange.area_id == ManagementArea.id,
                        ServiceModeChange.changed_on > day)
                 .order_by(ServiceModeChange.changed_on, ServiceModeChange.id)
                 .limit(1).scalar_subquery())
    # Most areas have no change recorded: their mode is the current one, without the lookups.
    changed = ManagementArea.id.in_(sa.select(ServiceModeChange.area_id))
    return sa.case((changed, sa.func.coalesce(last, following, ManagementArea.service_mode)),
                   else_=ManagementArea.service_mode)


def area_states(user, day: date, community=None) -> list[sa.Row]:
    """Every area of the scope on `day`, in community and name order: id, name, community_id,
    community (its name), mode, owners_committee, pm_committee (standing in for one).

    One pass over the areas serves the committee and service figures and the areas short of
    them: each reads an area's mode history and committees (three passes cost twice as much)."""
    owners = _owners_committee_in_term(day)
    in_lieu = sa.and_(sa.not_(owners), _pm_committee_in_lieu(day))
    return db.session.execute(
        sa.select(ManagementArea.id, ManagementArea.name, ManagementArea.community_id,
                  Community.name.label("community"), mode_on(day).label("mode"),
                  sa.case((owners, True), else_=False).label("owners_committee"),
                  sa.case((in_lieu, True), else_=False).label("pm_committee"))
        .join(Community, ManagementArea.community_id == Community.id)
        .where(area_condition(user, community))
        .order_by(Community.id, ManagementArea.name, ManagementArea.id)).all()


# Rows are unpacked rather than read by name below: ten thousand areas, read three times.

def committee_coverage(states: list[sa.Row]) -> dict[int, dict]:
    result: dict[int, dict] = {}
    for _, _, community_id, _, _, owners, in_lieu in states:
        counts = result.setdefault(community_id,
                                   {"areas": 0, "owners_committee": 0, "pm_committee": 0})
        counts["areas"] += 1
        counts["owners_committee"] += bool(owners)
        counts["pm_committee"] += bool(in_lieu)
    return result


def service_coverage(states: list[sa.Row]) -> dict[int, dict]:
    result: dict[int, dict] = {}
    for _, _, community_id, _, mode, _, _ in states:
        result.setdefault(community_id, {code: 0 for code in SERVICE_MODES})[mode] += 1
    return result


def hazard_figures(user, day: date, community=None) -> dict[int, dict]:
    counts = tallies.by_community(tallies.HAZARDS, _tally_scope(user, community), day)
    return {cid: {"open": c["found"] - c["disposed"], "clutter_found": c["clutter_found"],
                  "clutter_cleared": c["clutter_cleared"]} for cid, c in counts.items()}


def arrear_figures(user, day: date, community=None) -> dict[int, dict]:
    owed_rows = db.session.execute(_by_community(
        _scoped(FeeArrear, user, community)
        .add_columns(sa.func.sum(FeeArrear.amount_owed))
        .where(FeeArrear.period_start <= day).group_by(FeeArrear.area_id)))
    collected_rows = db.session.execute(_by_community(
        _scoped(FeeArrear, user, community)
        .join(CollectionAction, CollectionAction.arrear_id == FeeArrear.id)
        .add_columns(sa.func.sum(CollectionAction.amount_paid))
        .where(FeeArrear.period_start <= day, CollectionAction.acted_on <= day)
        .group_by(FeeArrear.area_id)))
    result = {cid: {"owed": money(owed), "collected": money(0)} for cid, owed in owed_rows}
    for cid, collected in collected_rows:
        result.setdefault(cid, {"owed": money(0), "collected": money(0)})["collected"] = \
            money(collected)
    return result


def case_figures(user, day: date, community=None) -> dict[int, dict]:
    scope = _tally_scope(user, community)
    counts = tallies.by_community(tallies.CASES, scope, day)
    escalations = tallies.by_community(tallies.ESCALATIONS, scope, day)
    result = {}
    for cid in counts.keys() | escalations.keys():
        c = counts.get(cid, tallies.Sums())
        result[cid] = {"closed": c["closed"], "on_time": c["closed_on_time"],
                       "days_total": Decimal(c["closed_seconds"]) / SECONDS_A_DAY,
                       "open": c["received"] - c["closed"],
                       "escalations": escalations.get(cid, tallies.Sums())["escalated"]}
    return result


def satisfaction_figures(user, day: date, community=None) -> dict[int, dict]:
    since = day - timedelta(days=SATISFACTION_WINDOW_DAYS)
    rows = db.session.execute(_by_community(
        _scoped(SatisfactionSurvey, user, community)
        .add_columns(sa.func.sum(SatisfactionSurvey.respondents),
                     sa.func.sum(SatisfactionSurvey.very_satisfied
                                 + SatisfactionSurvey.satisfied),
                     sa.func.count())
        .where(SatisfactionSurvey.surveyed_on <= day, SatisfactionSurvey.surveyed_on > since)
        .group_by(SatisfactionSurvey.area_id)))
    return {cid: {"respondents": int(r or 0), "satisfied": int(s or 0), "surveys": int(n)}
            for cid, r, s, n in rows}


def escalations_by_department(user, day: date, community=None, since: date | None = None):
    """Escalations up to `day` (from `since` when given) per department: sent, replied, on time."""
    end = end_of(day)
    replied = sa.and_(Escalation.replied_at.is_not(None), Escalation.replied_at < end)
    on_time = sa.and_(replied, Escalation.replied_at <= Escalation.reply_due)
    query = (sa.select(Department.name, sa.func.count(),
                       sa.func.sum(sa.case((replied, 1), else_=0)),
                       sa.func.sum(sa.case((on_time, 1), else_=0)))
             .select_from(Escalation)
             .join(Department, Escalation.department_id == Department.id)
             .where(visible_to(Escalation, user), Escalation.escalated_at < end)
             .group_by(Department.id, Department.name).order_by(Department.name))
    areas = _area_ids(user, community)
    if areas is not None:
        query = query.join(Case, Escalation.case_id == Case.id).where(Case.area_id.in_(areas))
    if since is not None:
        query = query.where(Escalation.escalated_at >= start_of(since))
    return [{"department": name, "escalations": count, "replied": int(r or 0),
             "replied_on_time": int(t or 0), "on_time_percent": percent(t or 0, r or 0)}
            for name, count, r, t in db.session.execute(query)]


def missing_areas(states: list[sa.Row], limit: int | None = None) -> dict[str, dict]:
    """The areas of `states` short of each coverage goal: how many, and which (the first
    `limit` of them, when a limit is given)."""
    short = {"committee": [], "service": [], "fallback": []}
    for area in states:
        _, _, _, _, mode, owners, in_lieu = area
        if not (owners or in_lieu):
            short["committee"].append(area)
        if mode not in COVERED_MODES:
            short["service"].append(area)
        if mode == "fallback":
            short["fallback"].append(area)
    return {kind: {"count": len(areas),
                   "areas": [{"id": area.id, "name": area.name, "community": area.community,
                              "mode": SERVICE_MODES.label(area.mode)} for area in areas[:limit]]}
            for kind, areas in short.items()}


# -- assembled ----------------------------------------------------------------------------

def _derive(raw: dict) -> dict:
    """Shares and goals from the raw counts of one community (or of the total)."""
    committee, service = raw["committee"], raw["service"]
    hazards, arrears, cases, survey = raw["hazards"], raw["arrears"], raw["cases"], raw["survey"]
    areas = committee["areas"]
    covered_committee = committee["owners_committee"] + committee["pm_committee"]
    covered_service = sum(service.get(m, 0) for m in COVERED_MODES)
    return {
        "areas": areas,
        "committee": {"value": covered_committee, "total": areas,
                      "owners_committee": committee["owners_committee"],
                      "pm_committee": committee["pm_committee"],
                      "percent": percent(covered_committee, areas),
                      "goal": GOALS["committee"]},
        "service": {"value": covered_service, "total": areas,
                    **{m: service.get(m, 0) for m in SERVICE_MODES},
                    "percent": percent(covered_service, areas), "goal": GOALS["service"]},
        "fallback": {"value": service.get("fallback", 0), "total": areas, "goal": 0},
        "hazards": {"open": hazards["open"], "goal_open": 0,
                    "clutter_found": hazards["clutter_found"],
                    "clutter_cleared": hazards["clutter_cleared"],
                    "percent": percent(hazards["clutter_cleared"], hazards["clutter_found"]),
                    "goal": GOALS["clutter"]},
        "arrears": {"owed": arrears["owed"], "collected": arrears["collected"],
                    "percent": percent(arrears["collected"], arrears["owed"]),
                    "goal": GOALS["arrears"]},
        "cases": {"closed": cases["closed"], "on_time": cases["on_time"],
                  "open": cases["open"], "escalations": cases["escalations"],
                  "percent": percent(cases["on_time"], cases["closed"]),
                  "average_days": (Decimal(cases["days_total"]) / cases["closed"]).quantize(
                      Decimal("0.1"), ROUND_HALF_UP) if cases["closed"] else None,
                  "goal": GOALS["on_time"]},
        "satisfaction": {"respondents": survey["respondents"], "satisfied": survey["satisfied"],
                         "surveys": survey["surveys"],
                         "percent": percent(survey["satisfied"], survey["respondents"]),
                         "goal": GOALS["satisfaction"]},
    }


EMPTY = {
    "committee": {"areas": 0, "owners_committee": 0, "pm_committee": 0},
    "service": {},
    "hazards": {"open": 0, "clutter_found": 0, "clutter_cleared": 0},
    "arrears": {"owed": money(0), "collected": money(0)},
    "cases": {"closed": 0, "on_time": 0, "days_total": Decimal(0), "open": 0, "escalations": 0},
    "survey": {"respondents": 0, "satisfied": 0, "surveys": 0},
}


def _raw_by_community(user, day, community, states) -> dict[int, dict]:
    sources = {
        "committee": committee_coverage(states),
        "service": service_coverage(states),
        "hazards": hazard_figures(user, day, community),
        "arrears": arrear_figures(user, day, community),
        "cases": case_figures(user, day, community),
        "survey": satisfaction_figures(user, day, community),
    }
    ids = set().union(*sources.values())
    return {cid: {key: values.get(cid, EMPTY[key]) for key, values in sources.items()}
            for cid in ids}


def _add(total: dict, raw: dict) -> dict:
    """The sum of two raw count sets (sums of counts and amounts, never of shares)."""
    merged = {}
    for key in EMPTY:
        left, right = total[key], raw[key]
        merged[key] = {k: left.get(k, 0) + right.get(k, 0) for k in set(left) | set(right)}
    return merged


@dataclass(frozen=True)
class Targets:
    """The figures of one scope on one day: per community, the total, and the details."""

    day: date
    scope: str
    communities: list[dict]
    total: dict
    departments: list[dict]
    missing: dict[str, dict]
    trend: list[dict]

    def as_json(self) -> dict:
        return _jsonable({"date": self.day, "scope": self.scope,
                          "communities": self.communities, "total": self.total,
                          "escalations_by_department": self.departments,
                          "missing": self.missing, "trend": self.trend})


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def scope_total(user, day: date, community=None,
                states: list[sa.Row] | None = None) -> tuple[list[dict], dict]:
    """Per-community figures and their total for one day (`states`: its `area_states`)."""
    if states is None:
        states = area_states(user, day, community)
    raw = _raw_by_community(user, day, community, states)
    rows, total = [], EMPTY
    for row in scope_communities(user, community):
        counts = raw.get(row.id, EMPTY)
        total = _add(total, counts)
        rows.append({"id": row.id, "name": row.name, "figures": _derive(counts)})
    return rows, _derive(total)


# -- the trend: every month-end in one query per figure -----------------------------------
#
# Recomputing the figures above once per month-end read the whole history twelve times. Here
# each figure is one grouped query over all month-ends: history rows are grouped by the
# month-end from which on they count (`_bucket`), area states are read against a table of
# the month-ends, and Python adds up per month-end the rows the one-day queries would count.
# Only the totals the trend shows are counted (not average days, open cases, escalations).

def _bucket(column, bounds: list) -> sa.ColumnElement[int]:
    """The index of the first of the ascending `bounds` that `column` lies before; the number
    of bounds when it lies before none (or is NULL)."""
    return sa.case(*((column < bound, index) for index, bound in enumerate(bounds)),
                   else_=len(bounds))


def _day_after(days: list[date]) -> list[date]:
    """Bounds for date columns: `column < the day after` is `column <= day`."""
    return [day + timedelta(days=1) for day in days]


def _month_end_table(days: list[date]) -> sa.Subquery:
    """The days as rows (i, day), portable to SQLite and PostgreSQL."""
    return sa.union_all(*(sa.select(sa.literal(index).label("i"),
                                    sa.literal(day, sa.Date).label("day"))
                          for index, day in enumerate(days))).subquery("month_end")


def _committee_history(user, days, community) -> list[dict]:
    areas = db.session.scalar(sa.select(sa.func.count()).select_from(ManagementArea)
                              .where(area_condition(user, community)))
    # Every term that can cover an area: an area is covered on a day by any term running then,
    # in lieu when none of its running terms is an owners' committee's.
    terms = sa.union_all(
        sa.select(OwnersCommittee.area_id, OwnersCommittee.term_start.label("start"),
                  OwnersCommittee.term_end.label("stop"), sa.literal(1).label("owners"))
        .where(OwnersCommittee.status != UNCOUNTED_COMMITTEE_STATUS),
        sa.select(PropertyManagementCommittee.area_id, PropertyManagementCommittee.formed_on,
                  PropertyManagementCommittee.term_end, sa.literal(0))
        .where(sa.or_(PropertyManagementCommittee.term_end.is_not(None),
                      PropertyManagementCommittee.status == "active"))).subquery("term")
    # Each term as the month-ends it covers, [started, ended) by index; areas are counted once
    # a month-end however many terms cover them (the range join did it in SQL, 3× slower).
    started = _bucket(terms.c.start, _day_after(days))
    ended = _bucket(terms.c.stop, days)
    covered: dict[int, list] = {}
    owners: dict[int, list] = {}
    for area_id, is_owners, first, stop in db.session.execute(
            sa.select(terms.c.area_id, terms.c.owners, started, ended)
            .join(ManagementArea, terms.c.area_id == ManagementArea.id)
            .where(area_condition(user, community), started < ended)):
        covered.setdefault(area_id, []).append((first, stop))
        if is_owners:
            owners.setdefault(area_id, []).append((first, stop))
    covered_count, owners_count = _areas_covered(covered, days), _areas_covered(owners, days)
    return [{"areas": areas, "owners_committee": owned, "pm_committee": count - owned}
            for count, owned in zip(covered_count, owners_count, strict=True)]


def _areas_covered(spans: dict[int, list[tuple[int, int]]], days: list) -> list[int]:
    """How many areas have a span [first, stop) covering each index of `days`, counting an
    area once where its spans overlap."""
    change = [0] * (len(days) + 1)
    for area_spans in spans.values():
        reach = 0
        for first, stop in sorted(area_spans):
            first = max(first, reach)
            if first < stop:
                change[first] += 1
                change[stop] -= 1
                reach = stop
    return list(itertools.accumulate(change))[:len(days)]


def _service_history(user, days, community) -> list[dict]:
    # An area without a recorded change has its current mode on every day: counted once, not
    # once per month-end (reading `mode_on` for every area and month-end cost most of the
    # dashboard at city scale).
    changed = ManagementArea.id.in_(sa.select(ServiceModeChange.area_id))
    constant = {code: count for code, count in db.session.execute(
        sa.select(ManagementArea.service_mode, sa.func.count())
        .where(area_condition(user, community), sa.not_(changed))
        .group_by(ManagementArea.service_mode))}
    result = [dict(constant) for _ in days]
    month_end = _month_end_table(days)
    mode = mode_on(month_end.c.day).label("mode")
    for i, code, count in db.session.execute(
            sa.select(month_end.c.i, mode, sa.func.count())
            .select_from(month_end).join(ManagementArea, sa.true())
            .where(area_condition(user, community), changed).group_by(month_end.c.i, mode)):
        result[i][code] = result[i].get(code, 0) + count
    return result


def _hazard_history(user, days, community) -> list[dict]:
    return [{"open": c["found"] - c["disposed"], "clutter_found": c["clutter_found"],
             "clutter_cleared": c["clutter_cleared"]}
            for c in tallies.running(tallies.HAZARDS, _tally_scope(user, community), days)]


def _arrear_history(user, days, community) -> list[dict]:
    bounds = _day_after(days)
    period = _bucket(FeeArrear.period_start, bounds)
    acted = _bucket(CollectionAction.acted_on, bounds)
    owed = db.session.execute(
        _scoped(FeeArrear, user, community)
        .with_only_columns(period, sa.func.sum(FeeArrear.amount_owed)).group_by(period)).all()
    collected = db.session.execute(
        _scoped(FeeArrear, user, community)
        .join(CollectionAction, CollectionAction.arrear_id == FeeArrear.id)
        .with_only_columns(period, acted, sa.func.sum(CollectionAction.amount_paid))
        .group_by(period, acted)).all()
    return [{"owed": sum((money(a) for p, a in owed if p <= i), money(0)),
             "collected": sum((money(a) for p, c, a in collected if p <= i and c <= i),
                              money(0))}
            for i in range(len(days))]


def _case_history(user, days, community) -> list[dict]:
    return [{**EMPTY["cases"], "closed": c["closed"], "on_time": c["closed_on_time"]}
            for c in tallies.running(tallies.CASES, _tally_scope(user, community), days)]


def _satisfaction_history(user, days, community) -> list[dict]:
    # A survey counts from its day until the window has passed it.
    surveyed = _bucket(SatisfactionSurvey.surveyed_on, _day_after(days))
    passed = _bucket(SatisfactionSurvey.surveyed_on, _day_after(
        [day - timedelta(days=SATISFACTION_WINDOW_DAYS) for day in days]))
    rows = db.session.execute(
        _scoped(SatisfactionSurvey, user, community)
        .with_only_columns(surveyed, passed, sa.func.sum(SatisfactionSurvey.respondents),
                           sa.func.sum(SatisfactionSurvey.very_satisfied
                                       + SatisfactionSurvey.satisfied),
                           sa.func.count())
        .group_by(surveyed, passed)).all()
    return [{"respondents": sum(int(r) for s, p, r, _, _ in rows if s <= i < p),
             "satisfied": sum(int(v) for s, p, _, v, _ in rows if s <= i < p),
             "surveys": sum(n for s, p, _, _, n in rows if s <= i < p)}
            for i in range(len(days))]


def history(user, days: list[date], community=None) -> list[dict]:
    """The scope's total on each of the ascending `days`, equal to `scope_total` of that day
    in every figure the trend shows (of the cases: closed and on time only)."""
    sources = {
        "committee": _committee_history(user, days, community),
        "service": _service_history(user, days, community),
        "hazards": _hazard_history(user, days, community),
        "arrears": _arrear_history(user, days, community),
        "cases": _case_history(user, days, community),
        "survey": _satisfaction_history(user, days, community),
    }
    return [_derive({key: values[i] for key, values in sources.items()})
            for i in range(len(days))]


TREND_KEYS = ("committee", "service", "hazards", "arrears", "cases", "satisfaction")


def trend(user, day: date, community=None, months: int = TREND_MONTHS) -> list[dict]:
    """The total's shares at the end of each of the last `months` months."""
    days = month_ends(day, months)
    return [{"month": f"{end.year}-{end.month:02d}", "date": end,
             **{key: total[key]["percent"] for key in TREND_KEYS},
             "fallback": total["fallback"]["value"], "open_hazards": total["hazards"]["open"]}
            for end, total in zip(days, history(user, days, community))]


def targets(user, day: date, community: Community | None = None, with_trend: bool = True,
            missing_limit: int | None = None) -> Targets:
    """Everything the dashboard, the CLI and the monthly report show, for one scope and day;
    of the areas short of a goal, the first `missing_limit` of each kind when given."""
    states = area_states(user, day, community)
    rows, total = scope_total(user, day, community, states)
    return Targets(day=day, scope=scope_name(user, community), communities=rows, total=total,
                   departments=escalations_by_department(user, day, community),
                   missing=missing_areas(states, missing_limit),
                   trend=trend(user, day, community) if with_trend else [])


# -- one month's flows, for the monthly report ----------------------------------------------

def cases_by_type(user, first: date, last: date, community=None) -> list[dict]:
    """Cases received in the month per type, and those closed in it, with the on-time rate."""
    from .cases import CASE_TYPES

    start, end = start_of(first), end_of(last)
    received = sa.and_(Case.received_at >= start, Case.received_at < end)
    closed = sa.and_(Case.closed_at >= start, Case.closed_at < end)
    on_time = sa.and_(closed, sa.or_(Case.deadline.is_(None), Case.closed_at <= Case.deadline))
    rows = db.session.execute(
        _scoped(Case, user, community)
        .with_only_columns(Case.case_type,
                           sa.func.sum(sa.case((received, 1), else_=0)),
                           sa.func.sum(sa.case((closed, 1), else_=0)),
                           sa.func.sum(sa.case((on_time, 1), else_=0)))
        .group_by(Case.case_type))
    counts = {code: (int(r or 0), int(c or 0), int(t or 0)) for code, r, c, t in rows}
    return [{"type": label, "received": counts.get(code, (0, 0, 0))[0],
             "closed": counts.get(code, (0, 0, 0))[1], "on_time": counts.get(code, (0, 0, 0))[2],
             "percent": percent(counts.get(code, (0, 0, 0))[2], counts.get(code, (0, 0, 0))[1])}
            for code, label in CASE_TYPES.items()]


def hazards_in_month(user, first: date, last: date, community=None) -> list[dict]:
    """Hazards found and disposed of in the month, per category (corridor clutter: cleared)."""
    from .cases import HAZARD_CATEGORIES

    start, end = start_of(first), end_of(last)
    found = sa.and_(Hazard.found_at >= start, Hazard.found_at < end)
    disposed = sa.and_(Hazard.disposed_at >= start, Hazard.disposed_at < end)
    cleared = sa.and_(disposed, Hazard.clearance_status == "cleared")
    rows = db.session.execute(
        _scoped(Hazard, user, community)
        .with_only_columns(Hazard.category,
                           sa.func.sum(sa.case((found, 1), else_=0)),
                           sa.func.sum(sa.case((disposed, 1), else_=0)),
                           sa.func.sum(sa.case((cleared, 1), else_=0)))
        .group_by(Hazard.category))
    counts = {code: (int(f or 0), int(d or 0), int(c or 0)) for code, f, d, c in rows}
    return [{"category": label, "found": counts.get(code, (0, 0, 0))[0],
             "disposed": counts.get(code, (0, 0, 0))[1],
             "cleared": counts.get(code, (0, 0, 0))[2] if code == "corridor_clutter" else None}
            for code, label in HAZARD_CATEGORIES.items()]


def collected_in_month(user, first: date, last: date, community=None) -> dict[int, Decimal]:
    """Arrears collected in the month per community: the collection actions dated in it."""
    rows = db.session.execute(_by_community(
        _scoped(FeeArrear, user, community)
        .join(CollectionAction, CollectionAction.arrear_id == FeeArrear.id)
        .add_columns(sa.func.sum(CollectionAction.amount_paid))
        .where(CollectionAction.acted_on >= first, CollectionAction.acted_on <= last)
        .group_by(FeeArrear.area_id)))
    return {cid: money(amount) for cid, amount in rows}


def satisfaction_by_period(user, day: date, community=None) -> list[dict]:
    """Satisfaction per survey period, for the surveys carried out by `day`."""
    rows = db.session.execute(
        _scoped(SatisfactionSurvey, user, community)
        .with_only_columns(SatisfactionSurvey.period_start, SatisfactionSurvey.period_end,
                           sa.func.count(), sa.func.sum(SatisfactionSurvey.respondents),
                           sa.func.sum(SatisfactionSurvey.very_satisfied
                                       + SatisfactionSurvey.satisfied))
        .where(SatisfactionSurvey.surveyed_on <= day)
        .group_by(SatisfactionSurvey.period_start, SatisfactionSurvey.period_end)
        .order_by(SatisfactionSurvey.period_start, SatisfactionSurvey.period_end))
    return [{"period_start": start, "period_end": end, "surveys": n,
             "respondents": int(r or 0), "satisfied": int(s or 0),
             "percent": percent(s or 0, r or 0)} for start, end, n, r, s in rows]
