"""数据导入: management areas, buildings, households and fee arrears from .xlsx files.

Guarantees: every row's errors are shown in Chinese with row and column; nothing is written
unless the whole file is valid, then all rows in one transaction; rows are matched by their
natural keys, so importing the same file again changes nothing; parents are looked up only
through `visible_to`, so an import never creates or changes a row outside the importer's scope.
"""
from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, request, url_for
from flask_admin import Admin, expose
from flask_login import current_user
from flask_wtf import FlaskForm
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from sqlalchemy.exc import IntegrityError

from models import audit, db
from models.base import Choices, local_today
from models.contracts import ServiceContract
from models.fees import ARREAR_STATUSES, FeeArrear
from models.orgs import PropertyFirm
from models.places import AREA_KINDS, Building, Community, Household, ManagementArea
from models.scoping import visible_to

from .base import PHONE_PATTERN, ScopedBaseView

CATEGORY = "统计报表"
IMPORT_ROLES = frozenset({"admin", "street", "community"})
MAX_ROWS = 5000
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YES, NO = ("是", "Y", "y", "1", "TRUE", "True", "true"), ("否", "N", "n", "0", "FALSE", "False",
                                                         "false")


@dataclass(frozen=True)
class Column:
    """One spreadsheet column: its Chinese header, the value kind and its rule."""

    header: str
    key: str
    kind: str = "text"  # text | int | decimal | date | bool | choice | phone
    required: bool = False
    example: object = None
    max_length: int | None = None
    minimum: tuple | None = None  # (bound, inclusive)
    maximum: int | None = None
    choices: Choices | None = None
    hint: str = ""


@dataclass
class RowResult:
    number: int
    values: dict
    errors: list[str] = field(default_factory=list)
    action: str = ""  # 新增 | 更新 | 无变化


@dataclass
class Kind:
    key: str
    title: str
    columns: tuple[Column, ...]
    list_endpoint: str


COMMUNITY = Column("社区（村）", "community", required=True, example="建国社区", max_length=64)
AREA_NAME = Column("物业管理区域", "area", required=True, example="建国花园", max_length=100)
BUILDING_NO = Column("楼号", "building", required=True, example="1号楼", max_length=32)
ROOM = Column("房号", "room", required=True, example="1-101", max_length=32)

KINDS = {kind.key: kind for kind in (
    Kind("area", "物业管理区域", (
        COMMUNITY,
        Column("区域名称", "name", required=True, example="建国花园", max_length=100),
        Column("区域类型", "kind", "choice", example="封闭式小区", choices=AREA_KINDS),
        Column("坐落", "address", example="建国路88号", max_length=200),
        Column("四至", "boundaries", example="东至建国路，西至滨江路"),
        Column("总建筑面积（㎡）", "floor_area", "decimal", required=True, example=52000,
               minimum=(0, False)),
        Column("户数", "households", "int", example=480, minimum=(0, True)),
        Column("建成年份", "year_built", "int", example=2005, minimum=(1900, True), maximum=2100),
        Column("老旧小区", "is_old_complex", "bool", example="否", hint="填“是”或“否”"),
        Column("备注", "notes", example=""),
    ), "area"),
    Kind("building", "楼栋", (
        COMMUNITY, AREA_NAME,
        Column("楼号", "number", required=True, example="1号楼", max_length=32),
        Column("地址", "address", example="建国路88号1号楼", max_length=200),
        Column("层数", "floors", "int", required=True, example=6, minimum=(0, False)),
        Column("单元数", "units", "int", example=3, minimum=(0, False)),
        Column("户数", "households", "int", example=36, minimum=(0, True)),
        Column("建筑面积（㎡）", "floor_area", "decimal", example=3600, minimum=(0, False)),
    ), "building"),
    Kind("household", "房屋与业主", (
        COMMUNITY, AREA_NAME, BUILDING_NO,
        Column("房号", "room", required=True, example="1-101", max_length=32),
        Column("业主姓名", "owner_name", required=True, example="张三", max_length=64),
        Column("联系电话", "owner_phone", "phone", example="13800000000", max_length=20),
        Column("专有面积（㎡）", "floor_area", "decimal", required=True, example=89.5,
               minimum=(0, False)),
        Column("已入住", "occupied", "bool", example="是", hint="填“是”或“否”"),
    ), "household"),
    Kind("arrear", "物业费欠费", (
        COMMUNITY, AREA_NAME, BUILDING_NO, ROOM,
        Column("欠费期间起", "period_start", "date", required=True, example=date(2025, 1, 1)),
        Column("欠费期间止", "period_end", "date", required=True, example=date(2025, 12, 31)),
        Column("欠费金额（元）", "amount_owed", "decimal", required=True, example=1380,
               minimum=(0, False)),
        Column("已缴金额（元）", "amount_paid", "decimal", example=0, minimum=(0, True)),
        Column("状态", "status", "choice", example="欠费", choices=ARREAR_STATUSES,
               hint="不填时按已缴金额自动判定"),
        Column("物业服务企业", "firm", example="", max_length=100,
               hint="不填时取该区域现行服务合同的企业"),
        Column("备注", "notes", example=""),
    ), "fee_arrear"),
)}


# -- templates --------------------------------------------------------------------------

def template_workbook(kind: Kind) -> bytes:
    """Headers (required ones marked *), one example row, and a sheet explaining each column."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = kind.title
    bold = Font(bold=True)
    for index, column in enumerate(kind.columns, 1):
        header = column.header + ("*" if column.required else "")
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="DDDDDD")
        example = sheet.cell(row=2, column=index, value=column.example)
        if column.kind == "date":
            example.number_format = "yyyy-mm-dd"
        sheet.column_dimensions[cell.column_letter].width = max(12, len(column.header) * 2 + 4)
    notes = workbook.create_sheet("填写说明")
    notes.append(["列名", "是否必填", "填写要求"])
    for column in kind.columns:
        rule = column.hint
        if column.choices is not None:
            rule = "可填：" + "、".join(label for _, label in column.choices.items()) + \
                ("；" + rule if rule else "")
        elif column.kind == "date":
            rule = "日期，如 2025-01-01"
        notes.append([column.header, "必填" if column.required else "选填", rule])
    notes.append([])
    notes.append(["第2行为示例，请替换为实际数据；同一文件重复导入不会产生重复记录。"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- parsing ----------------------------------------------------------------------------

def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_cell(column: Column, raw):
    """(value, error message or None) for one cell."""
    text = _text(raw)
    if text == "":
        return None, ("必须填写。" if column.required else None)
    if column.kind in ("text", "phone"):
        if column.max_length and len(text) > column.max_length:
            return None, f"不能超过{column.max_length}个字。"
        if column.kind == "phone" and not PHONE_PATTERN.match(text):
            return None, "不是有效的电话号码（11位手机号或带区号的固定电话）。"
        return text, None
    if column.kind == "choice":
        codes = {label: code for code, label in column.choices.items()}
        if text in codes:
            return codes[text], None
        return None, "只能填写：" + "、".join(codes) + "。"
    if column.kind == "bool":
        if text in YES:
            return True, None
        if text in NO:
            return False, None
        return None, "只能填写“是”或“否”。"
    if column.kind == "date":
        if isinstance(raw, datetime):
            return raw.date(), None
        if isinstance(raw, date):
            return raw, None
        try:
            return date.fromisoformat(text.replace("/", "-").replace(".", "-")), None
        except ValueError:
            return None, "日期格式应为 年-月-日，如 2025-01-01。"
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None, "必须是数字。"
    if column.kind == "int":
        if number != number.to_integral_value():
            return None, "必须是整数。"
        number = int(number)
    else:
        number = number.quantize(Decimal("0.01"))
    if column.minimum is not None:
        bound, inclusive = column.minimum
        if number < bound or (not inclusive and number == bound):
            return None, f"必须{'大于或等于' if inclusive else '大于'}{bound}。"
    if column.maximum is not None and number > column.maximum:
        return None, f"不能大于{column.maximum}。"
    return number, None


def read_rows(kind: Kind, content: bytes) -> tuple[list[RowResult], list[str]]:
    """Every data row with its values and cell errors; file-level errors separately."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors on a file that is not .xlsx
        return [], ["无法读取文件：请上传由模板填写的 .xlsx 文件。"]
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [_text(h).rstrip("*") for h in next(rows, ())]
    positions, problems = {}, []
    for column in kind.columns:
        if column.header in header:
            positions[column.key] = header.index(column.header)
        elif column.required:
            problems.append(f"第1行：缺少必填列“{column.header}”，请使用下载的模板。")
    if problems:
        return [], problems
    results = []
    for number, cells in enumerate(rows, start=2):
        if all(_text(c) == "" for c in cells):
            continue
        if len(results) >= MAX_ROWS:
            return [], [f"一次最多导入{MAX_ROWS}行，请拆分文件。"]
        row = RowResult(number, {})
        for column in kind.columns:
            index = positions.get(column.key)
            raw = cells[index] if index is not None and index < len(cells) else None
            value, error = parse_cell(column, raw)
            row.values[column.key] = value
            if error:
                row.errors.append(f"第{number}行“{column.header}”列：{error}")
        results.append(row)
    if not results:
        problems.append("文件中没有数据行。")
    return results, problems


# -- resolving against the importer's scope ---------------------------------------------

class Scope:
    """The rows the importer may see, loaded once per import and keyed by natural key."""

    def __init__(self, user):
        self.user = user
        communities = db.session.execute(
            sa.select(Community.name, Community.id).where(visible_to(Community, user))).all()
        self.communities: dict[str, list[int]] = {}
        for name, cid in communities:
            self.communities.setdefault(name, []).append(cid)
        self._areas = None
        self._buildings = None
        self._households = None

    def community_id(self, name):
        ids = self.communities.get(name, [])
        if not ids:
            return None, f"社区（村）“{name}”不存在或不在您的管辖范围内。"
        if len(ids) > 1:
            return None, f"社区（村）“{name}”在多个街道重名，请由所属街道导入。"
        return ids[0], None

    def areas(self) -> dict:
        if self._areas is None:
            self._areas = {(a.community_id, a.name): a for a in db.session.scalars(
                sa.select(ManagementArea).where(visible_to(ManagementArea, self.user)))}
        return self._areas

    def buildings(self) -> dict:
        if self._buildings is None:
            self._buildings = {(b.area_id, b.number): b for b in db.session.scalars(
                sa.select(Building).where(visible_to(Building, self.user)))}
        return self._buildings

    def households(self) -> dict:
        if self._households is None:
            self._households = {(h.building_id, h.room): h for h in db.session.scalars(
                sa.select(Household).where(visible_to(Household, self.user)))}
        return self._households


def _area(scope: Scope, values, row: RowResult):
    cid, error = scope.community_id(values["community"])
    if error:
        row.errors.append(f"第{row.number}行“社区（村）”列：{error}")
        return None
    area = scope.areas().get((cid, values["area"]))
    if area is None:
        row.errors.append(f"第{row.number}行“物业管理区域”列：{values['community']}没有名为"
                          f"“{values['area']}”的物业管理区域，请先导入物业管理区域。")
    return area


def _building(scope: Scope, values, row: RowResult):
    area = _area(scope, values, row)
    if area is None:
        return None
    building = scope.buildings().get((area.id, values["building"]))
    if building is None:
        row.errors.append(f"第{row.number}行“楼号”列：{area.name}没有楼栋“{values['building']}”，"
                          "请先导入楼栋。")
    return building


def _firm_id(values, area_id, row: RowResult):
    if values["firm"]:
        firm = db.session.scalar(sa.select(PropertyFirm.id).where(
            PropertyFirm.name == values["firm"]))
        if firm is None:
            row.errors.append(f"第{row.number}行“物业服务企业”列：找不到企业“{values['firm']}”。")
        return firm
    firm = db.session.scalar(sa.select(ServiceContract.firm_id).where(
        ServiceContract.area_id == area_id,
        ServiceContract.active_on(values["period_end"] or local_today()))
        .order_by(ServiceContract.start_on.desc()))
    if firm is None:
        row.errors.append(f"第{row.number}行“物业服务企业”列：该区域没有现行服务合同，请填写企业名称。")
    return firm


def plan_row(kind: Kind, scope: Scope, row: RowResult):
    """(model, natural-key lookup, existing row or None, attributes) for a valid row."""
    v = row.values
    if kind.key == "area":
        cid, error = scope.community_id(v["community"])
        if error:
            row.errors.append(f"第{row.number}行“社区（村）”列：{error}")
            return None
        attrs = {k: v[k] for k in ("kind", "address", "boundaries", "floor_area", "households",
                                   "year_built", "is_old_complex", "notes")}
        attrs["kind"] = attrs["kind"] or "closed"
        attrs["households"] = attrs["households"] or 0
        attrs["is_old_complex"] = bool(attrs["is_old_complex"])
        key = {"community_id": cid, "name": v["name"]}
        return ManagementArea, key, scope.areas().get((cid, v["name"])), attrs
    if kind.key == "building":
        area = _area(scope, v, row)
        if area is None:
            return None
        attrs = {"address": v["address"], "floors": v["floors"], "units": v["units"] or 1,
                 "households": v["households"] or 0, "floor_area": v["floor_area"]}
        key = {"area_id": area.id, "number": v["number"]}
        return Building, key, scope.buildings().get((area.id, v["number"])), attrs
    if kind.key == "household":
        building = _building(scope, v, row)
        if building is None:
            return None
        attrs = {"owner_name": v["owner_name"], "owner_phone": v["owner_phone"],
                 "floor_area": v["floor_area"],
                 "occupied": True if v["occupied"] is None else v["occupied"]}
        key = {"building_id": building.id, "room": v["room"]}
        return Household, key, scope.households().get((building.id, v["room"])), attrs
    building = _building(scope, v, row)
    if building is None:
        return None
    household = scope.households().get((building.id, v["room"]))
    if household is None:
        row.errors.append(f"第{row.number}行“房号”列：{building.number}没有房号“{v['room']}”，"
                          "请先导入房屋。")
        return None
    if v["period_end"] < v["period_start"]:
        row.errors.append(f"第{row.number}行“欠费期间止”列：不能早于欠费期间起。")
    paid = v["amount_paid"] or Decimal("0.00")
    if paid > v["amount_owed"]:
        row.errors.append(f"第{row.number}行“已缴金额（元）”列：不能大于欠费金额。")
    firm_id = _firm_id(v, building.area_id, row)
    if row.errors:
        return None
    status = v["status"] or ("paid" if paid == v["amount_owed"]
                             else "partly_paid" if paid else "outstanding")
    attrs = {"area_id": building.area_id, "firm_id": firm_id, "period_end": v["period_end"],
             "amount_owed": v["amount_owed"], "amount_paid": paid, "status": status,
             "notes": v["notes"]}
    key = {"household_id": household.id, "period_start": v["period_start"]}
    existing = db.session.scalar(sa.select(FeeArrear).filter_by(**key)
                                 .where(visible_to(FeeArrear, scope.user)))
    if existing is None and db.session.scalar(sa.select(FeeArrear.id).filter_by(**key)):
        row.errors.append(f"第{row.number}行：该房屋同一期间的欠费记录已由其他单位登记，不能导入。")
        return None
    return FeeArrear, key, existing, attrs


def _same(current, new) -> bool:
    if isinstance(current, Decimal) or isinstance(new, Decimal):
        return current is not None and new is not None and Decimal(current) == Decimal(new)
    return current == new


@dataclass
class ImportPlan:
    kind: Kind
    rows: list[RowResult]
    problems: list[str]
    steps: list = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return self.problems + [e for row in self.rows for e in row.errors]

    @property
    def valid(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)


def plan_import(kind: Kind, content: bytes, user) -> ImportPlan:
    """Validate the whole file against the user's scope; write nothing."""
    rows, problems = read_rows(kind, content)
    plan = ImportPlan(kind, rows, problems)
    scope = Scope(user)
    seen: dict[tuple, int] = {}
    for row in rows:
        if row.errors:
            continue
        planned = plan_row(kind, scope, row)
        if planned is None:
            continue
        model, key, existing, attrs = planned
        identity = (model.__name__, *sorted(key.items()))
        if identity in seen:
            row.errors.append(f"第{row.number}行：与第{seen[identity]}行是同一条记录，请删除重复行。")
            continue
        seen[identity] = row.number
        if existing is None:
            row.action = "新增"
        elif all(_same(getattr(existing, k), v) for k, v in attrs.items()):
            row.action = "无变化"
        else:
            row.action = "更新"
        plan.steps.append((row, model, key, existing, attrs))
    return plan


def apply_import(plan: ImportPlan) -> None:
    """Write a valid plan: create or update each row; the caller commits once."""
    assert plan.valid
    for row, model, key, existing, attrs in plan.steps:
        if existing is None:
            db.session.add(model(**key, **attrs))
        elif row.action == "更新":
            for name, value in attrs.items():
                setattr(existing, name, value)
    db.session.flush()


# -- the screen -------------------------------------------------------------------------

class ImportView(ScopedBaseView):
    """Template downloads, upload with a full preview, then one confirmed transaction."""

    read_roles = IMPORT_ROLES

    def _kind_or_404(self, key) -> Kind:
        kind = KINDS.get(key)
        if kind is None:
            abort(404)
        return kind

    @expose("/")
    def index(self):
        return self.render("admin/import.html", kinds=KINDS.values(), form=FlaskForm())

    @expose("/template/<kind>.xlsx")
    def template(self, kind):
        kind = self._kind_or_404(kind)
        response = Response(template_workbook(kind), mimetype=XLSX_MIME)
        response.headers["Content-Disposition"] = (
            f"attachment; filename*=UTF-8''{quote(kind.title + '导入模板.xlsx')}")
        return response

    @expose("/preview", methods=("POST",))
    def preview(self):
        if not FlaskForm().validate():
            abort(400)
        kind = self._kind_or_404(request.form.get("kind"))
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash("请选择要导入的 .xlsx 文件。", "error")
            return redirect(url_for(".index"))
        content = upload.read()
        plan = plan_import(kind, content, current_user)
        db.session.rollback()
        return self.render("admin/import_preview.html", plan=plan, kind=kind, form=FlaskForm(),
                           payload=base64.b64encode(content).decode("ascii"),
                           filename=upload.filename)

    @expose("/confirm", methods=("POST",))
    def confirm(self):
        if not FlaskForm().validate():
            abort(400)
        kind = self._kind_or_404(request.form.get("kind"))
        try:
            content = base64.b64decode(request.form.get("payload", ""), validate=True)
        except ValueError:
            abort(400)
        plan = plan_import(kind, content, current_user)
        if not plan.valid:
            db.session.rollback()
            return self.render("admin/import_preview.html", plan=plan, kind=kind,
                               form=FlaskForm(), payload=request.form.get("payload"),
                               filename=request.form.get("filename", ""))
        try:
            apply_import(plan)
            audit.record("import", kind.title, None, f"{request.form.get('filename', '')}："
                         f"新增{plan.count('新增')}条，更新{plan.count('更新')}条")
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            flash("导入失败：数据与已有记录冲突，未写入任何数据。", "error")
            return redirect(url_for(".index"))
        flash(f"{kind.title}导入完成：新增{plan.count('新增')}条，更新{plan.count('更新')}条，"
              f"无变化{plan.count('无变化')}条。", "success")
        return redirect(url_for(f"{kind.list_endpoint}.index_view"))


def register(admin: Admin) -> None:
    admin.add_view(ImportView(name="Excel导入", category=CATEGORY, endpoint="spreadsheet_import",
                              url="/import"))
