"""A case's copies of its area's community and street, which a community's or street's scope
reads: set on every write, carried along when an area or a community moves."""
from __future__ import annotations

import sqlalchemy as sa

from models import db
from models.cases import Case, copy_places
from models.scoping import visible_to

from .factories_cases import make_case


def _places(case: Case) -> tuple[int, int]:
    community_id, street_id = db.session.execute(
        sa.select(Case.community_id, Case.street_id).where(Case.id == case.id)).one()
    return community_id, street_id


def _visible_ids(user) -> set[int]:
    return set(db.session.scalars(sa.select(Case.id).where(visible_to(Case, user))))


def test_a_new_case_takes_its_areas_community_and_street(world):
    by_relationship = make_case(world, world.area_a2)
    by_key = Case(area_id=world.area_b1.id, title="噪音扰民", description="夜间施工。")
    db.session.add(by_key)
    db.session.commit()
    assert _places(by_relationship) == (world.community_a2.id, world.street_a.id)
    assert _places(by_key) == (world.community_b1.id, world.street_b.id)


def test_a_case_moved_to_another_area_moves_between_scopes(world):
    by_relationship, by_key = make_case(world, world.area_a1), make_case(world, world.area_a1)
    db.session.commit()
    street_b, community_a1 = world.user("street_b"), world.user("community_a1")
    assert {by_relationship.id, by_key.id} <= _visible_ids(community_a1)

    by_relationship.area = world.area_b1
    by_key.area_id = world.area_b1.id
    db.session.commit()
    for case in (by_relationship, by_key):
        assert _places(case) == (world.community_b1.id, world.street_b.id)
    assert {by_relationship.id, by_key.id} <= _visible_ids(street_b)
    assert not {by_relationship.id, by_key.id} & _visible_ids(community_a1)


def test_an_edit_that_keeps_the_area_keeps_the_places(world):
    case = make_case(world, world.area_a1)
    db.session.commit()
    case.title = "楼道堆物已清理"
    db.session.commit()
    assert _places(case) == (world.community_a1.id, world.street_a.id)


def test_an_area_moved_to_another_community_takes_its_cases_along(world):
    case, other = make_case(world, world.area_a1), make_case(world, world.area_a2)
    db.session.commit()
    world.area_a1.community = world.community_b1
    db.session.commit()
    assert _places(case) == (world.community_b1.id, world.street_b.id)
    assert _places(other) == (world.community_a2.id, world.street_a.id)
    assert case.id in _visible_ids(world.user("street_b"))
    assert case.id not in _visible_ids(world.user("street_a"))


def test_a_community_moved_to_another_street_takes_its_cases_along(world):
    case = make_case(world, world.area_a1)
    db.session.commit()
    world.community_a1.street_id = world.street_b.id
    db.session.commit()
    assert _places(case) == (world.community_a1.id, world.street_b.id)
    assert case.id in _visible_ids(world.user("street_b"))
    assert case.id in _visible_ids(world.user("community_a1"))
    assert case.id not in _visible_ids(world.user("street_a"))


def test_copy_places_repairs_a_bulk_write_made_outside_the_application(world):
    case = make_case(world, world.area_a1)
    db.session.commit()
    db.session.execute(sa.update(Case.__table__).where(Case.__table__.c.id == case.id)
                       .values(street_id=world.street_b.id, community_id=world.community_b1.id))
    copy_places(db.session.connection(), sa.true())
    db.session.commit()
    assert _places(case) == (world.community_a1.id, world.street_a.id)


def test_the_rebuild_command_copies_the_places_again(world, runner):
    case = make_case(world, world.area_a1)
    db.session.commit()
    db.session.execute(sa.update(Case.__table__).where(Case.__table__.c.id == case.id)
                       .values(street_id=world.street_b.id))
    db.session.commit()
    with runner.app.app_context():
        result = runner.invoke(args=["stats", "rebuild-tallies"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert _places(case) == (world.community_a1.id, world.street_a.id)
