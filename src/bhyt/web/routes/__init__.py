"""Every module of this package that defines `router` is part of the app; one that also defines `NAV`
(a list of NavItem) adds its pages to the menu. Adding a page needs no edit elsewhere."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    order: int
    label: str  # Vietnamese; the English catalogue translates it
    path: str
    permission: str = "view"


def _modules():
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        yield importlib.import_module(f"{__name__}.{info.name}")


def routers() -> list:
    return [module.router for module in _modules() if hasattr(module, "router")]


def nav_items() -> list[NavItem]:
    return sorted((item for module in _modules() for item in getattr(module, "NAV", [])), key=lambda item: item.order)
