"""Excel import (all or nothing, idempotent, in scope) and list exports (.xlsx/.csv)."""
from __future__ import annotations

import base64
import io
import re
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from admin_views.spreadsheets import KINDS, apply_import, plan_import
from models import db
from models.fees import FeeArrear
from models.places import Building, ManagementArea

from .factories import make_household


def workbook(kind: str, rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append([c.header + ("*" if c.required else "") for c in KINDS[kind].columns])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def buildings(area="建国花园", community="建国社区", floors_of_second=6):
    return workbook("building", [
        [community, area, "8号楼", "建国路88号8号楼", 6, 2, 24, 2400],
        [community, area, "9号楼", None, floors_of_second, 3, 36, None],
        [community, area, "10号楼", None, 11, 2, 44, 5200.5],
    ])


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def upload(browser, content: bytes, kind="building"):
    return browser.post_form("/import/preview", {
        "kind": kind, "file": (io.BytesIO(content), "导入.xlsx")}, form_url="/import/",
        content_type="multipart/form-data")


def confirm(browser, content: bytes, kind="building"):
    return browser.post_form("/import/confirm", {
        "kind": kind, "filename": "导入.xlsx",
        "payload": base64.b64encode(content).decode()}, form_url="/import/")


def test_templates_have_chinese_headers_and_an_example_row(world, as_user):
    browser = as_user(world.user("community_a1"))
    for key, kind in KINDS.items():
        response = browser.get(f"/import/template/{key}.xlsx")
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
        headers = [cell.value.rstrip("*") for cell in sheet[1]]
        assert headers == [c.header for c in kind.columns]
        assert any(cell.value not in (None, "") for cell in sheet[2])


def test_one_bad_cell_writes_nothing_fixed_writes_all_twice_writes_nothing_more(world, as_user):
    browser = as_user(world.user("community_a1"))
    before = count(Building)
    bad = buildings(floors_of_second="六层")
    page = upload(browser, bad).get_data(as_text=True)
    assert "第3行“层数”列：必须是数字。" in page and "未写入任何数据" in page
    assert confirm(browser, bad).status_code == 200
    db.session.expire_all()
    assert count(Building) == before

    good = buildings()
    page = upload(browser, good).get_data(as_text=True)
    assert "将新增 3 条" in page
    assert confirm(browser, good).status_code == 302
    db.session.expire_all()
    assert count(Building) == before + 3
    stamp = db.session.scalar(sa.select(sa.func.max(Building.updated_at)))

    assert "将新增 0 条，更新 0 条，3 条无变化" in upload(browser, good).get_data(as_text=True)
    confirm(browser, good)
    db.session.expire_all()
    assert count(Building) == before + 3
    assert db.session.scalar(sa.select(sa.func.max(Building.updated_at))) == stamp
    ten = db.session.scalar(sa.select(Building).where(Building.number == "10号楼"))
    assert ten.floor_area == Decimal("5200.50") and ten.area_id == world.area_a1.id


def test_an_import_cannot_reach_another_community(world, as_user):
    browser = as_user(world.user("community_a1"))
    before = count(Building)
    content = buildings(area="解放小区", community="解放社区")
    page = upload(browser, content).get_data(as_text=True)
    assert "“解放社区”不存在或不在您的管辖范围内" in page
    confirm(browser, content)
    db.session.expire_all()
    assert count(Building) == before
    areas = workbook("area", [["解放社区", "新区域", "封闭式小区", None, None, 1000, 10, 2000,
                               "否", None]])
    plan = plan_import(KINDS["area"], areas, world.user("community_a1"))
    assert not plan.valid and count(ManagementArea) == 3


def test_areas_households_and_arrears_chain(world):
    user = world.user("street_a")
    area_file = workbook("area", [["建国社区", "滨江苑", "开放式片区", "滨江路1号", None, 12000,
                                   120, 1998, "是", None]])
    plan = plan_import(KINDS["area"], area_file, user)
    assert plan.valid, plan.errors
    apply_import(plan)
    building_file = workbook("building", [["建国社区", "滨江苑", "1号楼", None, 6, 2, 24, None]])
    apply_import(plan_import(KINDS["building"], building_file, user))
    household_file = workbook("household", [
        ["建国社区", "滨江苑", "1号楼", "1-101", "李四", "13912345678", 88.6, "是"],
        ["建国社区", "滨江苑", "1号楼", "1-102", "王五", "1234", 90, "否"],
    ])
    plan = plan_import(KINDS["household"], household_file, user)
    assert plan.errors == ["第3行“联系电话”列：不是有效的电话号码（11位手机号或带区号的固定电话）。"]
    household_file = workbook("household", [
        ["建国社区", "滨江苑", "1号楼", "1-101", "李四", "13912345678", 88.6, "是"]])
    apply_import(plan_import(KINDS["household"], household_file, user))
    arrear_file = workbook("arrear", [["建国社区", "滨江苑", "1号楼", "1-101", date(2025, 1, 1),
                                       date(2025, 12, 31), 1063.2, 500, None, "安居物业", None]])
    plan = plan_import(KINDS["arrear"], arrear_file, user)
    assert plan.valid, plan.errors
    apply_import(plan)
    db.session.commit()
    arrear = db.session.scalar(sa.select(FeeArrear))
    assert arrear.status == "partly_paid" and arrear.area.name == "滨江苑"
    assert plan_import(KINDS["arrear"], arrear_file, user).count("无变化") == 1
    bad = workbook("arrear", [["建国社区", "滨江苑", "1号楼", "1-101", date(2025, 1, 1),
                               date(2024, 12, 31), 100, 200, None, "安居物业", None]])
    assert set(plan_import(KINDS["arrear"], bad, user).errors) == {
        "第2行“欠费期间止”列：不能早于欠费期间起。",
        "第2行“已缴金额（元）”列：不能大于欠费金额。"}


def test_exports_are_scoped_chinese_and_formula_safe(world, as_user):
    world.area_a1.notes = "x"
    world.area_a1.name = "=HYPERLINK(\"http://evil\")"
    make_household(world, world.area_a1, owner_name="@SUM(1+1)")
    db.session.commit()
    browser = as_user(world.user("community_a1"))
    csv = browser.get("/area/export/csv/")
    assert csv.status_code == 200
    text = csv.get_data(as_text=True)
    assert "区域名称" in text and "'=HYPERLINK" in text
    assert "解放小区" not in text and "大湖小区" not in text
    assert "filename*=UTF-8''" in csv.headers["Content-Disposition"]

    xlsx = browser.get("/area/export/xlsx/")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert "区域名称" in rows[0] and len(rows) == 2
    assert rows[1][rows[0].index("区域名称")].startswith("'=")

    street = as_user(world.user("street_a"))
    household_csv = street.get("/household/export/csv/").get_data(as_text=True)
    assert "'@SUM(1+1)" in household_csv
    assert as_user(world.user("community_a1")).get("/household/export/csv/").status_code in (
        302, 403)


def test_import_screen_access(world, as_user):
    assert as_user(world.user("community_a1")).get("/import/").status_code == 200
    assert as_user(world.user("firm_a")).get("/import/").status_code == 403
    page = as_user(world.user("street_a")).get("/import/").get_data(as_text=True)
    assert re.search(r"下载模板", page)
