"""The monthly tallies stay equal to the rows they count, through every kind of write."""
from __future__ import annotations

import random
import re
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from models import db
from models.cases import Case
from models.base import end_of
from models.scoping import visible_to
from models.tallies import (CASES, ESCALATIONS, HAZARDS, TALLIES, Scope, by_community, counted,
                            epoch_seconds, python_epoch_seconds, rebuild, row_count, running)

from .factories_cases import make_case, make_escalation, make_hazard


def kept(tally) -> set[tuple]:
    """The tally's rows that count anything."""
    table = tally.table.__table__
    return {tuple(row) for row in db.session.execute(
        sa.select(table.c.community_id, table.c.month,
                  *(table.c[count.column] for count in tally.counts)))
        if any(row[2:])}


def recounted(tally) -> set[tuple]:
    return {(row[0], row[1], *(int(value) for value in row[2:]))
            for row in db.session.execute(counted(tally))}


def assert_kept():
    db.session.flush()
    for tally in TALLIES:
        assert kept(tally) == recounted(tally), tally.table.__tablename__


def _moment(rnd: random.Random) -> datetime:
    # Over three months, with microseconds, so that months and seconds both move.
    return datetime(2026, 8, 1) + timedelta(seconds=rnd.randrange(90 * 86400),
                                            microseconds=rnd.randrange(10**6))


def test_tallies_equal_a_recount_after_random_writes(world):
    rnd = random.Random(8)
    areas = [world.area_a1, world.area_a2, world.area_b1]
    cases, hazards = [], []
    for _ in range(12):
        received = _moment(rnd)
        closed = received + timedelta(days=rnd.randrange(20), seconds=rnd.randrange(86400))
        cases.append(make_case(world, rnd.choice(areas), received_at=received,
                               deadline=received + timedelta(days=10), state="closed",
                               closed_at=closed))
        found = _moment(rnd)
        hazards.append(make_hazard(world, rnd.choice(areas), found_at=found))
    for case in cases[:6]:
        make_escalation(world, case.area, case=case, escalated_at=case.received_at
                        + timedelta(days=1))
    assert_kept()
    assert kept(CASES) and kept(HAZARDS) and kept(ESCALATIONS)
    for step in range(40):
        case, hazard = rnd.choice(cases), rnd.choice(hazards)
        choice = step % 6
        if choice == 0:  # reopened, or closed again at another time
            if case.closed_at is None:
                case.state, case.closed_at = "closed", case.received_at + timedelta(days=3)
            else:
                case.state, case.closed_at = "in_progress", None
        elif choice == 1:  # the deadline moves across the closing time
            case.deadline = case.received_at + timedelta(days=rnd.randrange(1, 25))
        elif choice == 2:  # recorded against another area (its escalations follow), received
            case.area = rnd.choice(areas)  # in another month
            case.received_at -= timedelta(days=rnd.randrange(40))
        elif choice == 3:  # disposed of, cleared
            hazard.status, hazard.contacted_at = "disposed", hazard.found_at
            hazard.disposed_at = hazard.found_at + timedelta(days=rnd.randrange(40))
            if hazard.category == "corridor_clutter":
                hazard.clearance_status = rnd.choice(("cleared", "clearing"))
        elif choice == 4:  # re-classified: clutter no more, or again
            if hazard.category == "corridor_clutter":
                hazard.category, hazard.clearance_status = "electrical", None
            else:
                hazard.category, hazard.clearance_status = "corridor_clutter", "not_cleared"
        else:  # committed, then changed on expired instances, as the next request would
            db.session.commit()
            case.closed_at = None
            case.state = "in_progress"
            hazard.area = rnd.choice(areas)
        assert_kept()
    db.session.delete(cases[0].escalations[0])
    db.session.delete(cases[7])
    db.session.delete(hazards[0])
    db.session.commit()
    db.session.delete(cases[8])  # expired by the commit
    assert_kept()


def test_an_area_moved_to_another_community_takes_its_counts_along(world):
    case = make_case(world, world.area_a1, received_at=datetime(2026, 9, 3), state="closed",
                     closed_at=datetime(2026, 10, 2), deadline=datetime(2026, 9, 20))
    make_escalation(world, world.area_a1, case=case, escalated_at=datetime(2026, 9, 4))
    make_hazard(world, world.area_a1, found_at=datetime(2026, 9, 5))
    db.session.commit()
    for tally in TALLIES:
        assert {row[0] for row in kept(tally)} == {world.community_a1.id}
    world.area_a1.community_id = world.community_a2.id
    assert_kept()
    for tally in TALLIES:
        assert {row[0] for row in kept(tally)} == {world.community_a2.id}


@pytest.mark.parametrize("through", ["function", "command"])
def test_rebuild_counts_rows_written_around_the_orm(world, app, through):
    runner = app.test_cli_runner() if through == "command" else None
    make_case(world, world.area_a1, received_at=datetime(2026, 9, 3))
    db.session.commit()
    # A bulk write the ORM does not see, as the benchmark's loader makes.
    db.session.execute(sa.update(Case.__table__).values(
        state="closed", closed_at=datetime(2026, 9, 30, 12), deadline=None))
    assert kept(CASES) != recounted(CASES)
    db.session.commit()
    if runner is None:
        rebuild(db.session.connection())
    else:
        result = runner.invoke(args=["stats", "rebuild-tallies"])
        assert result.exit_code == 0 and "重新统计" in result.output, result.output
        db.session.expire_all()
    assert_kept()
    month = datetime(2026, 9, 1).date()
    # received, closed, on time (no deadline), seconds from 09-03 00:00 to 09-30 12:00
    assert kept(CASES) == {(world.community_a1.id, month, 1, 1, 1, (27 * 24 + 12) * 3600)}


def test_epoch_seconds_in_sql_equal_python_on_each_database(world):
    moments = [datetime(2026, 3, 1, 0, 0, 0, 999_999), datetime(2024, 2, 29, 23, 59, 59, 500_000),
               datetime(2026, 11, 28, 9, 0)]
    for moment in moments:
        make_case(world, world.area_a1, received_at=moment)
    db.session.flush()
    got = db.session.execute(sa.select(Case.received_at, epoch_seconds(Case.received_at))).all()
    assert {(moment, python_epoch_seconds(moment)) for moment in moments} == set(got)


def test_figures_of_every_day_of_a_month_equal_a_direct_count(world):
    """Days early in a month add the month's start live, later days take the month off its
    end: both give what counting the cases directly gives, from the tally and without it."""
    rnd = random.Random(3)
    cases = []
    for _ in range(30):
        received = datetime(2026, 8, 20) + timedelta(hours=rnd.randrange(40 * 24))
        closed = received + timedelta(hours=rnd.randrange(20 * 24)) if rnd.random() < .7 else None
        cases.append(make_case(world, world.area_a1, received_at=received, closed_at=closed,
                               state="closed" if closed else "received"))
    db.session.commit()
    days = [date(2026, 8, 31)] + [date(2026, 9, d) for d in range(1, 31)] + [date(2026, 10, 31)]
    for persona in ("admin", "firm_a"):  # from the tally, and counted live
        scope = Scope(world.user(persona))
        for day, sums in zip(days, running(CASES, scope, days), strict=True):
            end = end_of(day)
            want = {"received": sum(c.received_at < end for c in cases),
                    "closed": sum(c.closed_at is not None and c.closed_at < end for c in cases)}
            got = by_community(CASES, scope, day)[world.community_a1.id]
            assert {k: got[k] for k in want} == want, (persona, day)
            if day.month != 9 or day.day == 30:  # running() takes month ends and a last day
                assert sums == got


def test_the_home_page_counts_tallied_rows_as_their_lists_do(world, as_user):
    for area in (world.area_a1, world.area_a2, world.area_b1):
        make_escalation(world, area)
        make_hazard(world, area)
    db.session.commit()
    for persona in ("admin", "street_a", "community_a2", "firm_a"):
        user = world.user(persona)
        for tally in TALLIES:
            visible = db.session.scalar(sa.select(sa.func.count()).select_from(tally.source)
                                        .where(visible_to(tally.source, user)))
            tallied = row_count(tally.source, user)
            assert (tallied is None) == (persona == "firm_a")
            if tallied is not None:
                assert db.session.scalar(sa.select(tallied)) == visible, (persona, tally)
    html = as_user(world.user("street_a")).get("/").get_data(as_text=True)
    assert re.search(r'href="/case/"[^>]*>\s*<div[^>]*>[^<]+</div>\s*'
                     r'<div class="display-count">2</div>', html)
