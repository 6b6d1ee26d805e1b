from django.utils.translation import gettext_lazy as _

from metrocoop.core import appconfig


class LedgerConfig(appconfig.ModuleConfig):
    name = "metrocoop.ledger"
    label = "ledger"
    verbose_name = _("Ledger")
