"""The base AppConfig every MetroCoop module shares."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import AppConfig


class ModuleConfig(AppConfig):
    """An app whose access policies and audit registration live in its `policies.py`.

    `ready()` imports that module once the app registry is ready (a new app without models may not have one yet),
    so a subclass only names the app: `name`, `label` and `verbose_name`.
    An apps.py imports this module, not the class: Django picks an app's config as the one AppConfig subclass its
    apps.py holds, and a second one in its namespace would make it fall back to a plain AppConfig.
    """

    def ready(self) -> None:
        if find_spec(f"{self.name}.policies"):
            import_module(f"{self.name}.policies")
