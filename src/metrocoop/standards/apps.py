from django.utils.translation import gettext_lazy as _

from metrocoop.core import appconfig


class StandardsConfig(appconfig.ModuleConfig):
    name = "metrocoop.standards"
    label = "standards"
    verbose_name = _("Standards and mutual recognition")
