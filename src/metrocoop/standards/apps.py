from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardsConfig(AppConfig):
    name = "metrocoop.standards"
    label = "standards"
    verbose_name = _("Standards and mutual recognition")

    def ready(self) -> None:
        from importlib import import_module
        from importlib.util import find_spec

        # access policies and audit registration live in policies.py once the app has models
        if find_spec(f"{self.name}.policies"):
            import_module(f"{self.name}.policies")
