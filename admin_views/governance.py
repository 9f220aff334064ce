"""Screens of this menu area are registered here."""
from flask_admin import Admin


def register(admin: Admin) -> None:
    pass
