"""List pages: paging through a scope, sorting on related columns, searching."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from models import db
from models.cases import Case

from .factories import make_area
from .factories_cases import make_case
from .test_scoping import listed_ids

PAGE_SIZE = 20  # the smallest the screens offer
IN_STREET_A = 45


@pytest.fixture
def cases(world):
    """Cases over three pages in street A (two received at the same moment), three in B."""
    named_z = make_area(world.community_a1, name="甲区Z")
    named_a = make_area(world.community_a2, name="甲区A")
    start = datetime(2026, 3, 2, 9, 0)
    made = []
    for n in range(IN_STREET_A):
        area = (world.area_a1, named_z, named_a)[n % 3]
        moment = start + timedelta(hours=n if n != 5 else 4)  # cases 4 and 5 tie
        made.append(make_case(world, area, received_at=moment, deadline=moment))
    for n in range(3):
        make_case(world, world.area_b1, received_at=start + timedelta(hours=n, minutes=30),
                  deadline=start + timedelta(days=1))
    db.session.commit()
    return made


def all_pages(browser, query: str) -> list[int]:
    """Row ids in list order, page after page, as the screen shows them."""
    ids = []
    for page in range(IN_STREET_A // PAGE_SIZE + 2):
        html = browser.get(f"/case/?page_size={PAGE_SIZE}&page={page}&{query}").get_data(
            as_text=True)
        ids += dict.fromkeys(int(i) for i in re.findall(r"details/\?id=(\d+)", html))
    return ids


def test_pages_walk_the_scope_in_received_order_without_repeats(as_user, world, cases):
    street = as_user(world.user("street_a"))
    expected = [c.id for c in sorted(cases, key=lambda c: (c.received_at, c.id), reverse=True)]
    assert all_pages(street, "") == expected


def test_sorting_by_the_related_area_name_pages_the_whole_scope(app, as_user, world, cases):
    view = next(v for v in app.extensions["workbench_admin"]._views
                if getattr(v, "endpoint", None) == "case")
    area_column = [name for name, _ in view._list_columns].index("area")
    street = as_user(world.user("street_a"))
    expected = [c.id for c in sorted(cases, key=lambda c: (c.area.name, c.id))]
    assert all_pages(street, f"sort={area_column}") == expected
    expected.reverse()
    assert all_pages(street, f"sort={area_column}&desc=1") == expected


def test_a_deep_page_shows_the_rows_of_that_page_only(as_user, world, cases):
    street = as_user(world.user("street_a"))
    ordered = sorted(cases, key=lambda c: (c.received_at, c.id), reverse=True)
    html = street.get(f"/case/?page_size={PAGE_SIZE}&page=2").get_data(as_text=True)
    assert listed_ids(html) == {c.id for c in ordered[2 * PAGE_SIZE:3 * PAGE_SIZE]}


def test_search_ignores_latin_case_and_stays_in_scope(as_user, world, cases):
    own = make_case(world, world.area_a1, title="ABC小区电梯停运")
    other = make_case(world, world.area_b1, title="ABC小区电梯停运")
    db.session.commit()
    html = as_user(world.user("street_a")).get("/case/?search=abc小区 电梯").get_data(as_text=True)
    assert listed_ids(html) == {own.id}
    assert other.id not in listed_ids(html)


def test_row_links_built_once_per_page_are_the_links_url_for_builds(app_ctx):
    from flask import url_for

    from admin_views.base import ROW_ID_MARKER

    view = next(v for v in app_ctx.extensions["workbench_admin"]._views if v.endpoint == "case")
    with app_ctx.test_request_context("/case/"):
        for back in ("/case/?search=漏水&page=2", f"/case/?search={ROW_ID_MARKER}"):
            for row_id in (1, 22, 333, 1):
                for endpoint in ("edit_view", "details_view"):
                    built = view.get_url(f".{endpoint}", id=row_id, url=back)
                    assert built == url_for(f"case.{endpoint}", id=row_id, url=back)
