"""基础信息: streets, communities, management areas, buildings, households, organisations."""
from __future__ import annotations

from flask_admin import Admin

from models.orgs import Department, PropertyFirm, SupportUnit
from models.places import Building, Community, Household, ManagementArea, ServiceModeChange, Street

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
                           "notes", "created_at", "updated_at")


class ServiceModeChangeView(ScopedModelView):
    column_list = ("area", "changed_on", "from_mode", "to_mode", "reason")
    column_searchable_list = ("reason",)
    column_filters = ("to_mode", "changed_on", "area.name")
    column_default_sort = ("changed_on", True)
    form_columns = ("area", "changed_on", "to_mode", "reason")
    can_edit = False

    def on_model_change(self, form, model, is_created):
        # The history row records where the area came from; the area takes the new mode.
        model.from_mode = model.area.service_mode
        model.area.service_mode = model.to_mode
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
