"""Working-day deadlines on the official calendar, hour deadlines for urgent hazards."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar
import pytest

from models.deadlines import (add_working_days, case_deadline, due_status, escalation_deadline,
                              hazard_deadline, is_working_day)


def test_the_package_knows_national_day_2025_and_its_make_up_days():
    # 2025: Oct 1–8 off; Sunday Sep 28 and Saturday Oct 11 are working days.
    assert [chinese_calendar.is_workday(date(2025, 10, d)) for d in range(1, 9)] == [False] * 8
    assert chinese_calendar.is_workday(date(2025, 9, 28)) and date(2025, 9, 28).weekday() == 6
    assert chinese_calendar.is_workday(date(2025, 10, 11)) and date(2025, 10, 11).weekday() == 5


def test_working_days_skip_the_holiday_and_count_the_make_up_saturday():
    # Received Tuesday Sep 30: day 1 is Thu Oct 9, day 2 Fri Oct 10, day 3 Sat Oct 11.
    deadline = add_working_days(datetime(2025, 9, 30, 10, 0), 3)
    assert deadline.at == datetime(2025, 10, 11, 17, 0)
    assert not deadline.estimated and deadline.note is None
    # A 15-day complaint received the same day runs to Oct 28 (no weekend counted).
    assert case_deadline("complaint", "ordinary", datetime(2025, 9, 30, 10, 0)).at == \
        datetime(2025, 10, 28, 17, 0)


def test_the_make_up_sunday_before_the_holiday_counts():
    # Received Friday Sep 26: Saturday Sep 27 is off, Sunday Sep 28 is a working day.
    assert add_working_days(datetime(2025, 9, 26, 16, 0), 1).at == datetime(2025, 9, 28, 17, 0)


def test_urgent_hazards_count_in_hours_through_the_holiday():
    found = datetime(2025, 10, 1, 10, 30)
    assert hazard_deadline("urgent", found).at == datetime(2025, 10, 2, 10, 30)
    assert hazard_deadline("serious", found).at == found + timedelta(hours=72)
    # An ordinary hazard found on the holiday counts 7 working days:
    # Oct 9, 10, the make-up Saturday 11, then 13, 14, 15, 16.
    assert hazard_deadline("ordinary", found).at == datetime(2025, 10, 16, 17, 0)


def test_deadlines_are_configurable():
    settings = {"CASE_DEADLINE_DAYS": {"complaint": {"ordinary": 1, "urgent": 1}},
                "ESCALATION_REPLY_DAYS": 2, "HAZARD_DEADLINES": {"urgent": ("hours", 4)}}
    start = datetime(2025, 9, 30, 9, 0)
    assert case_deadline("complaint", "ordinary", start, settings).at == datetime(2025, 10, 9, 17)
    assert escalation_deadline(start, settings).at == datetime(2025, 10, 10, 17, 0)
    assert hazard_deadline("urgent", start, settings).at == datetime(2025, 9, 30, 13, 0)
    # Types the settings leave out keep their defaults.
    assert case_deadline("dispute", "urgent", start, settings).at == datetime(2025, 10, 14, 17)


def test_a_year_the_calendar_does_not_know_falls_back_to_monday_to_friday():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2099, 1, 5))
    assert is_working_day(date(2099, 1, 3)) == (False, False)  # a Saturday
    deadline = add_working_days(datetime(2099, 1, 2, 9, 0), 2)  # Friday
    assert deadline.at == datetime(2099, 1, 6, 17, 0)
    assert deadline.estimated and deadline.unknown_years == (2099,)
    assert "2099年的法定节假日安排尚未收录" in deadline.note


def test_due_status_marks_overdue_and_nearly_due_steps():
    now = datetime(2026, 11, 28, 9, 0)
    assert due_status(now - timedelta(minutes=1), now) == "overdue"
    assert due_status(now + timedelta(hours=23), now) == "due_soon"
    assert due_status(now + timedelta(hours=25), now) is None
    assert due_status(now + timedelta(hours=40), now, timedelta(hours=48)) == "due_soon"
    assert due_status(None, now) is None
