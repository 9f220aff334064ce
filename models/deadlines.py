"""Deadlines: working days on the official Chinese calendar, hours for urgent hazards.

Working days come from `chinese_calendar` (statutory holidays and their make-up working
days). The package knows only the years the State Council has published; for a later year it
raises NotImplementedError, and we then count Monday to Friday and mark the deadline as
estimated, so the screens can say it must be checked by hand.

Settings are read from a mapping (the app config) with the defaults below:
CASE_DEADLINE_DAYS, ESCALATION_REPLY_DAYS, HAZARD_DEADLINES, DEADLINE_WARNING_HOURS.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Mapping

import chinese_calendar

# The end of the office day: a deadline of N working days runs to this time of the N-th day.
WORKDAY_END = time(17, 0)
# Working days to handle a case, per case type and urgency (信访/12345 practice: 15 days).
DEFAULT_CASE_DEADLINE_DAYS = {
    "complaint": {"ordinary": 15, "urgent": 3},
    "report": {"ordinary": 15, "urgent": 3},
    "dispute": {"ordinary": 30, "urgent": 5},
    "violation": {"ordinary": 10, "urgent": 2},
    "patrol": {"ordinary": 10, "urgent": 2},
}
# Working days a department has to reply to the street's whistle.
DEFAULT_ESCALATION_REPLY_DAYS = 5
# Hazards per severity: ("hours", n) counts round the clock, ("working_days", n) does not.
DEFAULT_HAZARD_DEADLINES = {
    "urgent": ("hours", 24),
    "serious": ("hours", 72),
    "major": ("working_days", 3),
    "ordinary": ("working_days", 7),
}
# A step is "nearly due" this many hours before its deadline.
DEFAULT_WARNING_HOURS = 24
ESTIMATED_NOTE = ("{years}年的法定节假日安排尚未收录，期限按周一至周五为工作日推算，"
                  "请对照国务院办公厅通知核对。")


@dataclass(frozen=True)
class Deadline:
    """A deadline, and the years it had to count without the official calendar."""

    at: datetime
    unknown_years: tuple[int, ...] = ()

    @property
    def estimated(self) -> bool:
        return bool(self.unknown_years)

    @property
    def note(self) -> str | None:
        if not self.unknown_years:
            return None
        return ESTIMATED_NOTE.format(years="、".join(str(y) for y in self.unknown_years))


def is_working_day(day: date) -> tuple[bool, bool]:
    """(working?, known?): known is False when the calendar lacks the year (Mon–Fri assumed)."""
    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:
        return day.weekday() < 5, False


def add_working_days(start: datetime, days: int) -> Deadline:
    """The end of the `days`-th working day after the day of `start` (that day not counted)."""
    if days < 1:
        raise ValueError("工作日天数须大于0。")
    day, counted, unknown = start.date(), 0, set()
    while counted < days:
        day += timedelta(days=1)
        working, known = is_working_day(day)
        if not known:
            unknown.add(day.year)
        counted += working
    return Deadline(datetime.combine(day, WORKDAY_END), tuple(sorted(unknown)))


def add_hours(start: datetime, hours: int) -> Deadline:
    """Round-the-clock hours: holidays do not stop an urgent hazard."""
    return Deadline(start + timedelta(hours=hours))


def _setting(settings: Mapping | None, key: str, default):
    return (settings or {}).get(key) or default


def case_deadline(case_type: str, urgency: str, start: datetime,
                  settings: Mapping | None = None) -> Deadline:
    table = {**DEFAULT_CASE_DEADLINE_DAYS,
             **_setting(settings, "CASE_DEADLINE_DAYS", {})}
    per_type = table.get(case_type) or DEFAULT_CASE_DEADLINE_DAYS["complaint"]
    return add_working_days(start, per_type.get(urgency) or per_type["ordinary"])


def escalation_deadline(start: datetime, settings: Mapping | None = None) -> Deadline:
    return add_working_days(start, _setting(settings, "ESCALATION_REPLY_DAYS",
                                            DEFAULT_ESCALATION_REPLY_DAYS))


def hazard_deadline(severity: str, start: datetime, settings: Mapping | None = None) -> Deadline:
    table = {**DEFAULT_HAZARD_DEADLINES, **_setting(settings, "HAZARD_DEADLINES", {})}
    unit, amount = table.get(severity) or DEFAULT_HAZARD_DEADLINES["ordinary"]
    return add_hours(start, amount) if unit == "hours" else add_working_days(start, amount)


def warning_window(settings: Mapping | None = None) -> timedelta:
    return timedelta(hours=_setting(settings, "DEADLINE_WARNING_HOURS", DEFAULT_WARNING_HOURS))


def due_status(deadline: datetime | None, now: datetime,
               window: timedelta = timedelta(hours=DEFAULT_WARNING_HOURS)) -> str | None:
    """"overdue" once passed, "due_soon" within `window` of it, None otherwise."""
    if deadline is None:
        return None
    if deadline < now:
        return "overdue"
    if deadline - now <= window:
        return "due_soon"
    return None
