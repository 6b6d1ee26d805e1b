from django.utils.translation import gettext_lazy as _

from metrocoop.core import appconfig


class CouncilConfig(appconfig.ModuleConfig):
    name = "metrocoop.council"
    label = "council"
    verbose_name = _("Council cycle")
