from django.utils.translation import gettext_lazy as _

from metrocoop.core import appconfig


class PoliciesConfig(appconfig.ModuleConfig):
    name = "metrocoop.policies"
    label = "policies"
    verbose_name = _("Policy library")
