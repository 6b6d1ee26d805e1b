from django.utils.translation import gettext_lazy as _

from metrocoop.core import appconfig


class FundsConfig(appconfig.ModuleConfig):
    name = "metrocoop.funds"
    label = "funds"
    verbose_name = _("Funds and assessment")
