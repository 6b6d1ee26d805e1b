from django.utils.translation import gettext_lazy as _

from metrocoop.core import appconfig


class InvestmentConfig(appconfig.ModuleConfig):
    name = "metrocoop.investment"
    label = "investment"
    verbose_name = _("Investment coordination and benefit sharing")
