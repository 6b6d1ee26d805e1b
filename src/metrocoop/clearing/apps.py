from django.utils.translation import gettext_lazy as _

from metrocoop.core import appconfig


class ClearingConfig(appconfig.ModuleConfig):
    name = "metrocoop.clearing"
    label = "clearing"
    verbose_name = _("Public-service clearing")
