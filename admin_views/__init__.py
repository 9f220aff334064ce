"""The admin screens, one module per area of the menu."""
from __future__ import annotations

from flask_admin import Admin

# Menu order: each module registers its views under its own category.
MENU_MODULES = ("places", "governance", "service", "cases", "fees", "renovation", "filings",
                "dashboard", "spreadsheets", "system", "audit")


def register_views(admin: Admin) -> None:
    from importlib import import_module

    for name in MENU_MODULES:
        import_module(f"{__name__}.{name}").register(admin)
