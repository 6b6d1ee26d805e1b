"""Find the optional modules of our apps by name (api/urls.py, urls.py, demo_data.py)."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

from django.conf import settings


def app_modules(submodule: str) -> list[tuple[str, ModuleType]]:
    """(app label, module) for every app of ours that has `metrocoop.<app>.<submodule>`, in settings order."""
    found = []
    for app in settings.METROCOOP_APPS:
        name = f"metrocoop.{app}.{submodule}"
        try:
            spec = find_spec(name)
        except ModuleNotFoundError:  # a parent package (e.g. api/) is missing
            spec = None
        if spec is not None:
            found.append((app, import_module(name)))
    return found
