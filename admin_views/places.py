"""基础信息: streets, communities, management areas, buildings, households, organisations."""
from __future__ import annotations

from flask_admin import Admin
from wtforms.validators import ValidationError

from models import db
from models.orgs import Department, PropertyFirm, SupportUnit
from models.places import Building, Community, Household, ManagementArea, ServiceModeChange, Street
from models.service import ModeChangeRefused, has_owners_assembly, record_mode_change

from .base import PERSONAL_EXPORT_ROLES, ScopedModelView

CATEGORY = "基础信息"
ADMIN_ONLY = frozenset({"admin"})
STREET_OFFICE = frozenset({"admin", "street"})


class StreetView(ScopedModelView):
    read_roles = frozenset({"admin", "city", "street", "community"})
    write_roles = ADMIN_ONLY
    column_list = ("name", "office_name", "doc_prefix", "phone")
    column_searchable_list = ("name", "office_name")
    column_default_sort = "name"


class CommunityView(ScopedModelView):
    write_roles = STREET_OFFICE
    column_list = ("name", "kind", "street", "contact", "phone")
    column_searchable_list = ("name", "contact")
    column_filters = ("kind", "street.name")
    column_default_sort = "name"
    form_columns = ("street", "name", "kind", "address", "contact", "phone")


class ManagementAreaView(ScopedModelView):
    column_list = ("name", "community", "kind", "floor_area", "households", "year_built",
                   "is_old_complex", "service_mode")
    column_searchable_list = ("name", "address")
    column_filters = ("kind", "service_mode", "is_old_complex", "community.name", "year_built")
    column_sortable_list = ("name", ("community", "community.name"), "kind", "floor_area",
                            "households", "year_built", "service_mode")
    column_default_sort = "name"
    # The service mode changes only through recorded events (service-mode history).
    form_columns = ("community", "name", "kind", "address", "boundaries", "floor_area",
                    "households", "year_built", "is_old_complex", "notes")
    column_details_list = ("name", "community", "kind", "address", "boundaries", "floor_area",
                           "households", "year_built", "is_old_complex", "service_mode",
                           "mode_changes", "notes", "created_at", "updated_at")


class ServiceModeChangeView(ScopedModelView):
    """The history of service modes; here only an owners' decision on self-management is added.

    Every other change is written by the screen that records its event (contract, fallback
    arrangement, exit handover), so each row carries the date it took effect and its reason.
    """

    column_list = ("area", "changed_on", "from_mode", "to_mode", "reason")
    column_searchable_list = ("reason", "area.name")
    column_filters = ("to_mode", "from_mode", "changed_on", "area.name")
    column_sortable_list = (("area", "area.name"), "changed_on", "from_mode", "to_mode")
    column_default_sort = [("changed_on", True), ("id", True)]
    form_columns = ("area", "changed_on", "reason")
    form_args = {
        "changed_on": {"label": "业主大会决定日期"},
        "reason": {"label": "业主大会决定（表决事项及结果）",
                   "description": "本页只登记业主大会决定实行自治管理；合同履行、兜底代管和"
                                  "退出交接引起的变更由相应登记页面自动记录。"},
    }
    can_edit = False
    can_delete = False

    def on_model_change(self, form, model, is_created):
        area = model.area
        with db.session.no_autoflush:
            assembled = has_owners_assembly(area.id)
        if not assembled:
            raise ValidationError("该区域尚未成立业主大会，业主自治管理须由业主大会决定。")
        try:
            record_mode_change(area, "owners_decision", model.changed_on, model.reason,
                               row=model)
        except ModeChangeRefused as refusal:
            raise ValidationError(str(refusal)) from refusal
        super().on_model_change(form, model, is_created)


class BuildingView(ScopedModelView):
    column_list = ("area", "number", "address", "floors", "units", "households", "floor_area")
    column_searchable_list = ("number", "address")
    column_filters = ("area.name", "floors")
    column_sortable_list = (("area", "area.name"), "number", "floors", "households")
    column_default_sort = "number"
    form_columns = ("area", "number", "address", "floors", "units", "households", "floor_area")


class HouseholdView(ScopedModelView):
    read_roles = frozenset({"admin", "street", "community", "firm"})
    export_roles = PERSONAL_EXPORT_ROLES
    column_list = ("building", "room", "owner_name", "owner_phone", "floor_area", "occupied")
    column_searchable_list = ("room", "owner_name")
    column_filters = ("building.number", "occupied")
    column_sortable_list = (("building", "building.number"), "room", "floor_area")
    column_default_sort = "room"
    form_columns = ("building", "room", "owner_name", "owner_phone", "floor_area", "occupied")
    form_ajax_refs = {"building": {"fields": ("number",), "page_size": 20}}


class DepartmentView(ScopedModelView):
    read_roles = frozenset({"admin", "city", "street", "community", "firm", "department"})
    write_roles = ADMIN_ONLY
    column_list = ("name", "short_name", "kind", "contact", "phone")
    column_searchable_list = ("name", "short_name")
    column_filters = ("kind",)
    column_default_sort = "name"


class SupportUnitView(ScopedModelView):
    write_roles = STREET_OFFICE
    column_list = ("name", "contact", "phone")
    column_searchable_list = ("name", "contact")
    column_default_sort = "name"


class PropertyFirmView(ScopedModelView):
    write_roles = STREET_OFFICE
    column_list = ("name", "credit_code", "legal_representative", "contact", "phone",
                   "qualification", "licence_valid_until")
    column_searchable_list = ("name", "credit_code")
    column_filters = ("qualification", "licence_valid_until")
    column_default_sort = "name"


def register(admin: Admin) -> None:
    admin.add_view(StreetView(Street, name="街道", category=CATEGORY, endpoint="street"))
    admin.add_view(CommunityView(Community, name="社区（村）", category=CATEGORY,
                                 endpoint="community"))
    admin.add_view(ManagementAreaView(ManagementArea, name="物业管理区域", category=CATEGORY,
                                      endpoint="area"))
    admin.add_view(ServiceModeChangeView(ServiceModeChange, name="服务模式变更", category=CATEGORY,
                                         endpoint="mode_change"))
    admin.add_view(BuildingView(Building, name="楼栋", category=CATEGORY, endpoint="building"))
    admin.add_view(HouseholdView(Household, name="房屋与业主", category=CATEGORY,
                                 endpoint="household"))
    admin.add_view(PropertyFirmView(PropertyFirm, name="物业服务企业", category=CATEGORY,
                                    endpoint="firm"))
    admin.add_view(SupportUnitView(SupportUnit, name="包保单位", category=CATEGORY,
                                   endpoint="support_unit"))
    admin.add_view(DepartmentView(Department, name="市直部门", category=CATEGORY,
                                  endpoint="department"))
