from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpatialConfig(AppConfig):
    name = "metrocoop.spatial"
    label = "spatial"
    verbose_name = _("Spatial coordination")

    def ready(self) -> None:
        from importlib import import_module
        from importlib.util import find_spec

        # access policies and audit registration live in policies.py once the app has models
        if find_spec(f"{self.name}.policies"):
            import_module(f"{self.name}.policies")
