"""Bad input gets a Chinese message on the form and changes nothing."""
from __future__ import annotations

import sqlalchemy as sa

from models import db
from models.orgs import PropertyFirm
from models.places import Building, ManagementArea


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def area_form(world, **overrides):
    data = {"community": world.community_a1.id, "name": "新建小区", "kind": "closed",
            "floor_area": "12000", "households": "80", "year_built": "2010"}
    return {**data, **overrides}


def test_a_valid_area_is_saved(world, as_user):
    user = as_user(world.user("community_a1"))
    before = count(ManagementArea)
    response = user.post_form("/area/new/", area_form(world), form_url="/area/new/")
    assert response.status_code == 302
    assert count(ManagementArea) == before + 1


def test_negative_floor_area_is_refused(world, as_user):
    user = as_user(world.user("community_a1"))
    before = count(ManagementArea)
    response = user.post_form("/area/new/", area_form(world, floor_area="-5"), form_url="/area/new/")
    assert "必须大于0" in response.get_data(as_text=True)
    assert count(ManagementArea) == before


def test_missing_required_field_is_refused_in_chinese(world, as_user):
    user = as_user(world.user("community_a1"))
    response = user.post_form("/area/new/", area_form(world, name=""), form_url="/area/new/")
    html = response.get_data(as_text=True)
    assert "必填" in html or "此字段" in html
    assert "This field is required" not in html


def test_bad_phone_is_refused(world, as_user):
    user = as_user(world.user("street_a"))
    before = count(PropertyFirm)
    response = user.post_form("/firm/new/", {
        "name": "新物业", "credit_code": "91220681MA0Y3K5L2X", "phone": "12ab",
        "qualification": "none"}, form_url="/firm/new/")
    html = response.get_data(as_text=True)
    assert "有效的电话号码" in html
    assert count(PropertyFirm) == before


def test_bad_credit_code_is_refused(world, as_user):
    user = as_user(world.user("street_a"))
    before = count(PropertyFirm)
    response = user.post_form("/firm/new/", {
        "name": "新物业", "credit_code": "91220681MA0Y3K5L2Z", "qualification": "none"},
        form_url="/firm/new/")
    assert "统一社会信用代码无效" in response.get_data(as_text=True)
    assert count(PropertyFirm) == before


def test_duplicate_building_number_gets_a_chinese_message(world, as_user):
    user = as_user(world.user("community_a1"))
    data = {"area": world.area_a1.id, "number": "1号楼", "floors": "6", "units": "1",
            "households": "0"}
    user.post_form("/building/new/", data, form_url="/building/new/")
    response = user.post_form("/building/new/", data, form_url="/building/new/",
                              follow_redirects=True)
    assert response.status_code == 200
    assert "重复" in response.get_data(as_text=True)
    assert count(Building) == 1


def test_non_numeric_ids_and_pages_do_not_break(world, as_user):
    user = as_user(world.user("street_a"))
    for url in ("/area/details/?id=abc", "/area/edit/?id=%27", "/area/?page=-1",
                "/area/?page=abc", "/area/?sort=99", "/area/?flt0_0=x", "/area/?search=%25%27"):
        assert user.get(url).status_code in (200, 302), url


def test_unknown_page_is_a_chinese_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "不存在" in response.get_data(as_text=True)
