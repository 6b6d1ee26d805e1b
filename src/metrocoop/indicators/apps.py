from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "metrocoop.indicators"
    label = "indicators"
    verbose_name = _("Regional monitoring")

    def ready(self) -> None:
        from metrocoop.indicators import jobs, policies  # noqa: F401
