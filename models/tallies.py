"""Monthly tallies per community of cases, escalations and hazards: a city's figures, read fast.

A tally row holds, for one community and calendar month, what happened in that month: cases
received, cases closed (on time, and their handling seconds), escalations sent, hazards found
and disposed of. Figures as of a day take the tally's whole months and count live only the part
of the day's month on the nearer side of it, so the city-wide dashboard reads a few thousand
tally rows instead of a million cases (1.4 s of statements before, at 1M cases).

The ORM keeps the tallies: every insert, update and delete of a case, escalation or hazard, and
every move of a case or an area to another community, reads the row as stored before and after,
and adds the difference to the tally rows it touches with one atomic upsert each, so concurrent
clerks never lose a count. Writes around the ORM (the benchmark's bulk load) call `rebuild`.
"""
from __future__ import annotations

import functools
from collections import Counter as Sums
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import FunctionElement

from .base import db, end_of, start_of, upsert
from .cases import Case, Escalation, Hazard
from .places import Community, ManagementArea
from .scoping import ByFunction, covers_whole_communities, visible_to

EPOCH = datetime(1970, 1, 1)


class month_start(FunctionElement):
    """The first day of a date-time's month."""

    type = sa.Date()
    inherit_cache = True


@compiles(month_start)
def _month_start_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


@compiles(month_start, "postgresql")
def _month_start_postgresql(element, compiler, **kw):
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


class epoch_seconds(FunctionElement):
    """A date-time as whole seconds since 1970 (fractions dropped), exact on both databases."""

    type = sa.BigInteger()
    inherit_cache = True


@compiles(epoch_seconds)
def _epoch_seconds_sqlite(element, compiler, **kw):
    # Cut to YYYY-MM-DD HH:MM:SS first: SQLite rounds fractions to milliseconds, so .9999995
    # would count as the next second.
    column = compiler.process(element.clauses, **kw)
    return f"CAST(strftime('%s', substr({column}, 1, 19)) AS INTEGER)"


@compiles(epoch_seconds, "postgresql")
def _epoch_seconds_postgresql(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return f"CAST(EXTRACT(EPOCH FROM date_trunc('second', {column})) AS BIGINT)"


def python_epoch_seconds(moment: datetime) -> int:
    """What `epoch_seconds` computes in SQL."""
    return int((moment.replace(microsecond=0) - EPOCH).total_seconds())


class MonthlyTally:
    """A tally row's key: one community, one calendar month (its first day). Listed by no
    screen: internal bookkeeping."""

    __scope__ = ByFunction(lambda model, user: sa.false())

    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("community.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)


class CaseTally(MonthlyTally, db.Model):
    """Cases of one community per month: received in it, and closed in it."""

    __tablename__ = "case_tally"

    received: Mapped[int] = mapped_column(default=0)
    closed: Mapped[int] = mapped_column(default=0)
    closed_on_time: Mapped[int] = mapped_column(default=0)
    closed_seconds: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class EscalationTally(MonthlyTally, db.Model):
    """Escalations of one community's cases per month: sent to a department in it."""

    __tablename__ = "escalation_tally"

    escalated: Mapped[int] = mapped_column(default=0)


class HazardTally(MonthlyTally, db.Model):
    """Hazards of one community per month: found in it, and disposed of in it."""

    __tablename__ = "hazard_tally"

    found: Mapped[int] = mapped_column(default=0)
    clutter_found: Mapped[int] = mapped_column(default=0)
    disposed: Mapped[int] = mapped_column(default=0)
    clutter_cleared: Mapped[int] = mapped_column(default=0)


# -- what each tally counts ------------------------------------------------------------------

@dataclass(frozen=True)
class Count:
    """One column of a tally: what a source row adds to it, in SQL and in Python alike."""

    column: str
    sql: Callable[[type], sa.ColumnElement]
    python: Callable[[dict], int]


@dataclass(frozen=True)
class Event:
    """A dated column of the source rows and what a row adds to the month of that date."""

    at: str
    counts: tuple[Count, ...]


def _own_area(model) -> sa.ColumnElement[int]:
    return model.area_id


@dataclass(frozen=True)
class Tally:
    """A tally table, the rows it counts, their events, and the other columns the counts read.

    `every_row` is a count each source row adds once; `area` gives a source row's area in
    SQL, from the column `area_column`."""

    table: type
    source: type
    events: tuple[Event, ...]
    every_row: str
    reads: tuple[str, ...] = ()
    area: Callable[[type], sa.ColumnElement[int]] = _own_area
    area_column: str = "area_id"

    @functools.cached_property
    def counts(self) -> tuple[Count, ...]:
        return tuple(count for event in self.events for count in event.counts)

    @functools.cached_property
    def watched(self) -> tuple[str, ...]:
        return (self.area_column, *(event.at for event in self.events), *self.reads)


ONE = (lambda model: sa.literal(1), lambda row: 1)


def _flag(condition: Callable[[type], sa.ColumnElement], test: Callable[[dict], bool]):
    return (lambda model: sa.case((condition(model), 1), else_=0), lambda row: int(test(row)))


def _clutter(model):
    return model.category == "corridor_clutter"


def _cleared(model):
    return sa.and_(model.category == "corridor_clutter", model.clearance_status == "cleared")


CASES = Tally(CaseTally, Case, (
    Event("received_at", (Count("received", *ONE),)),
    Event("closed_at", (
        Count("closed", *ONE),
        Count("closed_on_time", *_flag(
            lambda model: sa.or_(model.deadline.is_(None), model.closed_at <= model.deadline),
            lambda row: row["deadline"] is None or row["closed_at"] <= row["deadline"])),
        Count("closed_seconds",
              lambda model: epoch_seconds(model.closed_at) - epoch_seconds(model.received_at),
              lambda row: python_epoch_seconds(row["closed_at"])
              - python_epoch_seconds(row["received_at"])),
    )),
), every_row="received", reads=("deadline",))

HAZARDS = Tally(HazardTally, Hazard, (
    Event("found_at", (
        Count("found", *ONE),
        Count("clutter_found", *_flag(_clutter, lambda row: row["category"] == "corridor_clutter")),
    )),
    Event("disposed_at", (
        Count("disposed", *ONE),
        Count("clutter_cleared", *_flag(
            _cleared, lambda row: row["category"] == "corridor_clutter"
            and row["clearance_status"] == "cleared")),
    )),
), every_row="found", reads=("category", "clearance_status"))

ESCALATIONS = Tally(EscalationTally, Escalation, (
    Event("escalated_at", (Count("escalated", *ONE),)),
), every_row="escalated",
    area=lambda model: sa.select(Case.area_id).where(Case.id == model.case_id).scalar_subquery(),
    area_column="case_id")

TALLIES = (CASES, HAZARDS, ESCALATIONS)
BY_SOURCE = {tally.source: tally for tally in TALLIES}
# Rows whose area is their case's: when a case moves, they move with it.
CARRIED_BY_CASE = ((ESCALATIONS, lambda case_id: Escalation.case_id == case_id),)


# -- counting live ---------------------------------------------------------------------------

def _events(tally: Tally, condition, start: datetime | None, end: datetime | None):
    """Every event of the rows meeting `condition` dated in [start, end): area, month, counts."""
    model = tally.source
    parts = []
    for event in tally.events:
        at = getattr(model, event.at)
        bounds = [at.is_not(None)]
        if start is not None:
            bounds.append(at >= start)
        if end is not None:
            bounds.append(at < end)
        parts.append(
            sa.select(tally.area(model).label("area_id"), month_start(at).label("month"),
                      *((count.sql(model) if count in event.counts else sa.literal(0))
                        .label(count.column) for count in tally.counts))
            .where(condition, *bounds))
    return sa.union_all(*parts).subquery("tally_event")


def _summed(tally: Tally, rows, *group) -> sa.Select:
    return sa.select(*group, *(sa.func.sum(getattr(rows.c, count.column)).label(count.column)
                               for count in tally.counts)).group_by(*group)


def counted(tally: Tally, condition=sa.true(), start=None, end=None) -> sa.Select:
    """The tally computed from the source rows: (community_id, month, counts...) per month."""
    rows = _events(tally, condition, start, end)
    return (_summed(tally, rows, ManagementArea.community_id, rows.c.month)
            .join_from(rows, ManagementArea, ManagementArea.id == rows.c.area_id))


def rebuild(connection: sa.Connection) -> None:
    """Every tally counted afresh from its source rows."""
    for tally in TALLIES:
        table = tally.table.__table__
        connection.execute(table.delete())
        connection.execute(table.insert().from_select(
            ["community_id", "month", *(count.column for count in tally.counts)],
            counted(tally)))


# -- reading -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    """Whose rows a figure counts: a user's, narrowed to one community when one is given."""

    user: object
    community_id: int | None = None

    def source_condition(self, tally: Tally) -> sa.ColumnElement[bool]:
        condition = visible_to(tally.source, self.user)
        if self.community_id is not None:
            condition = sa.and_(condition, tally.area(tally.source).in_(
                sa.select(ManagementArea.id)
                .where(ManagementArea.community_id == self.community_id)))
        return condition

    def tally_condition(self, table) -> sa.ColumnElement[bool]:
        condition = table.community_id.in_(
            sa.select(Community.id).where(visible_to(Community, self.user)))
        if self.community_id is not None:
            condition = sa.and_(condition, table.community_id == self.community_id)
        return condition


def _months_before(tally: Tally, scope: Scope, bound: date) -> sa.Select:
    """(community_id, month, counts...) for the months before `bound`: from the tally where
    the scope is made of whole communities, else counted from the source rows."""
    if covers_whole_communities(scope.user):
        table = tally.table
        return (sa.select(table.community_id, table.month,
                          *(getattr(table, count.column) for count in tally.counts))
                .where(scope.tally_condition(table), table.month < bound))
    return counted(tally, scope.source_condition(tally), end=start_of(bound))


@dataclass(frozen=True)
class _Split:
    """How a day's figures are read: whole months before `bound`, then `sign` times the
    events counted live from `start` to `stop`; the live part is the shorter side of the
    day's month, so today's figures count only what is dated after today (nothing, mostly)."""

    bound: date
    start: datetime
    stop: datetime
    sign: int


def _split(day: date) -> _Split:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    if end_of(day) - start_of(first) <= start_of(following) - end_of(day):
        return _Split(first, start_of(first), end_of(day), 1)
    return _Split(following, end_of(day), start_of(following), -1)


def _counted_live(tally: Tally, scope: Scope, split: _Split) -> sa.Select:
    """(community_id, counts...) of the events from `split.start` to `split.stop`."""
    rows = _events(tally, scope.source_condition(tally), split.start, split.stop)
    return (_summed(tally, rows, ManagementArea.community_id)
            .join_from(rows, ManagementArea, ManagementArea.id == rows.c.area_id))


def by_community(tally: Tally, scope: Scope, day: date) -> dict[int, Sums]:
    """The counts of everything dated on or before `day`, per community id."""
    split = _split(day)
    months = _months_before(tally, scope, split.bound).subquery()
    result: dict[int, Sums] = {}
    for community_id, *values in db.session.execute(_summed(tally, months, months.c.community_id)):
        _add(result.setdefault(community_id, Sums()), tally, values)
    for community_id, *values in db.session.execute(_counted_live(tally, scope, split)):
        _add(result.setdefault(community_id, Sums()), tally, values, split.sign)
    return result


def running(tally: Tally, scope: Scope, days: list[date]) -> list[Sums]:
    """The scope's counts of everything dated on or before each of the ascending `days`, all
    but the last of which end their months (the dashboard's trend)."""
    split = _split(days[-1])
    per_community = _months_before(tally, scope, split.bound).subquery()
    months = db.session.execute(_summed(tally, per_community, per_community.c.month)).all()
    live = Sums()
    for _, *values in db.session.execute(_counted_live(tally, scope, split)):
        _add(live, tally, values, split.sign)
    result = []
    for day in days:
        sums = Sums()
        for month, *values in months:
            if month <= day:
                _add(sums, tally, values)
        if day == days[-1]:
            sums.update(live)
        result.append(sums)
    return result


def row_count(model, user) -> sa.ScalarSelect | None:
    """How many rows of `model` the user may see, read from its tally; None where no tally
    serves the user's scope."""
    tally = BY_SOURCE.get(model)
    if tally is None or not covers_whole_communities(user):
        return None
    table = tally.table
    return (sa.select(sa.func.coalesce(sa.func.sum(getattr(table, tally.every_row)), 0))
            .where(Scope(user).tally_condition(table)).scalar_subquery())


def _add(sums: Sums, tally: Tally, values, sign: int = 1) -> None:
    for count, value in zip(tally.counts, values, strict=True):
        sums[count.column] += sign * int(value or 0)


# -- upkeep ------------------------------------------------------------------------------------

def _contribution(tally: Tally, row: dict, community_id: int) -> dict[tuple, Sums]:
    """What one source row adds to the tally: counts per (community, month)."""
    result: dict[tuple, Sums] = {}
    for event in tally.events:
        at = row[event.at]
        if at is None:
            continue
        sums = result.setdefault((community_id, at.date().replace(day=1)), Sums())
        for count in event.counts:
            sums[count.column] += count.python(row)
    return result


def _apply(connection, tally: Tally, before: dict[tuple, Sums], after: dict[tuple, Sums]):
    """Adds after - before to the tally rows, one atomic upsert per row that changes."""
    table = tally.table.__table__
    for key in before.keys() | after.keys():
        change = {count.column: after.get(key, Sums())[count.column]
                  - before.get(key, Sums())[count.column] for count in tally.counts}
        if not any(change.values()):
            continue
        community_id, month = key
        connection.execute(upsert(connection, table)
                           .values(community_id=community_id, month=month, **change)
                           .on_conflict_do_update(
                               index_elements=[table.c.community_id, table.c.month],
                               set_={name: table.c[name] + value
                                     for name, value in change.items()}))


def _as_stored(connection, tally: Tally, key) -> tuple[dict, int] | None:
    """A source row's watched columns and its area's community, as the database holds them.

    Read from the database, not the instance: an expired instance does not know its old
    values, and a relationship set on it reaches its foreign key only inside the flush."""
    model = tally.source
    row = connection.execute(
        sa.select(ManagementArea.community_id, *(getattr(model, name) for name in tally.watched))
        .join_from(model, ManagementArea, ManagementArea.id == tally.area(model))
        .where(model.id == key)).first()
    if row is None:
        return None
    return dict(zip(tally.watched, row[1:], strict=True)), row[0]


def _contribution_of(stored: tuple[dict, int] | None, tally: Tally) -> dict[tuple, Sums]:
    return _contribution(tally, *stored) if stored else {}


def _identity(target) -> int:
    return sa.inspect(target).identity[0]


def _keep(tally: Tally) -> None:
    source = tally.source

    @sa.event.listens_for(source, "after_insert")
    def _inserted(mapper, connection, target):
        _apply(connection, tally, {},
               _contribution_of(_as_stored(connection, tally, target.id), tally))

    @sa.event.listens_for(source, "before_update")
    def _updating(mapper, connection, target):
        sa.inspect(target).info[tally] = _as_stored(connection, tally, _identity(target))

    @sa.event.listens_for(source, "after_update")
    def _updated(mapper, connection, target):
        before = sa.inspect(target).info.pop(tally, None)
        after = _as_stored(connection, tally, _identity(target))
        if before == after:
            return
        _apply(connection, tally, _contribution_of(before, tally),
               _contribution_of(after, tally))
        if tally is CASES and before and after and before[1] != after[1]:
            for carried, rows_of in CARRIED_BY_CASE:
                _move(connection, carried, rows_of(_identity(target)), before[1], after[1])

    @sa.event.listens_for(source, "before_delete")
    def _deleting(mapper, connection, target):
        _apply(connection, tally,
               _contribution_of(_as_stored(connection, tally, _identity(target)), tally), {})


for _tally in TALLIES:
    _keep(_tally)


def _community_of(connection, area_id: int) -> int | None:
    return connection.scalar(sa.select(ManagementArea.community_id)
                             .where(ManagementArea.id == area_id))


@sa.event.listens_for(ManagementArea, "before_update")
def _area_updating(mapper, connection, area):
    sa.inspect(area).info["community_id"] = _community_of(connection, _identity(area))


def _move(connection, tally: Tally, rows, old: int, new: int) -> None:
    """Moves what the source rows meeting `rows` count from community `old` to `new`."""
    for _, month, *values in connection.execute(counted(tally, rows)):
        sums = Sums({count.column: int(value or 0)
                     for count, value in zip(tally.counts, values, strict=True)})
        _apply(connection, tally, {(old, month): sums}, {(new, month): sums})


@sa.event.listens_for(ManagementArea, "after_update")
def _area_moved(mapper, connection, area):
    """An area moved to another community takes its months of every tally along."""
    old = sa.inspect(area).info.pop("community_id", None)
    new = _community_of(connection, _identity(area))
    if old != new:
        for tally in TALLIES:
            _move(connection, tally, tally.area(tally.source) == _identity(area), old, new)
